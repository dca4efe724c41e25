#include "twin/nginxtwin.h"

#include "twin/nginxtwinconfig.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace lbscope {

NginxTwin::NginxTwin(QObject *parent)
    : QObject(parent)
{
    connect(&m_process, &NginxProcess::started, this, &NginxTwin::handleStarted);
    connect(&m_process, &NginxProcess::failed, this, &NginxTwin::handleFailed);
    connect(&m_process, &NginxProcess::reloaded, this, [this] {
        m_error.clear();
        emit statusChanged();
        emit reloaded();
    });
}

NginxTwin::~NginxTwin()
{
    m_process.stop();
}

bool NginxTwin::isInstalled() const
{
    const QFileInfo info(binary());
    return !binary().isEmpty() && info.isFile() && info.isExecutable();
}

QString NginxTwin::installHint()
{
    return tr("nginx is not installed. Install it to compare (Debian, Ubuntu: sudo apt install nginx-light).");
}

QString NginxTwin::prefix() const
{
    return m_prefix ? m_prefix->path() : QString();
}

void NginxTwin::start(const ProxyConfig &config)
{
    stop();
    if (!isInstalled()) {
        setStatus(Status::NotInstalled, installHint());
        return;
    }
    m_prefix = std::make_unique<QTemporaryDir>();
    m_port = NginxProcess::freeLoopbackPort();
    if (!m_prefix->isValid() || m_port == 0) {
        setStatus(Status::Failed, tr("No temporary folder or free port for nginx."));
        return;
    }
    NginxProcess::preparePrefix(m_prefix->path());
    if (!writeConfig(config))
        return;
    m_log.follow(NginxTwinConfig::accessLogPath(m_prefix->path()));
    setStatus(Status::Starting);
    m_process.start(m_prefix->path(), NginxTwinConfig::configPath(m_prefix->path()), m_port);
}

void NginxTwin::stop()
{
    m_process.stop();
    m_log.follow({});
    m_prefix.reset();
    m_port = 0;
    m_reloadPending = false;
    if (m_status != Status::Off)
        setStatus(Status::Off);
}

void NginxTwin::applyConfig(const ProxyConfig &config)
{
    if (!isActive() || !writeConfig(config))
        return;
    if (m_status == Status::Running)
        m_process.reload();
    else
        m_reloadPending = true; // nginx tested the file before: it must read it again
}

bool NginxTwin::writeConfig(const ProxyConfig &config)
{
    const QString prefix = m_prefix->path();
    QSaveFile file(NginxTwinConfig::configPath(prefix));
    if (!file.open(QIODevice::WriteOnly) || file.write(NginxTwinConfig::write(config, prefix, m_port)) < 0 ||
        !file.commit()) {
        const QString error = tr("Could not write the nginx configuration: %1").arg(file.errorString());
        m_process.stop();
        setStatus(Status::Failed, error);
        return false;
    }
    return true;
}

void NginxTwin::setStatus(Status status, const QString &error)
{
    m_status = status;
    m_error = error;
    emit statusChanged();
}

void NginxTwin::handleStarted()
{
    setStatus(Status::Running);
    if (std::exchange(m_reloadPending, false))
        m_process.reload();
}

void NginxTwin::handleFailed(const QString &error)
{
    if (m_process.isRunning()) { // a reload nginx refused: it runs the previous configuration
        setStatus(Status::Running, error);
        return;
    }
    m_port = 0;
    setStatus(Status::Failed, error);
}

} // namespace lbscope
