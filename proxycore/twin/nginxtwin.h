#pragma once

// The nginx twin: LB Scope's running configuration in a real nginx beside it, so that the same
// traffic sent to both shows whether they pick the same backends. It writes the configuration
// into a temporary prefix (NginxTwinConfig), runs nginx there as a child process on its own
// port (NginxProcess), reloads it when LB Scope's configuration changes, and reads its access
// log (NginxTwinLog). No widgets: the window shows it, tests drive it.

#include "config/proxyconfig.h"
#include "twin/nginxprocess.h"
#include "twin/nginxtwinlog.h"

#include <QObject>

#include <memory>

class QTemporaryDir;

namespace lbscope {

class NginxTwin final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NginxTwin)

public:
    enum class Status {
        Off,
        NotInstalled, // errorText() says what to install
        Starting,
        Running, // errorText() non-empty: nginx refused an edit and runs the previous configuration
        Failed   // errorText() is nginx's own message
    };

    explicit NginxTwin(QObject *parent = nullptr);
    ~NginxTwin() override;

    // The nginx binary; found on PATH or in /usr/sbin unless set (tests point it elsewhere).
    void setBinary(const QString &path) { m_process.setBinary(path); }
    QString binary() const { return m_process.binary(); }
    bool isInstalled() const;
    static QString installHint();

    // Starts nginx with config; statusChanged() follows as it comes up or fails.
    void start(const ProxyConfig &config);
    // Stops nginx and removes its prefix; Off.
    void stop();
    // LB Scope's configuration changed: nginx gets the same (a reload) when it runs.
    void applyConfig(const ProxyConfig &config);

    Status status() const { return m_status; }
    bool isActive() const { return m_status == Status::Starting || m_status == Status::Running; }
    const QString &errorText() const { return m_error; }
    // The twin's port on 127.0.0.1; 0 when it is off.
    quint16 port() const { return m_port; }
    qint64 processId() const { return m_process.processId(); }
    QString prefix() const;

    // What nginx logged since the last call (bounded: NginxTwinLog::MaxBytesPerRead); call it
    // on a timer.
    QList<NginxTwinRecord> readRecords() { return m_log.readNew(); }

signals:
    void statusChanged();
    // nginx runs the configuration given to applyConfig().
    void reloaded();

private:
    bool writeConfig(const ProxyConfig &config);
    void setStatus(Status status, const QString &error = {});
    void handleStarted();
    void handleFailed(const QString &error);

    NginxProcess m_process;
    NginxTwinLog m_log;
    std::unique_ptr<QTemporaryDir> m_prefix;
    quint16 m_port = 0;
    Status m_status = Status::Off;
    QString m_error;
    bool m_reloadPending = false;
};

} // namespace lbscope
