// lbscope: the window by default, or the proxy engine from the command line.
//   lbscope [--config FILE] [--no-demo]                   the window, on FILE or the last pool or the seed
//   lbscope fire URL [options]                            send test traffic, print where it went
//   lbscope --headless --config FILE [--demo] [--trace]   run until SIGINT/SIGTERM; SIGHUP reloads
//   lbscope -t --config FILE                              check the configuration, as nginx -t

#include "admin/adminserver.h"
#include "config/configreader.h"
#include "config/nginxmodules.h"
#include "console.h"
#include "demo/demofleet.h"
#include "firecommand.h"
#include "proxy/engine.h"
#include "stats/accesslogfile.h"
#include "unixsignals.h"
#include "windowmain.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

std::optional<lbscope::ProxyConfig> loadConfig(const QString &path)
{
    const lbscope::ConfigReadResult result = lbscope::ConfigReader::readFile(path);
    for (const lbscope::ConfigMessage &warning : result.warnings)
        err() << "lbscope: [warn] " << warning.toString() << Qt::endl;
    if (const qsizetype changing = result.responseChangingWarnings()) {
        err() << "lbscope: [warn] " << changing
              << (changing == 1 ? " skipped directive changes" : " skipped directives change")
              << " what requests get: this file does not run here as it runs in nginx" << Qt::endl;
    }
    if (result.error)
        err() << "lbscope: [emerg] " << result.error->toString() << Qt::endl;
    return result.config;
}

int testConfig(const QString &path)
{
    const QString file = QFileInfo(path).absoluteFilePath();
    if (!loadConfig(path)) {
        err() << "lbscope: configuration file " << file << " test failed" << Qt::endl;
        return 1;
    }
    err() << "lbscope: the configuration file " << file << " syntax is ok" << Qt::endl;
    err() << "lbscope: configuration file " << file << " test is successful" << Qt::endl;
    return 0;
}

// What the console shows while the proxy runs, polled ten times a second rather than one
// signal per request: each demo instance's new log lines, and with --trace a line per
// request saying where it went and why.
class ConsolePrinter final : public QObject
{
public:
    ConsolePrinter(const lbscope::Engine &engine, bool trace, QObject *parent = nullptr)
        : QObject(parent)
        , m_engine(engine)
        , m_trace(trace)
    {
        connect(&m_timer, &QTimer::timeout, this, &ConsolePrinter::print);
        m_timer.start(100);
    }

    void print()
    {
        printDemoLogs();
        if (m_trace) {
            QList<lbscope::AccessRecord> records;
            m_cursor = m_engine.accessLog().readAfter(m_cursor, &records);
            for (const lbscope::AccessRecord &record : std::as_const(records))
                out() << record.traceLine() << '\n';
        }
        out().flush();
    }

private:
    void printDemoLogs()
    {
        const lbscope::DemoFleet *fleet = m_engine.demoInstances();
        if (!fleet)
            return;
        QList<lbscope::DemoLogEntry> entries;
        for (const lbscope::DemoFleet::Instance &instance : fleet->instances()) {
            quint64 &cursor = m_demoCursors[instance.name];
            entries.clear();
            cursor = fleet->logAfter(instance.name, cursor, &entries);
            for (const lbscope::DemoLogEntry &entry : std::as_const(entries))
                out() << entry.line << '\n';
        }
    }

    const lbscope::Engine &m_engine;
    bool m_trace;
    QTimer m_timer;
    quint64 m_cursor = 0;
    QHash<QString, quint64> m_demoCursors;
};

void reload(lbscope::Engine &engine, lbscope::AccessLogFileWriter &logFiles, const QString &path)
{
    err() << "lbscope: reloading " << path << Qt::endl;
    const auto config = loadConfig(path);
    QString error;
    if (!config)
        err() << "lbscope: reload failed, the running configuration stays" << Qt::endl;
    else if (!engine.reload(*config, &error))
        err() << "lbscope: [emerg] " << error << "; the running configuration stays" << Qt::endl;
    else if (!logFiles.setConfiguration(*config, &error))
        err() << "lbscope: [emerg] " << error << "; the access logs stay as they were" << Qt::endl;
}

struct HeadlessOptions
{
    QString path;
    bool demo = false;
    bool trace = false;
    QString admin; // ADDR:PORT, or empty
    bool adminAllowRemote = false;
    qsizetype logCapacity = 100'000;
};

