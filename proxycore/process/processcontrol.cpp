#include "process/processcontrol.h"

#include "config/nginxmodules.h"
#include "process/configtest.h"
#include "process/errorlog.h"
#include "process/pidfile.h"
#include "process/signalcommand.h"
#include "proxy/engine.h"
#include "stats/accesslogfile.h"

#include <csignal>

using namespace Qt::StringLiterals;

namespace lbscope {

ProcessControl::ProcessControl(Engine &engine, AccessLogFileWriter &accessLogs, Options options, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_accessLogs(accessLogs)
    , m_options(std::move(options))
    , m_errorLog(std::make_shared<ErrorLog>())
    , m_pidFile(std::make_unique<PidFile>())
{
    connect(&m_accessLogs, &AccessLogFileWriter::errorOccurred, this,
            [this](const QString &message) { m_errorLog->write(ErrorLogLevel::Alert, message); });
    connect(&m_engine, &Engine::gracefullyStopped, this, [this] {
        notice(u"exiting"_s);
        emit stopRequested();
    });
}

ProcessControl::~ProcessControl() = default;

bool ProcessControl::prepare(const ProxyConfig &config, QString *error)
{
    if (!m_errorLog->open(ErrorLog::targetsOf(config, m_options.errorLogFallback), error))
        return false;
    m_engine.setErrorLog(m_errorLog);
    if (config.pidFile && !m_pidFile->write(config.resolvePath(*config.pidFile), error)) {
        m_errorLog->write(ErrorLogLevel::Emerg, *error);
        return false;
    }
    return true;
}

void ProcessControl::started()
{
    notice(u"nginx/%1 (lbscope %2)"_s.arg(QLatin1StringView(NginxModules::Version), m_options.version));
    notice(u"start worker threads: %1"_s.arg(m_engine.configuration().workerProcesses));
}

void ProcessControl::finish()
{
    notice(u"exit"_s);
    m_pidFile->remove();
}

void ProcessControl::notice(const QString &text)
{
    m_errorLog->write(ErrorLogLevel::Notice, text);
}

void ProcessControl::handleSignal(int signalNumber, qint64 senderPid)
{
    QLatin1StringView action;
    switch (signalNumber) {
    case SIGHUP:
        action = ", reconfiguring"_L1;
        break;
    case SIGUSR1:
        action = ", reopening logs"_L1;
        break;
    case SIGQUIT:
        action = ", shutting down"_L1;
        break;
    case SIGTERM:
    case SIGINT:
        action = ", exiting"_L1;
        break;
    default:
        break;
    }
    const QString from = senderPid > 0 ? u" from %1"_s.arg(senderPid) : QString();
    notice(
        u"signal %1 (%2) received%3%4"_s.arg(signalNumber).arg(SignalCommand::signalName(signalNumber), from, action));
    switch (signalNumber) {
    case SIGHUP:
        reload();
        break;
    case SIGUSR1:
        reopenLogs();
        break;
    case SIGQUIT:
        stopGracefully();
        break;
    case SIGTERM:
    case SIGINT:
        notice(u"exiting"_s);
        emit stopRequested();
        break;
    default:
        break;
    }
}

// As nginx -s reload: the file again (with -g); on any error the running configuration stays.
void ProcessControl::reload()
{
    if (m_stopping)
        return;
    notice(u"reconfiguring"_s);
    const ConfigReadResult result = ConfigReader::readFile(m_options.configPath, m_options.read);
    for (const ConfigMessage &warning : result.warnings)
        m_errorLog->write(ErrorLogLevel::Warn, warning.toNginxString());
    if (!result.config) {
        m_errorLog->write(ErrorLogLevel::Emerg, result.error->toNginxString());
        return;
    }
    const ProxyConfig &config = *result.config;
    QString error;
    // Files first, as nginx opens them before it changes anything.
    ErrorLog opened;
    const QList<ErrorLog::Target> targets = ErrorLog::targetsOf(config, m_options.errorLogFallback);
    if (!opened.open(targets, &error) || !ConfigTest::checkFiles(config, &error)) {
        m_errorLog->write(ErrorLogLevel::Emerg, error);
        return;
    }
    opened.close();
    if (!m_engine.reload(config, &error) || !m_accessLogs.setConfiguration(config, &error)) {
        m_errorLog->write(ErrorLogLevel::Emerg, error);
        return;
    }
    if (!m_errorLog->open(targets, &error))
        m_errorLog->write(ErrorLogLevel::Emerg, error);
    if (!m_pidFile->moveTo(config.pidFile ? config.resolvePath(*config.pidFile) : QString(), &error))
        m_errorLog->write(ErrorLogLevel::Emerg, error);
}

void ProcessControl::reopenLogs()
{
    notice(u"reopening logs"_s);
    m_accessLogs.reopen(); // a failure comes back through errorOccurred
    QString error;
    if (!m_errorLog->reopen(&error))
        m_errorLog->write(ErrorLogLevel::Alert, error);
}

void ProcessControl::stopGracefully()
{
    if (m_stopping)
        return;
    m_stopping = true;
    notice(u"gracefully shutting down"_s);
    m_engine.stopGracefully();
}

} // namespace lbscope
