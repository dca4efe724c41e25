#pragma once

#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

namespace lbscope {

class DemoConnection;

// The seed's "web-client": a small HTTP/1.1 web app that names itself on every page,
// so that a class can watch a balancer spread requests over several copies of it.
//
// Every request is answered 200 with a small HTML page (or 500 per the error rate),
// with an X-Backend header naming the instance. Special paths for tests and demos:
//   /bytes/N     N bytes of body with Content-Length, streamed as the socket drains
//   /chunked/N   the same with Transfer-Encoding: chunked (close-delimited for HTTP/1.0)
//   /sleep/MS    answer after MS milliseconds (on top of delayMs)
//   /status/CODE answer with that status code (200..599) and a tiny body
// Request bodies are counted and discarded as they stream. Each request is logged in
// nginx's combined format with " name=NAME" appended.
//
// The object lives in one thread (the one that owns it); recentLog(), requestCount(),
// maxQueuedBytes() and the knob setters may be called from any thread.
class DemoBackend final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoBackend)

public:
    struct Options
    {
        QString name;         // empty: "web-client"
        QHostAddress address; // null: 127.0.0.1
        quint16 port = 0;     // 0: an ephemeral port, see port()
        int delayMs = 0;
        double errorRate = 0.0; // 0..1
    };

    static constexpr int LogCapacity = 1000;

    // Byte number `offset` of a /bytes/N or /chunked/N body: a 64-character cycle
    // ("A".."Z", "a".."z", "0".."9", "-", "_"), so a reader can check every byte.
    static char bodyPatternByte(qint64 offset);

    explicit DemoBackend(QObject *parent = nullptr);
    ~DemoBackend() override;

    // Starts listening. Fails (and fills *error) if already running or the address
    // cannot be bound.
    bool start(const Options &options, QString *error = nullptr);

    bool isRunning() const;   // between start() and stop(), crashed or not
    bool isListening() const; // running and not crashed
    bool isCrashed() const;

    quint16 port() const; // the bound port (also while crashed), 0 when not running
    QHostAddress address() const;
    QString name() const;
    int delayMs() const;
    double errorRate() const;

    // The last LogCapacity request log lines, oldest first.
    QStringList recentLog() const;
    quint64 requestCount() const;
    // Test hook: the most response bytes ever queued in one socket's write buffer.
    qint64 maxQueuedBytes() const;
    int connectionCount() const;

public slots:
    void stop();
    void setDelayMs(int delayMs);
    void setErrorRate(double errorRate);
    // While crashed, the port is closed (connects are refused) and open connections are
    // aborted; setting it back listens again on the same address and port.
    void setCrashed(bool crashed);

signals:
    void requestLogged(const QString &line);
    // Something went wrong outside a start() call, e.g. listening again after a crash.
    void errorOccurred(const QString &message);

private:
    friend class DemoConnection;

    void handleNewConnection();
    void abortConnections();
    bool listen(QString *error);

    // Called by connections.
    bool takeErrorDecision();
    void logRequest(const QString &line);
    void noteQueuedBytes(qint64 bytes);
    void removeConnection(DemoConnection *connection);

    QTcpServer *m_server = nullptr;
    QSet<DemoConnection *> m_connections;
    QString m_name;
    QHostAddress m_address;
    quint16 m_port = 0;
    bool m_running = false;
    bool m_crashed = false;

    std::atomic<int> m_delayMs{0};
    std::atomic<double> m_errorRate{0.0};
    quint64 m_decisions = 0; // requests that went through the error pattern
    std::atomic<quint64> m_requestCount{0};
    std::atomic<qint64> m_maxQueuedBytes{0};

    mutable QMutex m_logMutex;
    QStringList m_log; // ring of LogCapacity lines
    qsizetype m_logHead = 0;
};

} // namespace lbscope
