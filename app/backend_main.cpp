// lbscope-backend: the demo web app as its own process, for running three copies on
// ports 3000, 3100 and 3101 the way the nginx tutorials do.

#include "config/nginxvalues.h"
#include "demo/demobackend.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

#ifndef LBSCOPE_VERSION
#define LBSCOPE_VERSION "0.1.0"
#endif

void printLine(const QString &line, FILE *stream = stdout)
{
    std::fputs(line.toLocal8Bit().constData(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

// ADDRESS:PORT, [IPV6]:PORT, localhost:PORT or a bare PORT (on 127.0.0.1); port 0 picks a free one.
bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    QString host = u"127.0.0.1"_s;
    QString portText = text;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u"]:"_s);
        if (close < 0)
            return false;
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else if (const qsizetype colon = text.lastIndexOf(u':'); colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.contains(u':'))
            return false; // an IPv6 address needs brackets
    }
    bool ok = false;
    const uint value = portText.toUInt(&ok);
    if (!ok || value > 65535)
        return false;
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        host = u"127.0.0.1"_s;
    QHostAddress parsed;
    if (!parsed.setAddress(host))
        return false;
    *address = parsed;
    *port = static_cast<quint16>(value);
    return true;
}

// A fraction (0.25) or a percentage (25%).
bool parseRate(const QString &text, double *rate)
{
    QString number = text.trimmed();
    double scale = 1.0;
    if (number.endsWith(u'%')) {
        number.chop(1);
        scale = 100.0;
    }
    bool ok = false;
    const double value = number.toDouble(&ok) / scale;
    if (!ok || !(value >= 0.0) || value > 1.0)
        return false;
    *rate = value;
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"lbscope-backend"_s);
    QCoreApplication::setApplicationVersion(QString::fromLatin1(LBSCOPE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"LB Scope's demo web app: answers every request with a page naming this instance and its port, "
        "so that several copies behind a load balancer show where each request went."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption listenOption(
        {u"l"_s, u"listen"_s},
        u"Address and port to listen on: ADDRESS:PORT, [IPV6]:PORT or PORT (on 127.0.0.1). "
        "Default 127.0.0.1:3000."_s,
        u"address:port"_s, u"127.0.0.1:3000"_s);
    const QCommandLineOption nameOption({u"n"_s, u"name"_s},
                                        u"Instance name shown on the page, in X-Backend and in the log. "
                                        "Default web-client."_s,
                                        u"name"_s, u"web-client"_s);
    const QCommandLineOption delayOption(u"delay-ms"_s, u"Delay every answer by this many milliseconds."_s, u"ms"_s,
                                         u"0"_s);
    const QCommandLineOption errorRateOption(
        u"error-rate"_s,
        u"Share of requests answered 500, as a fraction (0.5) or percentage (50%); "
        "errors are spread evenly (0.5 fails every second request)."_s,
        u"rate"_s, u"0"_s);
    const QCommandLineOption quietOption({u"q"_s, u"quiet"_s}, u"Do not print a line per request."_s);
    parser.addOptions({listenOption, nameOption, delayOption, errorRateOption, quietOption});
    parser.process(app);

    const QString program = QCoreApplication::applicationName();
    if (!parser.positionalArguments().isEmpty()) {
        printLine(program + u": unexpected argument \""_s + parser.positionalArguments().constFirst() +
                      u"\" (see --help)"_s,
                  stderr);
        return 1;
    }

    lbscope::DemoBackend::Options options;
    options.name = parser.value(nameOption);
    if (!parseListen(parser.value(listenOption), &options.address, &options.port)) {
        printLine(program + u": invalid --listen value \""_s + parser.value(listenOption) +
                      u"\": expected ADDRESS:PORT such as 127.0.0.1:3100, [::1]:3100 or a port number"_s,
                  stderr);
        return 1;
    }
    bool ok = false;
    options.delayMs = parser.value(delayOption).toInt(&ok);
    if (!ok || options.delayMs < 0) {
        printLine(program + u": invalid --delay-ms value \""_s + parser.value(delayOption) +
                      u"\": expected a number of milliseconds, 0 or more"_s,
                  stderr);
        return 1;
    }
    if (!parseRate(parser.value(errorRateOption), &options.errorRate)) {
        printLine(program + u": invalid --error-rate value \""_s + parser.value(errorRateOption) +
                      u"\": expected a fraction from 0 to 1 (0.25) or a percentage (25%)"_s,
                  stderr);
        return 1;
    }

    lbscope::DemoBackend backend;
    QString error;
    if (!backend.start(options, &error)) {
        printLine(program + u": "_s + error, stderr);
        return 1;
    }

    // SIGINT and SIGTERM stop cleanly; SIGHUP has nothing to reload and is ignored.
    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &backend, [&backend] {
        backend.stop();
        QCoreApplication::quit();
    });
    // The log is read by cursor ten times a second, not a signal per request.
    QTimer logTimer;
    quint64 logCursor = 0;
    QList<lbscope::DemoLogEntry> entries;
    const auto printLog = [&] {
        entries.clear();
        logCursor = backend.logAfter(logCursor, &entries);
        for (const lbscope::DemoLogEntry &entry : std::as_const(entries))
            std::fputs(QByteArray(entry.line.toLocal8Bit() + '\n').constData(), stdout);
        if (!entries.isEmpty())
            std::fflush(stdout);
    };
    if (!parser.isSet(quietOption)) {
        QObject::connect(&logTimer, &QTimer::timeout, &app, printLog);
        logTimer.start(100);
    }
    QObject::connect(&backend, &lbscope::DemoBackend::errorOccurred, &app,
                     [&program](const QString &message) { printLine(program + u": "_s + message, stderr); });

    printLine(backend.name() + u" listening on "_s +
              lbscope::nginx::joinHostPort(backend.address().toString(), backend.port()));

    const int status = app.exec();
    if (!parser.isSet(quietOption))
        printLog();
    printLine(backend.name() + u" stopped after "_s + QString::number(backend.requestCount()) + u" requests"_s, stderr);
    return status;
}
