#pragma once

#include "demo/demolog.h"

#include <QByteArray>
#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>

namespace lbscope {

class DemoConnection;
class DemoListener;
struct AccessRecord;

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
// nginx's combined format with " name=NAME" appended, read by cursor (logAfter).
//
// The object and its sockets live in one thread (the one that owns it): start(), stop()
// and setCrashed() are called there (queue them from elsewhere). Every getter, the log
// and the two knobs (setDelayMs, setErrorRate) work from any thread.
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
    void setDelayMs(int delayMs);        // clamped to 0..10 minutes
    void setErrorRate(double errorRate); // clamped to 0..1

    // Requests answered (or given up) so far; the sequence number of the last log entry.
    quint64 requestCount() const;
    // Log entries after cursor, oldest first, at most max; returns the new cursor. Start
    // with 0; entries that the ring (LogCapacity) dropped are skipped.
    quint64 logAfter(quint64 cursor, QList<DemoLogEntry> *out, qsizetype max = LogCapacity) const;
    // See DemoLog::find.
    std::optional<DemoLogEntry> findLogEntry(quint16 remotePort, quint32 connectionRequest) const
    {
        return m_log.find(remotePort, connectionRequest);
    }
    // The lines the ring holds, oldest first.
    QStringList recentLog() const;
    // Test hook: the most response bytes ever queued in one socket's write buffer.
    qint64 maxQueuedBytes() const;
    int connectionCount() const;

public slots:
    void stop();
    // While crashed, the port is closed (connects are refused) and open connections are
    // reset; setting it back listens again on the same address and port. Returns false
    // (and emits errorOccurred) when the port cannot be bound again.
    bool setCrashed(bool crashed);

signals:
    // Something went wrong outside a start() call, e.g. listening again after a crash.
    void errorOccurred(const QString &message);

private:
    friend class DemoConnection;

    enum class State {
        Stopped,
        Listening,
        Crashed
    };

    void handleConnectionAccepted(qintptr descriptor);
    void abortConnections();
    bool listen(QString *error);
    void setState(State state);

    // For connections, in the backend's thread.
    const QByteArray &nameBytes() const { return m_nameBytes; }
    const QByteArray &pageHead() const { return m_pageHead; }
    bool takeErrorDecision();
    void logRequest(AccessRecord record);
    void noteQueuedBytes(qint64 bytes);
    void removeConnection(DemoConnection *connection);

    DemoListener *m_listener;
    QSet<DemoConnection *> m_connections;

    // Written in the backend's thread under m_mutex, read from anywhere under it.
    mutable QMutex m_mutex;
    QString m_name;
    QHostAddress m_address;

    std::atomic<State> m_state{State::Stopped};
    std::atomic<quint16> m_port{0};
    std::atomic<int> m_connectionCount{0};
    std::atomic<int> m_delayMs{0};
    std::atomic<double> m_errorRate{0.0};
    std::atomic<qint64> m_maxQueuedBytes{0};
    quint64 m_decisions = 0; // requests that went through the error pattern

    // The backend's thread only: what every answer repeats.
    QByteArray m_nameBytes;
    QByteArray m_pageHead; // the page up to its table's rows

    DemoLog m_log;
};

} // namespace lbscope
