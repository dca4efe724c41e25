#pragma once

// One client connection of the traffic generator: connects (from a chosen source address when
// clients are simulated), writes one request at a time, frames the response with the proxy's
// own parser, discards the body and tells its Owner how the exchange ended. Between requests
// it may wait, connected, for the next one.

#include "http/inputbuffer.h"
#include "http/messageparser.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>

namespace lbscope {

class TrafficConnection final : public QObject, private BodyConsumer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficConnection)

public:
    struct Endpoints
    {
        QHostAddress target;
        quint16 port = 0;
        QHostAddress source; // null: the system picks
    };

    struct Outcome
    {
        int status = 0; // 0: failed, see error
        QByteArray backend;
        qint64 latencyUs = 0;
        quint64 bodyBytes = 0;
        QString error;
        bool reusable = false;
        // A reused connection that ended before a single response byte: the server closed it
        // while the request was on its way, and the request may go again on a new one.
        bool retryable = false;
    };

    class Owner
    {
    public:
        virtual ~Owner() = default;
        virtual void exchangeFinished(TrafficConnection *connection, const Outcome &outcome) = 0;
        virtual void idleConnectionClosed(TrafficConnection *connection) = 0;
    };

    TrafficConnection(Owner *owner, const Endpoints &endpoints, int client, QObject *parent = nullptr);
    ~TrafficConnection() override;

    int client() const { return m_client; }
    // The bound source address once connected, else the requested one.
    QHostAddress localAddress() const { return m_localAddress; }
    bool isBusy() const { return m_phase == Phase::Connecting || m_phase == Phase::Exchanging; }
    qint64 busyMs() const { return m_busySince.elapsed(); }

    // Starts an exchange; the outcome always arrives later, never from inside this call.
    void send(const QByteArray &head, const QByteArray &body, bool headRequest);
    // Ends the exchange as a failure with this error (a timeout).
    void fail(const QString &error);
    // Closes without telling the owner.
    void abort();

private:
    enum class Phase {
        Unconnected,
        Connecting,
        Exchanging,
        Idle,
        Closed
    };

    void handleConnected();
    void handleReadyRead();
    void handleDisconnected();
    void handleError(QAbstractSocket::SocketError error);
    void startConnecting();
    void writeRequest();
    void processInput();
    bool handleParserState();
    void captureBackend();
    void complete();
    void failExchange(const QString &error, bool retryable = false);
    void deliver(const Outcome &outcome);
    void closeIdle();
    void consumeBody(QByteArrayView bytes) override;

    Owner *m_owner;
    Endpoints m_endpoints;
    int m_client;
    QTcpSocket m_socket;
    QHostAddress m_localAddress;
    MessageParser m_response;
    InputBuffer m_input;
    Phase m_phase = Phase::Unconnected;
    QByteArray m_head;
    QByteArray m_body;
    QByteArray m_backend;
    QElapsedTimer m_busySince;
    QElapsedTimer m_firstByte;
    quint64 m_bodyBytes = 0;
    qint64 m_bytesReceived = 0;
    int m_exchanges = 0;
    bool m_headSeen = false;
    bool m_headRequest = false;
    bool m_inSend = false;
    bool m_silenced = false; // aborted by the owner: no more outcomes
};

} // namespace lbscope
