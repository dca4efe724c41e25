#pragma once

// nginx as a child process in the foreground, for the nginx twin and the parity test: the
// configuration is tested first (`nginx -t`, whose own message is the error), then nginx runs
// with `-p PREFIX -e PREFIX/error.log -c FILE -g "daemon off;"` and counts as started once its
// port accepts a connection. Nothing here blocks the caller's thread but stop(), which nginx
// answers in milliseconds. On Linux the child is also told to stop should this process die
// first, so no nginx is left running without its parent.

#include <QObject>
#include <QTimer>

#include <memory>

class QProcess;
class QTcpSocket;

namespace lbscope {

class NginxProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NginxProcess)

public:
    enum class State {
        NotRunning,
        Testing,  // nginx -t before a start
        Starting, // running, its port not yet accepting
        Running,
        Reloading // nginx -t before a reload; nginx goes on serving meanwhile
    };

    static constexpr int StartTimeoutMs = 10'000;
    static constexpr int StopTimeoutMs = 5'000;

    explicit NginxProcess(QObject *parent = nullptr);
    ~NginxProcess() override;

    // Where nginx is installed (PATH, then /usr/sbin, where Debian puts it); empty when it is not.
    static QString findBinary();
    // A port on 127.0.0.1 that was free a moment ago: a child process can only be given a number.
    static quint16 freeLoopbackPort();
    // Makes path usable as nginx's prefix: nginx's workers run as nobody when the master is root.
    static void preparePrefix(const QString &path);
    // The main-context lines that keep nginx's pid and error log inside prefix.
    static QByteArray mainDirectives(const QString &prefix);
    // The http-level lines that keep nginx's temporary files inside prefix.
    static QByteArray httpTempDirectives(const QString &prefix);

    void setBinary(const QString &path) { m_binary = path; }
    const QString &binary() const { return m_binary; }

    // Tests configFile, then runs it; expects it to listen on 127.0.0.1:port. started() or
    // failed() follows.
    void start(const QString &prefix, const QString &configFile, quint16 port);
    // Tests the (rewritten) configuration file and, if nginx accepts it, has the running master
    // load it (SIGHUP, as nginx -s reload). reloaded() or failed() follows; on failure nginx
    // goes on with the configuration it had.
    void reload();
    // SIGTERM, waits for nginx to exit, kills it if it lingers. No signal follows.
    void stop();

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running || m_state == State::Reloading; }
    // What went wrong last, in nginx's own words where it said any; empty when nothing did.
    const QString &errorText() const { return m_error; }
    qint64 processId() const;

signals:
    void started();
    void reloaded();
    // nginx refused the configuration, did not come up, or exited on its own.
    void failed(const QString &error);

private:
    void runTest();
    void handleTestFinished();
    void handleServerFinished();
    void probe();
    void fail(const QString &error);
    QString errorLogTail() const;

    QString m_binary;
    QString m_prefix;
    QString m_configFile;
    quint16 m_port = 0;
    State m_state = State::NotRunning;
    QString m_error;
    // Children of this object, let go with deleteLater: stop() may run inside one of their signals.
    QProcess *m_test = nullptr;
    QProcess *m_server = nullptr;
    std::unique_ptr<QTcpSocket> m_probe;
    QTimer m_probeTimer;
    QTimer m_startDeadline;
};

} // namespace lbscope
