#pragma once

// One client connection, from accept to close, in one worker thread. It reads requests
// (keep-alive and pipelined, one at a time), routes each to a location, asks the upstream's
// balancer for a peer, and relays request and response between the client socket and an
// UpstreamConnection, streaming bodies with backpressure in both directions. Failed attempts
// go to the next peer by nginx's proxy_next_upstream rules.

#include "balancing/balancer.h"
#include "http/headers.h"
#include "http/inputbuffer.h"
#include "http/messageparser.h"
#include "http/variables.h"
#include "proxy/idletimer.h"
#include "proxy/upstreamconnection.h"
#include "stats/peercounters.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTcpSocket>

#include <memory>

namespace lbscope {

struct PeerCounters;
struct Listener;
struct Route;
struct RoutingTable;
class UpstreamRuntime;
struct VirtualServer;
class Worker;

class ClientConnection final : public QObject, private BodyConsumer, private UpstreamConnection::Owner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientConnection)

public:
    // The connection keeps the table it was accepted with until a newer one takes over at
    // its next request.
    ClientConnection(Worker &worker, std::shared_ptr<const RoutingTable> table, const Listener &listener,
                     QObject *parent = nullptr);
    ~ClientConnection() override;

    void start(qintptr descriptor);

    static constexpr qint64 writeHighWater = 256 * 1024;
    static constexpr qint64 writeLowWater = 64 * 1024;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase {
        ReadingHead,
        Proxying,
        Closing
    };
    enum class ResponseFraming {
        None,
        Length,
        Chunked,
        UntilClose
    };

    void handleReadyRead();
    void handleBytesWritten(qint64 bytes);
    void handleDisconnected();

    void processInput();
    bool readRequestHead();
    bool forwardRequestBody();
    void beginRequest();
    void startAttempt();
    bool mayRetry(UpstreamError error) const;
    bool requestFullyRead() const;
    void recordAttempt(QByteArrayView status);
    void closeAttempt();
    void releasePeer(bool failed);
    PeerCounters &peerCounters();
    void countRequest();
    void useCurrentTable();
    void dropUpstream();
    void respondError(int status, bool close);
    void endRequest();
    void logRequest();
    void finishRequest();
    void closeGracefully();
    void lingerClose();

    QByteArray buildUpstreamHead();
    void writeResponseHead(const MessageParser &response, const char *base);
    void appendAddHeaders(QByteArray &head, int status) const;
    void writeToClient(QByteArrayView bytes);
    void queueToClient(QByteArrayView bytes);
    void flushToClient();
    RequestContext requestContext() const;

    // BodyConsumer: request body bytes on their way upstream.
    void consumeBody(QByteArrayView bytes) override;
    // UpstreamConnection::Owner
    void upstreamReady() override;
    void upstreamHead(const MessageParser &response, const char *base) override;
    void upstreamBody(QByteArrayView bytes) override;
    void upstreamReadDone() override;
    void upstreamComplete() override;
    void upstreamFailed(UpstreamError error) override;
    void upstreamWritable() override;

    Worker &m_worker;
    std::shared_ptr<const RoutingTable> m_table;
    const Listener *m_listener;
    QTcpSocket m_socket;
    InputBuffer m_input;
    MessageParser m_request;
    Phase m_phase = Phase::ReadingHead;

    QByteArray m_remoteAddr;
    QByteArray m_remotePort;
    QByteArray m_serverAddr;
    QByteArray m_serverPort;
    QHostAddress m_clientAddress;

    // The request in flight.
    RequestFacts m_facts;
    const VirtualServer *m_server = nullptr;
    const Route *m_route = nullptr;
    std::shared_ptr<UpstreamRuntime> m_upstream;
    PeerSelection m_selection;
    Decision m_decision;
    QVarLengthArray<Decision, 1> m_decisions; // one per attempt, for the access record
    bool m_requestActive = false;
    qint64 m_bytesSent = 0;
    UpstreamConnection *m_connection = nullptr;
    bool m_keepAlive = false;
    bool m_chunkedUpstream = false;   // request body re-chunked towards an HTTP/1.1 upstream
    bool m_upstreamKeepAlive = false; // the head we sent allows reusing the connection
    bool m_requestSent = false;       // the head reached an upstream connection
    bool m_bodyForwarded = false;     // body bytes left our buffer: no retry possible
    bool m_requestComplete = false;
    bool m_responseStarted = false;
    bool m_upstreamReadPaused = false;
    ResponseFraming m_responseFraming = ResponseFraming::None;
    int m_status = 0;
    int m_requestsServed = 0;
    QByteArray m_upstreamAddrs;
    QByteArray m_upstreamStatuses;
    QByteArray m_upstreamTimes;
    QByteArray m_upstreamConnectTimes;
    QByteArray m_upstreamHeaderTimes;
    QElapsedTimer m_attemptClock;
    InFlightAttempt m_inFlight; // in its peer's InFlightList while an attempt is counted active
    qint64 m_attemptConnectUs = -1;
    qint64 m_attemptHeaderUs = -1;
    bool m_counted = false; // in the worker's open-connections gauge
    qint64 m_bodyBytesSent = 0;
    QElapsedTimer m_requestClock;
    QByteArray m_upstreamHead; // the last attempt's head, as sent; shared with the access record
    qsizetype m_upstreamHeadHint = 0;
    quint16 m_upstreamLocalPort = 0;
    int m_upstreamConnectionRequest = 0;
    QByteArray m_hashKey; // the upstream's hash key, evaluated once per request
    QByteArray m_output;  // response bytes gathered so that one event makes one write()

    IdleTimer m_idle;
};

} // namespace lbscope
