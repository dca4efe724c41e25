#include "twin/nginxprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <csignal>
#include <utility>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int ProbeIntervalMs = 20;
constexpr qint64 MaxErrorLogTail = 4096;

QString processOutput(QProcess &process)
{
    return QString::fromLocal8Bit(process.readAll()).trimmed();
}

} // namespace

NginxProcess::NginxProcess(QObject *parent)
    : QObject(parent)
    , m_binary(findBinary())
{
    m_probeTimer.setInterval(ProbeIntervalMs);
    connect(&m_probeTimer, &QTimer::timeout, this, &NginxProcess::probe);
    m_startDeadline.setSingleShot(true);
    m_startDeadline.setInterval(StartTimeoutMs);
    connect(&m_startDeadline, &QTimer::timeout, this, [this] {
        fail(
            tr("nginx did not accept connections on 127.0.0.1:%1 within %2 s.").arg(m_port).arg(StartTimeoutMs / 1000));
    });
}

NginxProcess::~NginxProcess()
{
    stop();
}

QString NginxProcess::findBinary()
{
    const QString onPath = QStandardPaths::findExecutable(u"nginx"_s);
    if (!onPath.isEmpty())
        return onPath;
    return QStandardPaths::findExecutable(u"nginx"_s,
                                          {u"/usr/sbin"_s, u"/usr/local/sbin"_s, u"/usr/local/nginx/sbin"_s});
}

quint16 NginxProcess::freeLoopbackPort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

void NginxProcess::preparePrefix(const QString &path)
{
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                                    QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
}

QByteArray NginxProcess::mainDirectives(const QString &prefix)
{
    return (u"pid %1/nginx.pid;\nerror_log %1/error.log;\n"_s.arg(prefix)).toUtf8();
}

QByteArray NginxProcess::httpTempDirectives(const QString &prefix)
{
    QString text;
    for (const auto &[directive, folder] : {std::pair{"client_body_temp_path"_L1, "client_body"_L1},
                                            {"proxy_temp_path"_L1, "proxy"_L1},
                                            {"fastcgi_temp_path"_L1, "fastcgi"_L1},
                                            {"uwsgi_temp_path"_L1, "uwsgi"_L1},
                                            {"scgi_temp_path"_L1, "scgi"_L1}})
        text += u"%1 %2/%3;\n"_s.arg(directive, prefix, folder);
    return text.toUtf8();
}

qint64 NginxProcess::processId() const
{
    return m_server ? m_server->processId() : 0;
}

void NginxProcess::start(const QString &prefix, const QString &configFile, quint16 port)
{
    stop();
    m_prefix = prefix;
    m_configFile = configFile;
    m_port = port;
    m_error.clear();
    m_state = State::Testing;
    runTest();
}

void NginxProcess::reload()
{
    if (!isRunning())
        return;
    m_state = State::Reloading;
    runTest();
}

void NginxProcess::runTest()
{
    m_test = new QProcess(this);
    m_test->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_test, &QProcess::finished, this, &NginxProcess::handleTestFinished);
    connect(m_test, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(tr("nginx could not be run (%1): %2").arg(m_binary, m_test->errorString()));
    });
    m_test->start(m_binary,
                  {u"-t"_s, u"-q"_s, u"-p"_s, m_prefix, u"-e"_s, m_prefix + u"/error.log"_s, u"-c"_s, m_configFile});
}

void NginxProcess::handleTestFinished()
{
    const bool accepted = m_test->exitStatus() == QProcess::NormalExit && m_test->exitCode() == 0;
    const QString output = processOutput(*m_test);
    std::exchange(m_test, nullptr)->deleteLater(); // this is its signal
    if (!accepted) {
        const QString message = output.isEmpty() ? tr("nginx -t failed without a message.") : output;
        if (m_state == State::Reloading) {
            m_state = State::Running;
            m_error = message;
            emit failed(message);
        } else {
            fail(message);
        }
        return;
    }
    if (m_state == State::Reloading) {
        m_state = State::Running;
        ::kill(pid_t(m_server->processId()), SIGHUP);
        emit reloaded();
        return;
    }
    m_server = new QProcess(this);
    m_server->setProcessChannelMode(QProcess::MergedChannels);
#ifdef Q_OS_LINUX
    // Run in the child between fork and exec: nginx hears of its parent's death.
    m_server->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(m_server, &QProcess::finished, this, &NginxProcess::handleServerFinished);
    m_state = State::Starting;
    m_server->start(m_binary, {u"-p"_s, m_prefix, u"-e"_s, m_prefix + u"/error.log"_s, u"-c"_s, m_configFile, u"-g"_s,
                               u"daemon off;"_s});
    m_startDeadline.start();
    m_probeTimer.start();
}

void NginxProcess::probe()
{
    if (m_state != State::Starting) {
        m_probeTimer.stop();
        return;
    }
    if (!m_probe) {
        m_probe = std::make_unique<QTcpSocket>();
        connect(m_probe.get(), &QTcpSocket::connected, this, [this] {
            m_probe->abort();
            m_probeTimer.stop();
            m_startDeadline.stop();
            m_state = State::Running;
            emit started();
        });
    }
    if (m_probe->state() == QAbstractSocket::UnconnectedState)
        m_probe->connectToHost(QHostAddress::LocalHost, m_port);
}

void NginxProcess::handleServerFinished()
{
    const QString output = processOutput(*m_server);
    QString message = tr("nginx exited (code %1).").arg(m_server->exitCode());
    if (!output.isEmpty())
        message += u'\n' + output;
    const QString log = errorLogTail();
    if (!log.isEmpty() && !output.contains(log))
        message += u'\n' + log;
    std::exchange(m_server, nullptr)->deleteLater();
    fail(message);
}

void NginxProcess::fail(const QString &error)
{
    stop();
    m_error = error;
    emit failed(error);
}

void NginxProcess::stop()
{
    m_probeTimer.stop();
    m_startDeadline.stop();
    m_probe.reset();
    if (m_test) {
        m_test->disconnect(this);
        m_test->kill();
        m_test->waitForFinished(StopTimeoutMs);
        std::exchange(m_test, nullptr)->deleteLater();
    }
    if (m_server) {
        m_server->disconnect(this);
        if (m_server->state() != QProcess::NotRunning) {
            m_server->terminate(); // SIGTERM: the master stops its workers too
            if (!m_server->waitForFinished(StopTimeoutMs)) {
                m_server->kill();
                m_server->waitForFinished(StopTimeoutMs);
            }
        }
        std::exchange(m_server, nullptr)->deleteLater();
    }
    m_state = State::NotRunning;
}

QString NginxProcess::errorLogTail() const
{
    QFile file(m_prefix + u"/error.log"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    file.seek(std::max<qint64>(0, file.size() - MaxErrorLogTail));
    return QString::fromUtf8(file.readAll()).trimmed();
}

} // namespace lbscope
