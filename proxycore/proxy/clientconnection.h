#pragma once

// One client connection, from accept to close, in one worker thread. It reads requests
// (keep-alive and pipelined, one at a time), routes each to a location, reads the body whole
// first when the location buffers it (nginx's default), asks the upstream's balancer for a
// peer, and relays request and response between the client socket and an
// UpstreamConnection, with backpressure in both directions. Failed attempts go to the next
// peer by nginx's proxy_next_upstream rules.

#include "balancing/balancer.h"
#include "http/headers.h"
#include "http/inputbuffer.h"
#include "http/messageparser.h"
#include "http/variables.h"
#include "proxy/attemptlog.h"
#include "proxy/idletimer.h"
#include "proxy/upstreamconnection.h"
#include "realip/clientaddress.h"
#include "request/requestbodybuffer.h"
#include "request/responserelay.h"
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
struct ResolvedLocation;
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


protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase {
        ReadingHead,
        ReadingBody, // the whole body, before a peer is chosen (proxy_request_buffering on)
        Proxying,
        Draining, // the upstream is done; the client still reads the spooled response
        Closing
    };

    void handleReadyRead();
    void handleBytesWritten(qint64 bytes);
    void handleDisconnected();

    void processInput();
    bool readRequestHead();
    void readBufferedBody();
    bool forwardRequestBody();
    void sendBufferedBody();
    void beginRequest();
    void streamBodyUnlessPreread();
    void startProxying();
    void startAttempt();
    bool mayRetry(UpstreamError error) const;
    bool requestFullyRead() const;
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
    void abortRequest();
    void closeGracefully();
    void lingerClose();

    QByteArray buildUpstreamHead();
    bool responseBuffered(const MessageParser &response, const char *base, const ResolvedLocation &settings) const;
    void appendAddHeaders(QByteArray &head, int status) const;
    RequestContext requestContext() const;

    void streamBody(QByteArrayView bytes);

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

    ClientAddress m_client; // the peer, or for one request the address realip found
    QByteArray m_serverAddr;
    QByteArray m_serverPort;

    // The request in flight.
    RequestFacts m_facts;
    const VirtualServer *m_server = nullptr;
    const Route *m_route = nullptr;
    std::shared_ptr<UpstreamRuntime> m_upstream;
    PeerSelection m_selection;
    Decision m_decision;
    QVarLengthArray<Decision, 1> m_decisions; // one per attempt, for the access record
    bool m_requestActive = false;
    UpstreamConnection *m_connection = nullptr;
    bool m_keepAlive = false;
    bool m_bodyBuffered = false;      // read whole into m_body before the first attempt
    bool m_chunkedUpstream = false;   // request body re-chunked towards an HTTP/1.1 upstream
    bool m_upstreamKeepAlive = false; // the head we sent allows reusing the connection
    bool m_requestSent = false;       // the head reached an upstream connection
    bool m_bodyForwarded = false;     // streamed body bytes left our buffer: no retry possible
    bool m_requestComplete = false;
    bool m_upstreamReadPaused = false;
    int m_status = 0;
    int m_requestsServed = 0;
    RequestBodyBuffer m_body;
    qint64 m_bodySent = 0; // of m_body, in this attempt
    QByteArray m_bodyScratch;
    AttemptLog m_attempts;
    InFlightAttempt m_inFlight; // in its peer's InFlightList while an attempt is counted active
    bool m_counted = false;     // in the worker's open-connections gauge
    ResponseRelay m_relay;
    QElapsedTimer m_requestClock;
    QByteArray m_upstreamHead; // the last attempt's head, as sent; shared with the access record
    qsizetype m_upstreamHeadHint = 0;
    quint16 m_upstreamLocalPort = 0;
    int m_upstreamConnectionRequest = 0;
    QByteArray m_hashKey; // the upstream's hash key, evaluated once per request

    IdleTimer m_idle;
};

} // namespace lbscope
