// lbscope: the window by default, or the proxy engine from the command line, driven as nginx
// is (lbscope -h lists the options; CommandLine says which program each one runs).
//   lbscope [--config FILE] [--no-demo]                     the window
//   lbscope -p PREFIX -c FILE [-e LOG] [-g DIRECTIVES]      the proxy without a window, as nginx
//   lbscope --headless --config FILE [--demo] [--trace]     the same, LB Scope's way
//   lbscope -t|-T [-q] ...                                  check the configuration, as nginx -t
//   lbscope -s stop|quit|reopen|reload ...                  signal the running one, as nginx -s
//   lbscope fire URL [options]                              send test traffic, print where it went

#include "admin/adminserver.h"
#include "config/configreader.h"
#include "config/nginxmodules.h"
#include "console.h"
#include "demo/demofleet.h"
#include "firecommand.h"
#include "process/commandline.h"
#include "process/configtest.h"
#include "process/errorlog.h"
#include "process/processcontrol.h"
#include "process/signalcommand.h"
#include "proxy/engine.h"
#include "stats/accesslogfile.h"
#include "unixsignals.h"
#include "windowmain.h"

#include <QCoreApplication>
#include <QHash>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

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

// --admin ADDR:PORT, else the configuration's lbscope_status ADDR:PORT.
bool startAdmin(lbscope::AdminServer &admin, const lbscope::CommandLine &options, const lbscope::ProxyConfig &config)
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

// nginx's startup log: -e's file, which also gets what reading the configuration says. None
// for stderr, where the console lines already are.
std::unique_ptr<lbscope::ErrorLog> openStartupLog(const lbscope::CommandLine &line)
{
    const QString path = line.errorLogPath();
    if (path.isEmpty() || path == "stderr"_L1)
        return nullptr;
    auto log = std::make_unique<lbscope::ErrorLog>();
    QString error;
    if (!log->open({{path, lbscope::ErrorLogLevel::Notice}}, &error)) {
        err() << "lbscope: [alert] could not open error log file: " << error << Qt::endl;
        return nullptr;
    }
    return log;
}

lbscope::ConfigReadOptions readOptions(const lbscope::CommandLine &line)
{
    lbscope::ConfigReadOptions options;
    if (line.nginxPaths())
        options.prefix = line.effectivePrefix();
    options.globalDirectives = line.globalDirectives;
    return options;
}

int testConfig(const lbscope::CommandLine &line)
{
    const std::unique_ptr<lbscope::ErrorLog> startupLog = openStartupLog(line);
    const lbscope::ConfigTest::Report report =
        lbscope::ConfigTest::run(line.configPath(), readOptions(line), line.quiet, line.dump, startupLog.get());
    err() << report.messages << Qt::flush;
    std::fwrite(report.dump.constData(), 1, std::size_t(report.dump.size()), stdout);
    return report.exitCode;
}

// nginx -s: the configuration names the pid file, the pid file names the process.
int sendSignal(const lbscope::CommandLine &line)
{
    const std::unique_ptr<lbscope::ErrorLog> startupLog = openStartupLog(line);
    if (startupLog)
        startupLog->write(lbscope::ErrorLogLevel::Notice, u"signal process started"_s);
    const lbscope::ConfigReadResult result = lbscope::ConfigReader::readFile(line.configPath(), readOptions(line));
    err() << lbscope::ConfigTest::readMessages(result, true, startupLog.get()) << Qt::flush;
    if (!result.config)
        return 1;
    const auto fail = [&](lbscope::ErrorLogLevel level, const QString &message) {
        err() << "lbscope: [" << lbscope::errorLogLevelName(level) << "] " << message << Qt::endl;
        if (startupLog)
            startupLog->write(level, message);
        return 1;
    };
    if (!result.config->pidFile) {
        return fail(lbscope::ErrorLogLevel::Error,
                    u"no \"pid\" directive in %1: LB Scope writes no pid file without one"_s.arg(line.configPath()));
    }
    const lbscope::SignalCommand::Outcome outcome = lbscope::SignalCommand::send(
        result.config->resolvePath(*result.config->pidFile), *lbscope::SignalCommand::signalNumber(line.signal));
    return outcome.ok ? 0 : fail(outcome.level, outcome.message);
}

