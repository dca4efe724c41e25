// lbscope: the proxy engine from the command line (the GUI arrives with its own issue).
//   lbscope --headless --config FILE [--demo] [--trace]   run until SIGINT/SIGTERM; SIGHUP reloads
//   lbscope -t --config FILE                              check the configuration, as nginx -t

#include "config/configreader.h"
#include "demo/demofleet.h"
#include "proxy/engine.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

std::optional<lbscope::ProxyConfig> loadConfig(const QString &path)
{
    const lbscope::ConfigReadResult result = lbscope::ConfigReader::readFile(path);
    for (const lbscope::ConfigMessage &warning : result.warnings)
        err() << "lbscope: [warn] " << warning.toString() << Qt::endl;
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

// Prints the access log's new records as "why it went there" lines, ten times a second.
class TracePrinter final : public QObject
{
public:
    explicit TracePrinter(const lbscope::Engine &engine, QObject *parent = nullptr)
        : QObject(parent)
        , m_engine(engine)
    {
        connect(&m_timer, &QTimer::timeout, this, &TracePrinter::print);
        m_timer.start(100);
    }

    void print()
    {
        QList<lbscope::AccessRecord> records;
        m_cursor = m_engine.accessLog().readAfter(m_cursor, &records);
        for (const lbscope::AccessRecord &record : std::as_const(records))
            out() << record.traceLine() << '\n';
        out().flush();
    }

private:
    const lbscope::Engine &m_engine;
    QTimer m_timer;
    quint64 m_cursor = 0;
};

void reload(lbscope::Engine &engine, const QString &path)
{
    err() << "lbscope: reloading " << path << Qt::endl;
    const auto config = loadConfig(path);
    QString error;
    if (!config)
        err() << "lbscope: reload failed, the running configuration stays" << Qt::endl;
    else if (!engine.reload(*config, &error))
        err() << "lbscope: [emerg] " << error << "; the running configuration stays" << Qt::endl;
}

int runHeadless(QCoreApplication &app, const QString &path, bool demo, bool trace)
{
    const auto config = loadConfig(path);
    if (!config)
        return 1;

    lbscope::DemoFleet fleet;
    if (demo) {
        QObject::connect(&fleet, &lbscope::DemoFleet::requestLogged, &app,
                         [](const QString &line) { out() << line << Qt::endl; });
        QString error;
        if (!fleet.start(*config, &error)) {
            err() << "lbscope: [emerg] " << error << Qt::endl;
            return 1;
        }
    }

    lbscope::Engine engine;
    QString error;
    if (!engine.start(*config, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return 1;
    }
    for (const auto &[address, port] : engine.listeningAddresses()) {
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                                   : address.toString();
        out() << "listening on " << host << ':' << port << Qt::endl;
    }

    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &app, [&app](int) { app.quit(); });
    QObject::connect(&unixSignals, &UnixSignals::reloadRequested, &app, [&] { reload(engine, path); });
    std::unique_ptr<TracePrinter> tracer;
    if (trace)
        tracer = std::make_unique<TracePrinter>(engine);
    const int code = app.exec();
    if (tracer)
        tracer->print();

    const lbscope::TrafficTotals totals = engine.totals();
    engine.stop();
    fleet.stop();
    out() << totals.summaryTable() << Qt::flush;
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"lbscope"_s);
    QCoreApplication::setApplicationVersion(u"0.1.0"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"LB Scope: an HTTP/1.1 reverse proxy and load balancer configured in "
                                     "nginx syntax, that shows where every request goes."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(u"headless"_s, u"Run the proxy engine without a window."_s);
    const QCommandLineOption config({u"c"_s, u"config"_s}, u"Read the nginx configuration from <file>."_s,
                                    u"file"_s);
    const QCommandLineOption test(u"t"_s, u"Test the configuration and exit, as nginx -t."_s);
    const QCommandLineOption demo(u"demo"_s,
                                  u"Start a built-in demo web app on every loopback upstream address."_s);
    const QCommandLineOption trace(u"trace"_s, u"Print a line per request: where it went and why."_s);
    parser.addOptions({headless, config, test, demo, trace});
    parser.process(app);

    if (!parser.isSet(config)) {
        err() << "lbscope: --config FILE is required (try resources/configs/photos.conf)" << Qt::endl;
        return 2;
    }
    const QString path = parser.value(config);
    if (parser.isSet(test))
        return testConfig(path);
    if (!parser.isSet(headless))
        err() << "lbscope: the window is not built yet; running headless" << Qt::endl;
    return runHeadless(app, path, parser.isSet(demo), parser.isSet(trace));
}
