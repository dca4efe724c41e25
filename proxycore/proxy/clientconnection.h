#pragma once

// One client connection, from accept to close, in one worker thread. It reads requests
// (keep-alive and pipelined, one at a time), takes each through nginx's phases (RequestPhases
// decides: a location's content, a return, an error page) and carries out what they decided:
// reads the body whole first when the location buffers it (nginx's default), hands the
// request to ProxyHandler, writes nginx's own answers, and logs. The response leaves through
// a ResponseRelay, with backpressure in both directions.

#include "http/headers.h"
#include "http/inputbuffer.h"
#include "http/messageparser.h"
#include "proxy/idletimer.h"
#include "proxy/proxyhandler.h"
#include "proxy/upstreamconnection.h"
#include "proxy/upstreamuri.h"
#include "realip/clientaddress.h"
#include "request/requestbodybuffer.h"
#include "request/requestphases.h"
#include "request/responserelay.h"
#include "variables/requestcontext.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTcpSocket>

#include <memory>

namespace lbscope {

struct Listener;
struct ResolvedLocation;
struct RoutingTable;
class Worker;

class ClientConnection final : public QObject, private BodyConsumer, private ProxyHandler::Client
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
    // A graceful stop: closes now when no request has begun, else after this one.
    void stopGracefully();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase {
        ReadingHead,
        ReadingBody, // the whole body, before a peer is chosen (proxy_request_buffering on)
        Proxying,
        Draining,       // the upstream is done; the client still reads the spooled response
        DiscardingBody, // answered without the body: it is read and thrown away
        Closing
    };

    void handleReadyRead();
    void handleBytesWritten(qint64 bytes);
    void handleDisconnected();

    void processInput();
    bool readRequestHead();
    void readBufferedBody();
    bool forwardRequestBody();
    void beginRequest();
    void carryOut(const PhaseVerdict &verdict, bool errorClose = true);
    void startContent();
    void answerText(int status, const QByteArray &text, bool close);
    void streamBodyUnlessPreread();
    void startProxying();
    void countRequest();
    void useCurrentTable();
    void respondError(int status, bool close);
    bool followErrorPage(int status, bool close);
    void writeBuiltInPage(int status, bool close, const QByteArray &location);
    void endRequest();
    void logRequest();
    void finishRequest();
    bool parseBodyInput();
    void discardRequestBody();
    void readNextRequest();
    bool bodyDiscardable() const;
    bool mustCloseAfterAnswer() const;
    bool discardPrereadBody();
    void abortRequest();
    void closeGracefully();
    void lingerClose();

    bool responseBuffered(const MessageParser &response, const char *base, const ResolvedLocation &settings) const;
    void appendAddHeaders(QByteArray &head, int status, const RequestContext &context) const;

    // BodyConsumer: request body bytes, to the buffer or on their way upstream.
    void consumeBody(QByteArrayView bytes) override;

    // ProxyHandler::Client
    const MessageParser &request() const override;
    const char *requestBase() const override;
    const QHostAddress &clientAddress() const override;
    RequestContext requestContext() const override; // RequestContextSource, for the phases too
    bool requestFullyRead() const override;
    void requestBodyWanted() override;
    void responseHead(const MessageParser &response, const char *base) override;
    void responseComplete() override;
    void proxyFailed(int status) override;
    void responseIntercepted(int status) override;
    void responseTruncated() override;

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
    bool m_counted = false;          // in the worker's open-connections gauge
    QElapsedTimer m_connectionClock; // for keepalive_time
    int m_requestsServed = 0;
    quint64 m_connectionNumber = 0; // $connection
    quint32 m_requestNumber = 0;    // $connection_requests: 1 for the first request

    // The request in flight.
    RequestFacts m_facts;
    RequestPhases m_phases; // its server, its location, and how the rewrite module changed it
    bool m_requestActive = false;
    bool m_keepAlive = false;
    qint64 m_keepaliveTimeoutMs = 0; // idle time allowed after this request
    bool m_discardingBody = false;   // the body is read only to be thrown away
    bool m_bodyBuffered = false;     // read whole into m_body before the content handler starts
    bool m_requestComplete = false;
    bool m_bodyDiscarded = false; // over the limit or cut short: an error page goes without it
    int m_status = 0;
    QElapsedTimer m_requestClock;
    UpstreamTarget m_target; // where proxy_pass sends this request, with which URI
    RequestBodyBuffer m_body;
    QByteArray m_bodyScratch;
    ResponseRelay m_relay;
    ProxyHandler m_proxy;
    QByteArray m_upstreamTarget; // what the upstream gets after a rewrite or an internal redirect

    IdleTimer m_idle;
};

} // namespace lbscope
