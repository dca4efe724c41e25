#pragma once

// One TCP connection to a backend. It sends a request head and body handed to it by its
// owner (a ClientConnection), frames the response with the response parser and streams it
// back through the Owner interface. Between requests it may wait idle in a KeepalivePool.

#include "http/inputbuffer.h"
#include "http/messageparser.h"

#include "proxy/idletimer.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>

namespace lbscope {

enum class UpstreamError {
    Refused,       // connect() failed
    Reset,         // read/write error, or closed before the response header
    Timeout,       // proxy_connect/send/read_timeout
    InvalidHeader, // the response head cannot be framed, or is over proxy_buffer_size
    Truncated,     // closed or failed after the header: the response body is incomplete
};

class UpstreamConnection final : public QObject, private BodyConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamConnection)

public:
    class Owner
    {
    public:
        virtual ~Owner() = default;
        virtual void upstreamReady() = 0; // connected and the head is on its way
        virtual void upstreamHead(const MessageParser &response, const char *base) = 0;
        virtual void upstreamBody(QByteArrayView bytes) = 0;
        virtual void upstreamReadDone() = 0; // all bytes at hand were passed on: a time to flush
        virtual void upstreamComplete() = 0;
        virtual void upstreamFailed(UpstreamError error) = 0;
        virtual void upstreamWritable() = 0; // the send buffer drained below the low mark
    };

    struct Timeouts
    {
        qint64 connectMs = 60'000;
        qint64 sendMs = 60'000;
        qint64 readMs = 60'000;
    };

    // parent is the worker: a connection moves between clients and the pool without
    // being re-parented, which would cost two events per request.
    UpstreamConnection(const QHostAddress &address, quint16 port, qint64 responseHeadLimit, QObject *parent = nullptr);
    ~UpstreamConnection() override;

    const QHostAddress &address() const { return m_address; }
    quint16 port() const { return m_port; }
    // Came from the keepalive pool: the request in flight is not its first (nginx's
    // peer.cached, which alone gives a failed try back).
    bool isReused() const { return m_requests > 1; }
    // For the access record: the port the backend sees us on, and how many request heads
    // this connection has carried (the one in flight included: 1 for the first).
    quint16 localPort() const { return m_socket.localPort(); }
    int requestsSent() const { return m_requests; }
    // This exchange's bytes, as $upstream_bytes_received and $upstream_bytes_sent count them.
    qint64 bytesReceived() const { return m_bytesReceived; }
    qint64 bytesSent() const { return m_bytesSent; }
    // Since the connection was made: keepalive_time counts from there, as nginx's start_time.
    qint64 ageMs() const { return m_age.elapsed(); }

    // Starts one exchange: connects if needed, then writes head.
    void begin(Owner *owner, const QByteArray &head, bool headRequest, const Timeouts &timeouts);
    void writeBody(QByteArrayView bytes);
    qint64 bytesToWrite() const { return m_socket.bytesToWrite(); }
    void setReadingPaused(bool paused);

    // After upstreamComplete: may this connection carry another request?
    bool isReusable() const;
    // Parks the connection in a pool: no owner, closed on any event or after idleMs.
    void park(qint64 idleMs);
    void abort();

    static constexpr qint64 sendHighWater = 256 * 1024;
    static constexpr qint64 sendLowWater = 64 * 1024;

signals:
    void idleClosed(lbscope::UpstreamConnection *connection);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase {
        Idle,
        Connecting,
        Exchanging,
        Done,
        Parked,
        Failed
    };

    void handleConnected();
    void handleReadyRead();
    void handleBytesWritten(qint64 bytes);
    void handleDisconnected();
    void handleError(QAbstractSocket::SocketError error);
    void processInput();
    void consumeBody(QByteArrayView bytes) override;
    void fail(UpstreamError error);
    qint64 exchangeTimeout() const;

    QTcpSocket m_socket;
    QHostAddress m_address;
    quint16 m_port;
    MessageParser m_response;
    InputBuffer m_input;
    Owner *m_owner = nullptr;
    Phase m_phase = Phase::Idle;
    Timeouts m_timeouts;
    QByteArray m_pendingHead;
    bool m_headDelivered = false;
    bool m_readingPaused = false;
    bool m_writeBlocked = false;
    int m_requests = 0;
    qint64 m_bytesReceived = 0;
    qint64 m_bytesSent = 0;
    QElapsedTimer m_age;
    IdleTimer m_idle;
};

} // namespace lbscope