// --admin ADDR:PORT, else the configuration's lbscope_status ADDR:PORT.
bool startAdmin(lbscope::AdminServer &admin, const HeadlessOptions &options, const lbscope::ProxyConfig &config)
{
    QString where = options.admin;
    if (where.isEmpty() && config.statusListen)
        where = config.statusListen->host + u':' + QString::number(config.statusListen->port);
    if (where.isEmpty())
        return true;
    const auto colon = where.lastIndexOf(u':');
    bool portOk = false;
    const uint port = where.mid(colon + 1).toUInt(&portOk);
    QHostAddress address;
    if (colon <= 0 || !portOk || port > 65535 || !address.setAddress(where.left(colon).remove(u'[').remove(u']'))) {
        err() << "lbscope: the status endpoint wants ADDRESS:PORT, e.g. 127.0.0.1:9090" << Qt::endl;
        return false;
    }
    QString error;
    if (!admin.start(address, quint16(port), options.adminAllowRemote, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return false;
    }
    out() << "status on http://" << where.left(colon) << ':' << admin.port() << "/status and /metrics" << Qt::endl;
    return true;
}

int runHeadless(QCoreApplication &app, const HeadlessOptions &options)
{
    const auto config = loadConfig(options.path);
    if (!config)
        return 1;

    lbscope::Engine engine(options.logCapacity);
    QString error;
    if (options.demo && !engine.startDemoInstances(*config, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return 1;
    }
    if (!engine.start(*config, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return 1;
    }
    for (const auto &[address, port] : engine.listeningAddresses()) {
        const QString host =
            address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
        out() << "listening on " << host << ':' << port << Qt::endl;
    }
    lbscope::AdminServer admin(engine);
    if (!startAdmin(admin, options, *config))
        return 1;
    lbscope::AccessLogFileWriter logFiles(engine.accessLog());
    QObject::connect(&logFiles, &lbscope::AccessLogFileWriter::errorOccurred, &app,
                     [](const QString &message) { err() << "lbscope: [error] " << message << Qt::endl; });
    if (!logFiles.setConfiguration(*config, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return 1;
    }

    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &app, [&app](int) { app.quit(); });
    QObject::connect(&unixSignals, &UnixSignals::reloadRequested, &app,
                     [&] { reload(engine, logFiles, options.path); });
    ConsolePrinter printer(engine, options.trace);
    const int code = app.exec();
    printer.print();

    logFiles.flushNow();
    const lbscope::TrafficTotals totals = engine.totals();
    admin.stop();
    engine.stop();
    engine.stopDemoInstances();
    out() << totals.summaryTable() << Qt::flush;
    return code;
}

} // namespace

// The window is the default; these run without one.
static bool wantsConsole(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if ((i == 1 && arg == "fire") || arg == "--headless" || arg == "-t" || arg == "-V" || arg == "-h" ||
            arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

int main(int argc, char *argv[])
{
    if (!wantsConsole(argc, argv)) {
        QString why;
        if (!displayAvailable(&why)) {
            err() << why << Qt::endl;
            return 1;
        }
        QStringList arguments;
        for (int i = 0; i < argc; ++i)
            arguments.append(QString::fromLocal8Bit(argv[i]));
        QCommandLineParser parser;
        const QCommandLineOption config({u"c"_s, u"config"_s}, u"Open the nginx configuration <file>."_s, u"file"_s);
        const QCommandLineOption noDemo(u"no-demo"_s, u"Do not start the built-in demo web apps."_s);
        parser.addOptions({config, noDemo});
        if (!parser.parse(arguments)) {
            err() << "lbscope: " << parser.errorText() << " (try lbscope --help)" << Qt::endl;
            return 2;
        }
        return runWindow(argc, argv, parser.value(config), !parser.isSet(noDemo));
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"lbscope"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(LBSCOPE_VERSION));
    if (argc > 1 && qstrcmp(argv[1], "fire") == 0)
        return runFireCommand(app, app.arguments());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"LB Scope: an HTTP/1.1 reverse proxy and load balancer configured in "
        "nginx syntax, that shows where every request goes.\n"
        "With no --headless, -t or fire, it opens the window (--config FILE, --no-demo)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(u"headless"_s, u"Run the proxy engine without a window."_s);
    const QCommandLineOption config({u"c"_s, u"config"_s}, u"Read the nginx configuration from <file>."_s, u"file"_s);
    const QCommandLineOption test(u"t"_s, u"Test the configuration and exit, as nginx -t."_s);
    const QCommandLineOption nginxVersion(
        u"V"_s, u"Print, as nginx -V does, the nginx version followed and the modules not implemented."_s);
    const QCommandLineOption demo(u"demo"_s, u"Start a built-in demo web app on every loopback upstream address."_s);
    const QCommandLineOption trace(u"trace"_s, u"Print a line per request: where it went and why."_s);
    const QCommandLineOption admin(u"admin"_s, u"Serve /status (JSON) and /metrics (Prometheus) on <address:port>."_s,
                                   u"address:port"_s);
    const QCommandLineOption adminAllowRemote(u"admin-allow-remote"_s,
                                              u"Let --admin listen on an address other than loopback."_s);
    const QCommandLineOption logCapacity(
        u"log-capacity"_s, u"Requests the in-memory access log keeps (default 100000)."_s, u"n"_s, u"100000"_s);
    parser.addOptions({headless, config, test, nginxVersion, demo, trace, admin, adminAllowRemote, logCapacity});
    parser.process(app);

    if (parser.isSet(nginxVersion)) {
        // On stderr, as nginx prints it: tools parse these two lines.
        err() << "nginx version: nginx/" << lbscope::NginxModules::Version << " (lbscope " << LBSCOPE_VERSION << ")\n"
              << lbscope::NginxModules::configureArguments() << Qt::endl;
        return 0;
    }

    if (!parser.isSet(config)) {
        err() << "lbscope: --config FILE is required (try resources/configs/photos.conf)" << Qt::endl;
        return 2;
    }
    const QString path = parser.value(config);
    if (parser.isSet(test))
        return testConfig(path);
    HeadlessOptions options;
    options.path = path;
    options.demo = parser.isSet(demo);
    options.trace = parser.isSet(trace);
    options.admin = parser.value(admin);
    options.adminAllowRemote = parser.isSet(adminAllowRemote);
    bool capacityOk = false;
    options.logCapacity = parser.value(logCapacity).toLongLong(&capacityOk);
    if (!capacityOk || options.logCapacity < 1) {
        err() << "lbscope: --log-capacity wants a positive number" << Qt::endl;
        return 2;
    }
    return runHeadless(app, options);
}
