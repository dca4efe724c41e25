#pragma once

// The content phase of a location with proxy_pass, as nginx's upstream module runs it: asks
// the upstream's balancer for a peer, sends the request there (its body from the buffer, or
// streamed as the client sends it), passes the response on, and moves to the next peer by
// proxy_next_upstream's rules. One per client connection, reused request after request; the
// connection side (reading the client, error pages, logging) is its Client.

#include "balancing/balancer.h"
#include "http/headerlist.h"
#include "proxy/attemptlog.h"
#include "proxy/upstreamconnection.h"
#include "stats/peercounters.h"
#include "variables/requestcontext.h"

#include <QElapsedTimer>

#include <memory>

namespace lbscope {

class RequestBodyBuffer;
class ResponseRelay;
class UpstreamRuntime;
struct UpstreamTarget;
class Worker;
struct AccessRecord;
struct Route;

class ProxyHandler final : private UpstreamConnection::Owner
{
public:
    // What the handler needs from the request's connection.
    class Client : public RequestContextSource
    {
    public:
        virtual const MessageParser &request() const = 0;
        virtual const char *requestBase() const = 0;
        virtual const QHostAddress &clientAddress() const = 0; // what ip_hash keys on
        virtual bool requestFullyRead() const = 0;
        // The upstream can take (more of) a streamed body.
        virtual void requestBodyWanted() = 0;
        // The response head to pass on; the client writes it through the relay.
        virtual void responseHead(const MessageParser &response, const char *base) = 0;
        // The upstream is done and released; the response may still be on its way out.
        virtual void responseComplete() = 0;
        // No response could be started: the client answers with status.
        virtual void proxyFailed(int status) = 0;
        // proxy_intercept_errors: the upstream answered status, and an error_page replaces it.
        virtual void responseIntercepted(int status) = 0;
        // The response broke off after it had started: the client can only close.
        virtual void responseTruncated() = 0;
    };

    ProxyHandler(Worker &worker, Client &client, ResponseRelay &relay);
    ~ProxyHandler() override;
    Q_DISABLE_COPY_MOVE(ProxyHandler)

    // Where an internal redirect sent the request; empty views: the client's request line.
    struct Redirected
    {
        QByteArrayView method;
        QByteArrayView target;
        bool bodyDiscarded = false; // the client's body was thrown away: Content-Length: 0
        bool active() const { return !target.isEmpty(); }
    };

    // Starts the first attempt of a request routed to route. body is the buffered body, or
    // null when it streams (then sendBody() carries it, once canTakeBody()).
    void start(const Route &route, const UpstreamTarget &target, RequestBodyBuffer *body, Redirected redirected);
    bool canTakeBody() const;
    void sendBody(QByteArrayView bytes);
    void endStreamedBody(); // the last chunk, towards an HTTP/1.1 upstream
    // The client's socket drained: the upstream may be read again.
    void clientDrained();
    // Lets go of the peer and the connection, whatever state they are in (a client gone, a
    // timeout, an error page); the attempt's times are recorded if it was running.
    void stop();
    // Forgets the request, once it is logged.
    void reset();

    bool active() const { return m_upstream != nullptr; }
    bool bodyStarted() const { return m_bodyForwarded; }
    void fillRecord(AccessRecord &record) const;
    // The $upstream_* variables as far as the attempts have gone.
    void fillContext(RequestContext &context) const;
    const AttemptLog &attempts() const { return m_attempts; }

private:
    void startAttempt();
    void buildUpstreamHead();
    void sendBufferedBody();
    bool mayRetry(UpstreamError error) const;
    void logUpstreamError(QStringView what);
    bool retryOnStatus(int status) const;
    void closeAttempt();
    void releasePeer(bool failed);
    void dropConnection();
    PeerCounters &peerCounters();

    // UpstreamConnection::Owner
    void upstreamReady() override;
    void upstreamHead(const MessageParser &response, const char *base) override;
    void upstreamBody(QByteArrayView bytes) override;
    void upstreamReadDone() override;
    void upstreamComplete() override;
    void upstreamFailed(UpstreamError error) override;
    void upstreamWritable() override;

    Worker &m_worker;
    Client &m_client;
    ResponseRelay &m_relay;

    const Route *m_route = nullptr;
    RequestBodyBuffer *m_body = nullptr; // buffered: sent whole on each attempt
    Redirected m_redirected;
    const UpstreamTarget *m_target = nullptr; // the connection's, for this request
    std::shared_ptr<UpstreamRuntime> m_upstream;
    PeerSelection m_selection;
    Decision m_decision;
    QVarLengthArray<Decision, 1> m_decisions; // one per attempt, for the access record
    UpstreamConnection *m_connection = nullptr;
    QElapsedTimer m_clock; // since the first attempt: proxy_next_upstream_timeout
    AttemptLog m_attempts;
    InFlightAttempt m_inFlight; // in its peer's InFlightList while an attempt is counted active
    QByteArray m_hashKey;       // the upstream's hash key, evaluated once per request
    qint64 m_bodySent = 0;      // of the buffered body, in this attempt
    QByteArray m_bodyScratch;
    bool m_chunked = false;            // a streamed body re-chunked towards an HTTP/1.1 upstream
    bool m_connectionReusable = false; // the head we sent allows reusing the connection
    bool m_requestSent = false;        // the head reached an upstream connection
    bool m_bodyForwarded = false;      // streamed body bytes left: no retry possible
    bool m_readPaused = false;
    QByteArray m_upstreamHead;    // built once, as nginx does, and sent on every attempt; shared with the access record
    HeaderList m_responseHeaders; // the response's headers while its head is being passed on
    QByteArray m_keptResponseHeaders; // a copy of them for the access record (Route::keepResponseHeaders)
    QByteArray m_keptSentHead;        // and of the head the client was sent
    qsizetype m_upstreamHeadHint = 0;
    quint16 m_upstreamLocalPort = 0;
    int m_upstreamConnectionRequest = 0;
};

} // namespace lbscope