int runHeadless(QCoreApplication &app, const lbscope::CommandLine &line)
{
    const QString path = line.configPath();
    const lbscope::ConfigReadOptions options = readOptions(line);
    std::unique_ptr<lbscope::ErrorLog> startupLog = openStartupLog(line);
    const lbscope::ConfigReadResult result = lbscope::ConfigReader::readFile(path, options);
    err() << lbscope::ConfigTest::readMessages(result, false, startupLog.get()) << Qt::flush;
    if (!result.config)
        return 1;
    const lbscope::ProxyConfig &config = *result.config;
    startupLog.reset();

    lbscope::Engine engine(line.logCapacity);
    lbscope::AccessLogFileWriter logFiles(engine.accessLog());
    lbscope::ProcessControl control(engine, logFiles,
                                    {path, options, line.errorLogPath(), QStringLiteral(LBSCOPE_VERSION)});
    // Caught before the pid file names this process: a -s that finds it must not kill it. What
    // arrives before the event loop runs waits in the pipe.
    UnixSignals unixSignals({SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1});
    QObject::connect(&unixSignals, &UnixSignals::received, &control, &lbscope::ProcessControl::handleSignal);
    QObject::connect(&control, &lbscope::ProcessControl::stopRequested, &app, &QCoreApplication::quit);
    QString error;
    const auto fail = [&](const QString &message) {
        err() << "lbscope: [emerg] " << message << Qt::endl;
        control.errorLog()->write(lbscope::ErrorLogLevel::Emerg, message);
        return 1;
    };
    if (!control.prepare(config, &error)) {
        err() << "lbscope: [emerg] " << error << Qt::endl;
        return 1;
    }
    if (line.demo && !engine.startDemoInstances(config, &error))
        return fail(error);
    if (!engine.start(config, &error))
        return fail(error);
    for (const auto &[address, port] : engine.listeningAddresses()) {
        const QString host =
            address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
        out() << "listening on " << host << ':' << port << Qt::endl;
    }
    lbscope::AdminServer admin(engine);
    if (!startAdmin(admin, line, config))
        return 1;
    if (!logFiles.setConfiguration(config, &error))
        return fail(error);

    ConsolePrinter printer(engine, line.trace);
    control.started();
    const int code = app.exec();
    printer.print();

    logFiles.flushNow();
    const lbscope::TrafficTotals totals = engine.totals();
    admin.stop();
    engine.stop();
    engine.stopDemoInstances();
    control.finish();
    out() << totals.summaryTable() << Qt::flush;
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "fire") == 0) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(u"lbscope"_s);
        QCoreApplication::setApplicationVersion(QStringLiteral(LBSCOPE_VERSION));
        return runFireCommand(app, app.arguments());
    }
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QString parseError;
    const std::optional<lbscope::CommandLine> line = lbscope::CommandLine::parse(arguments, &parseError);
    if (!line) {
        err() << "lbscope: " << parseError << Qt::endl;
        return 1;
    }
    const lbscope::CommandLine::Mode mode = line->mode();
    if (mode == lbscope::CommandLine::Mode::Help) {
        out() << lbscope::CommandLine::helpText() << Qt::flush;
        return 0;
    }
    if (mode == lbscope::CommandLine::Mode::Version) {
        out() << "lbscope " << LBSCOPE_VERSION << Qt::endl;
        return 0;
    }
    if (line->showVersion) {
        // On stderr, as nginx prints them: tools parse these lines. Then, as nginx, -t still runs.
        err() << "nginx version: nginx/" << lbscope::NginxModules::Version << " (lbscope " << LBSCOPE_VERSION << ")\n";
        if (line->showBuild)
            err() << lbscope::NginxModules::configureArguments() << '\n';
        err() << Qt::flush;
        if (!line->test)
            return 0;
    }
    if (mode == lbscope::CommandLine::Mode::Window) {
        QString why;
        if (!displayAvailable(&why)) {
            err() << why << Qt::endl;
            return 1;
        }
        return runWindow(argc, argv, line->configFile.value_or(QString()), !line->noDemo);
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"lbscope"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(LBSCOPE_VERSION));
    switch (mode) {
    case lbscope::CommandLine::Mode::Test:
        return testConfig(*line);
    case lbscope::CommandLine::Mode::Signal:
        return sendSignal(*line);
    default:
        return runHeadless(app, *line);
    }
}
