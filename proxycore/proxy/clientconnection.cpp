#include "proxy/clientconnection.h"

#include "proxy/errorpages.h"
#include "proxy/responseheadfilter.h"
#include "proxy/routing.h"
#include "proxy/socketclose.h"
#include "proxy/worker.h"
#include "request/addheaders.h"

#include <QDateTime>
#include <QTimerEvent>

#include <atomic>

namespace lbscope {

namespace {

constexpr qsizetype inputCapacity = 64 * 1024;
constexpr qint64 lingeringTimeoutMs = 5'000; // nginx's lingering_timeout

std::atomic<quint64> nextConnectionNumber{1}; // $connection, counted over every worker

int statusClass(int status)
{
    return std::clamp(status / 100, 1, 5) - 1;
}

} // namespace

ClientConnection::ClientConnection(Worker &worker, std::shared_ptr<const RoutingTable> table, const Listener &listener,
                                   QObject *parent)
    : QObject(parent)
    , m_worker(worker)
    , m_table(std::move(table))
    , m_listener(&listener)
    , m_input(inputCapacity)
    , m_request(MessageParser::Kind::Request, HeadLimits{})
    , m_connectionNumber(nextConnectionNumber.fetch_add(1, std::memory_order_relaxed))
    , m_phases(m_request, m_input, m_client, *this)
    , m_relay(m_socket)
    , m_proxy(worker, *this, m_relay)
    , m_idle(this)
{
    m_request.setBodyConsumer(this);
    connect(&m_socket, &QTcpSocket::readyRead, this, &ClientConnection::handleReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &ClientConnection::handleBytesWritten);
    connect(&m_socket, &QTcpSocket::disconnected, this, &ClientConnection::handleDisconnected);
}

ClientConnection::~ClientConnection()
{
    // The member socket outlives this body: when it closes it would signal a half-destroyed
    // connection (and log a request from it), so it must not reach us any more.
    m_socket.disconnect(this);
    if (m_counted) {
        std::atomic<qint64> &connections = m_worker.counters().connections;
        connections.store(connections.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    }
}

void ClientConnection::start(qintptr descriptor)
{
    // Unbuffered: writes go to the kernel at once instead of waiting for the next loop
    // iteration. Reads are still buffered by Qt, so that buffer needs a bound.
    if (!m_socket.setSocketDescriptor(descriptor, QAbstractSocket::ConnectedState,
                                      QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        deleteLater();
        return;
    }
    m_connectionClock.start();
    m_socket.setReadBufferSize(inputCapacity);
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_client.setPeer(m_socket.peerAddress(), m_socket.peerPort());
    std::atomic<qint64> &connections = m_worker.counters().connections;
    connections.store(connections.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    m_counted = true;
    m_serverAddr = addressText(m_socket.localAddress());
    m_serverPort = QByteArray::number(m_socket.localPort());
    m_idle.arm(m_listener->servers[m_listener->defaultServer].settings.clientHeaderTimeoutMs);
    processInput();
}

void ClientConnection::stopGracefully()
{
    m_keepAlive = false;
    if (m_phase == Phase::ReadingHead && !m_requestActive && m_input.pending() == 0 && m_request.headLength() == 0)
        closeGracefully();
}

// ---- reading the client -------------------------------------------------------------

void ClientConnection::handleReadyRead()
{
    if (m_phase == Phase::Closing) {
        m_socket.skip(m_socket.bytesAvailable()); // lingering close: drain and discard
        return;
    }
    processInput();
}

void ClientConnection::processInput()
{
    if (m_phase == Phase::ReadingHead)
        readRequestHead();
    else if (m_phase == Phase::ReadingBody)
        readBufferedBody();
    else if (m_phase == Phase::Proxying)
        forwardRequestBody();
    else if (m_phase == Phase::DiscardingBody)
        discardRequestBody();
}

bool ClientConnection::readRequestHead()
{
    for (;;) {
        if (m_input.pending() == 0) {
            if (m_input.readFrom(m_socket) <= 0)
                return false;
            m_idle.touch();
        }
        const qsizetype parsed = m_request.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
        switch (m_request.state()) {
        case MessageParser::State::ReadingHead:
            if (m_input.pending() > 0 && parsed == 0)
                return false; // cannot happen with a 64 KiB buffer and a 32 KiB head limit
            break;
        case MessageParser::State::HeadComplete:
            beginRequest();
            return true;
        case MessageParser::State::Failed:
            countRequest();
            m_requestActive = true;
            m_requestClock.start();
            respondError(statusForFailure(classifyRequestFailure(m_request, m_input.base())), true);
            return false;
        case MessageParser::State::ReadingBody:
        case MessageParser::State::MessageComplete:
            return false;
        }
    }
}

// The client's bytes through the body parser while it reads a body; false when the socket has
// no more for now (it says when it has).
bool ClientConnection::parseBodyInput()
{
    while (m_request.state() == MessageParser::State::ReadingBody) {
        if (m_input.pending() == 0) {
            m_input.discardConsumed(m_request.headLength());
            if (m_input.readFrom(m_socket) <= 0)
                return false;
            m_idle.touch();
        }
        const qsizetype parsed = m_request.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
    }
    return true;
}

// proxy_request_buffering on: the whole body, before any peer is chosen. A malformed or too
// large body is answered here and nothing reaches an upstream.
void ClientConnection::readBufferedBody()
{
    if (!parseBodyInput())
        return;
    if (m_request.state() == MessageParser::State::Failed) {
        // A temporary file that cannot be written is the server's fault, as in nginx.
        respondError(m_body.errorString().isEmpty() ? statusForFailure(m_request.failure()) : 500, true);
        return;
    }
    m_requestComplete = true;
    m_idle.disarm();
    startProxying();
}

// A streamed body, parsed from the client's input while the upstream can take it.
bool ClientConnection::forwardRequestBody()
{
    if (m_bodyBuffered || m_bodyDiscarded)
        return true; // the proxy handler sends it from m_body, or sends no body
    while (!m_requestComplete && m_proxy.canTakeBody() && m_request.state() == MessageParser::State::ReadingBody) {
        if (m_input.pending() == 0) {
            m_input.discardConsumed(m_request.headLength());
            if (m_input.readFrom(m_socket) <= 0)
                return false;
            m_idle.touch();
        }
        const qsizetype parsed = m_request.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
        if (m_request.state() == MessageParser::State::Failed) {
            const int status = statusForFailure(m_request.failure());
            if (m_relay.started()) {
                m_proxy.stop();
                abortRequest();
            } else {
                respondError(status, true);
            }
            return false;
        }
    }
    if (m_request.state() == MessageParser::State::MessageComplete && !m_requestComplete) {
        m_requestComplete = true;
        m_proxy.endStreamedBody();
        m_idle.disarm();
    }
    return true;
}

void ClientConnection::consumeBody(QByteArrayView bytes)
{
    if (m_discardingBody)
        return;
    const qint64 limit = m_phases.settings().clientMaxBodySize;
    if (limit > 0 && m_request.bodyBytes() > quint64(limit)) {
        m_request.abort(HttpFailure::BodyTooLarge);
        return;
    }
    if (m_bodyBuffered) {
        if (!m_body.append(bytes))
            m_request.abort(HttpFailure::BadRequest); // readBufferedBody() answers 500
        return;
    }
    m_proxy.sendBody(bytes);
}

// ---- one request ----------------------------------------------------------------------

void ClientConnection::beginRequest()
{
    m_requestActive = true;
    m_requestClock.start();
    countRequest();
    m_idle.touch();
    const HttpFailure failure = checkRequestHead(m_request, m_input.base(), &m_facts);
    if (failure != HttpFailure::None) {
        respondError(statusForFailure(failure), true);
        return;
    }
    useCurrentTable();
    if (m_table != m_worker.routingTable()) {
        // A reload closed this connection's listener: like an old nginx worker, stop here.
        m_socket.abort();
        deleteLater();
        return;
    }
    ++m_requestsServed;
    m_keepAlive = m_request.shouldKeepAlive() && !m_worker.stoppingGracefully();
    carryOut(m_phases.start(*m_listener, m_facts, {m_requestsServed, m_connectionClock}));
}

// What the phases decided. errorClose: for an error page's own answer, whether the error it
// replaced closed the connection.
void ClientConnection::carryOut(const PhaseVerdict &verdict, bool errorClose)
{
    m_keepAlive = m_keepAlive && m_phases.keepAliveAllowed();
    m_keepaliveTimeoutMs = m_phases.keepaliveTimeoutMs();
    bool close = errorClose;
    if (verdict.close == PhaseVerdict::Close::Always)
        close = true;
    else if (verdict.close == PhaseVerdict::Close::IfBodyUnread)
        close = mustCloseAfterAnswer();
    switch (verdict.action) {
    case PhaseVerdict::Action::Content:
        startContent();
        return;
    case PhaseVerdict::Action::Error:
        respondError(verdict.status, close);
        return;
    case PhaseVerdict::Action::BodyTooLarge:
        m_bodyDiscarded = true;
        respondError(verdict.status, close);
        return;
    case PhaseVerdict::Action::Page:
        writeBuiltInPage(verdict.status, close,
                         verdict.text.isEmpty() ? QByteArray() : "Location: " + verdict.text + "\r\n");
        return;
    case PhaseVerdict::Action::Text:
        answerText(verdict.status, verdict.text, close);
        return;
    case PhaseVerdict::Action::Close:
        m_status = verdict.status; // nginx's 444 closes without a word
        endRequest();
        m_keepAlive = false;
        closeGracefully();
        return;
    }
}

// return CODE "text".
void ClientConnection::answerText(int status, const QByteArray &text, bool close)
{
    if (!close && !discardPrereadBody())
        return;
    m_status = status;
    m_keepAlive = m_keepAlive && !close;
    QByteArray extraHeaders;
    appendAddHeaders(extraHeaders, status, requestContext());
    const bool headRequest = m_request.method() == RequestMethod::Head;
    m_relay.write(textResponse(status, m_keepAlive, headRequest, text, extraHeaders),
                  headRequest || status == 204 ? 0 : text.size());
    finishRequest();
}

// proxy_pass, on the request's first pass or after an internal redirect: its body is read
// (unless it already was, or was thrown away), then the request proxied.
void ClientConnection::startContent()
{
    const ResolvedLocation &settings = m_phases.settings();
    const Route &route = *m_phases.route();
    if (m_bodyDiscarded || m_requestComplete ||
        (m_facts.hasBody && m_request.state() != MessageParser::State::HeadComplete)) {
        startProxying(); // after an internal redirect, with what is left of the body
        return;
    }
    // Chunks cannot go to an HTTP/1.0 upstream: nginx buffers them whatever the setting says.
    m_bodyBuffered = m_facts.hasBody &&
                     (settings.proxyRequestBuffering ||
                      (m_request.isChunked() && settings.proxyHttpVersionMinor == 0) || !route.forwardsRequestBody());
    m_idle.arm(settings.clientBodyTimeoutMs);
    if (!m_bodyBuffered) {
        streamBodyUnlessPreread();
        return;
    }
    m_phase = Phase::ReadingBody;
    m_body.start(settings.clientBodyBufferSize, settings.clientBodyTempPath);
    if (m_facts.expectContinue && m_request.versionMinor() >= 1)
        m_relay.write("HTTP/1.1 100 Continue\r\n\r\n", 0);
    m_request.resume();
    readBufferedBody();
}

// proxy_request_buffering off: a body that came whole with the head is sent as a buffered
// one (with Content-Length), as nginx does; otherwise what came with the head leads the
// stream once the upstream is connected.
void ClientConnection::streamBodyUnlessPreread()
{
    if (m_facts.hasBody && m_input.pending() > 0) {
        const ResolvedLocation &settings = m_phases.settings();
        m_bodyBuffered = true; // consumeBody() keeps the preread bytes
        m_body.start(settings.clientBodyBufferSize, settings.clientBodyTempPath);
        m_request.resume();
        m_input.consume(m_request.execute(m_input.base(), m_input.begin(), m_input.pending()));
        if (m_request.state() == MessageParser::State::Failed) {
            respondError(m_body.errorString().isEmpty() ? statusForFailure(m_request.failure()) : 500, true);
            return;
        }
        if (m_request.state() == MessageParser::State::MessageComplete) {
            m_requestComplete = true;
            m_idle.disarm();
        } else {
            m_bodyBuffered = false; // the rest streams behind the preread bytes
        }
    }
    startProxying();
}

void ClientConnection::startProxying()
{
    m_phase = Phase::Proxying;
    const Route &route = *m_phases.route();
    m_target = upstreamTarget(*m_table, route, requestContext());
    if (m_target.errorStatus != 0) {
        respondError(m_target.errorStatus, mustCloseAfterAnswer());
        return;
    }
    // A rewritten URI goes as it is, whatever URI part a static proxy_pass has (as nginx does).
    if (m_phases.rewrite().rewritten && !m_target.uriFromVariables)
        m_upstreamTarget = m_phases.rewrite().upstreamTarget();
    const ProxyHandler::Redirected redirected{m_phases.redirectMethod(), m_upstreamTarget, m_bodyDiscarded};
    m_proxy.start(route, m_target, m_bodyBuffered && !m_bodyDiscarded ? &m_body : nullptr, redirected);
}

RequestContext ClientConnection::requestContext() const
{
    RequestContext context;
    const char *base = m_input.base();
    context.method = m_request.methodText().in(base);
    context.target = m_request.target().in(base);
    context.authority = m_request.authority().in(base);
    if (!context.authority.isEmpty())
        context.absoluteTarget = m_request.sentTarget().in(base);
    context.versionMajor = m_request.versionMajor();
    context.versionMinor = m_request.versionMinor();
    context.requestHeaders = HeaderList(m_request, base);
    context.requestLength = m_request.headLength() + qint64(m_request.bodyBytes());
    context.remoteAddr = m_client.addressText();
    context.remotePort = m_client.port();
    context.realipRemoteAddr = m_client.peerAddressText();
    context.realipRemotePort = m_client.peerPort();
    context.serverAddr = m_serverAddr;
    context.serverPort = m_socket.localPort();
    context.connection = m_connectionNumber;
    context.connectionRequests = m_requestNumber;
    // proxy_pass with variables names its host per request; a static one has it in the route.
    context.proxyHost = !m_target.proxyHost.isEmpty() ? QByteArrayView(m_target.proxyHost)
                        : m_phases.route()            ? QByteArrayView(m_phases.route()->proxyHost)
                                                      : QByteArrayView();
    context.serverName = m_phases.server() ? QByteArrayView(m_phases.server()->firstName) : QByteArrayView();
    context.host = m_facts.serverHost;
    context.status = m_status;
    context.bytesSent = m_relay.bytesSent();
    context.bodyBytesSent = m_relay.bodyBytesSent();
    context.keepAlive = m_keepAlive;
    context.requestTimeMs = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
    m_proxy.fillContext(context);
    m_phases.rewrite().applyTo(context);
    return context;
}

// ---- the proxy handler's client ----------------------------------------------------------

const MessageParser &ClientConnection::request() const
{
    return m_request;
}

const char *ClientConnection::requestBase() const
{
    return m_input.base();
}

const QHostAddress &ClientConnection::clientAddress() const
{
    return m_client.address();
}

void ClientConnection::requestBodyWanted()
{
    if (m_request.state() == MessageParser::State::HeadComplete) {
        if (m_facts.expectContinue && m_facts.hasBody && m_request.versionMinor() >= 1)
            m_relay.write("HTTP/1.1 100 Continue\r\n\r\n", 0);
        m_request.resume();
    } else if (m_body.size() > 0 && !m_proxy.bodyStarted()) {
        m_proxy.sendBody(m_body.read(0, m_body.size(), m_bodyScratch)); // preread with the head
    }
    forwardRequestBody();
}

void ClientConnection::responseHead(const MessageParser &response, const char *base)
{
    const int status = m_phases.finalStatus(response.statusCode());
    const ResolvedLocation &settings = m_phases.settings();
    m_status = status;
    RequestContext context = requestContext();
    const ResponseHeadFilter filter(*m_phases.route(), context);
    const ResponseRelay::HeadOptions options{m_request.method() == RequestMethod::Head, m_request.versionMinor(),
                                             m_phases.followingErrorPage() ? status : 0, &filter};
    if (responseBuffered(response, base, settings)) {
        m_relay.startBuffering({settings.proxyBuffers.number * settings.proxyBuffers.size,
                                settings.proxyMaxTempFileSize, settings.proxyTempPath});
    }
    m_relay.beginHead(response, base, options, &m_keepAlive);
    context.keepAlive = m_keepAlive; // the head decided it
    appendAddHeaders(m_relay.headBuffer(), status, context);
    m_relay.endHead();
}

void ClientConnection::responseComplete()
{
    if (!requestFullyRead())
        m_keepAlive = false; // the rest of the body is still on its way: do not parse it as a request
    if (m_relay.hasBacklog()) {
        // The upstream is done and released; the client still reads from the spool.
        m_phase = Phase::Draining;
        m_idle.arm(m_phases.settings().sendTimeoutMs);
        return;
    }
    finishRequest();
}

void ClientConnection::proxyFailed(int status)
{
    respondError(status, !requestFullyRead());
}

void ClientConnection::responseIntercepted(int status)
{
    respondError(status, !requestFullyRead());
}

void ClientConnection::responseTruncated()
{
    abortRequest();
}

// proxy_buffering, unless the upstream asks otherwise with X-Accel-Buffering (as nginx honours it).
bool ClientConnection::responseBuffered(const MessageParser &response, const char *base,
                                        const ResolvedLocation &settings) const
{
    const HeaderSpan *header = findHeader(response, base, "x-accel-buffering");
    if (header && !(settings.proxyIgnoreHeaders & IgnoreXAccelBuffering)) {
        const QByteArrayView value = trimmed(header->value.in(base));
        if (equalsIgnoreCase(value, "yes"))
            return true;
        if (equalsIgnoreCase(value, "no"))
            return false;
    }
    return settings.proxyBuffering;
}

// add_header, on the proxy's own pages too, as nginx's.
void ClientConnection::appendAddHeaders(QByteArray &head, int status, const RequestContext &context) const
{
    lbscope::appendAddHeaders(head, m_phases.addHeaders(), status, context);
}

bool ClientConnection::requestFullyRead() const
{
    return m_requestComplete || (m_request.state() == MessageParser::State::HeadComplete && !m_facts.hasBody);
}

// A body not begun is read and thrown away around an answer nginx gives itself (return, 403,
// 404, its 500s and 502s before proxying), and the connection kept; one begun is cut short.
bool ClientConnection::bodyDiscardable() const
{
    if (!m_facts.hasBody || m_requestComplete || m_bodyDiscarded)
        return false;
    return m_discardingBody ? m_request.state() != MessageParser::State::Failed
                            : m_request.state() == MessageParser::State::HeadComplete;
}

bool ClientConnection::mustCloseAfterAnswer() const
{
    return !requestFullyRead() && !bodyDiscardable();
}

// Before it answers without the body (its error_page decided), nginx reads what already came
// of it: broken chunks there get 400 instead of the answer. False when that answered.
bool ClientConnection::discardPrereadBody()
{
    if (m_discardingBody || !bodyDiscardable())
        return true;
    m_discardingBody = true;
    m_request.resume();
    const qsizetype parsed = m_request.execute(m_input.base(), m_input.begin(), m_input.pending());
    m_input.consume(parsed);
    if (m_request.state() != MessageParser::State::Failed)
        return true;
    respondError(statusForFailure(m_request.failure()), true);
    return false;
}

// Edits and reloads apply from the next request on, also on a kept-alive connection; a
// connection whose listener a reload removed carries on with the table it has.
void ClientConnection::useCurrentTable()
{
    m_worker.adoptLatestTable(); // an edit that returned before this request started applies to it
    const std::shared_ptr<const RoutingTable> &current = m_worker.routingTable();
    if (current == m_table)
        return;
    if (const Listener *listener = current->findListener(m_listener->address, m_listener->port)) {
        m_table = current;
        m_listener = listener;
    }
}

void ClientConnection::countRequest()
{
    ++m_requestNumber;
    WorkerCounters &counters = m_worker.counters();
    bump(counters.requests);
    counters.rate.add(coarseEpochSecs());
}

// ---- answering and closing --------------------------------------------------------------

void ClientConnection::respondError(int status, bool close)
{
    m_proxy.stop();
    if (followErrorPage(status, close))
        return;
    writeBuiltInPage(status, close, {});
}

// error_page: instead of the built-in page, the request goes on to the page's URI (a new
// round of the phases, as GET, without its body) or the client is redirected.
bool ClientConnection::followErrorPage(int status, bool close)
{
    if (m_request.state() == MessageParser::State::Failed)
        return false;
    const ErrorPage *page = m_phases.errorPageFor(status);
    if (!page)
        return false;
    if (page->target != ErrorPage::Target::Redirect) {
        m_keepAlive = m_keepAlive && !close;
        // A body cut short (over the limit, malformed, half streamed) goes no further; one not
        // yet read is read for the page's location, as nginx does.
        if (m_facts.hasBody && !m_requestComplete && m_request.state() != MessageParser::State::HeadComplete)
            m_bodyDiscarded = true;
    }
    carryOut(m_phases.followErrorPage(*page, status, m_bodyDiscarded), close);
    return true;
}

void ClientConnection::writeBuiltInPage(int status, bool close, const QByteArray &location)
{
    if (!close && !discardPrereadBody())
        return;
    m_status = status;
    m_worker.counters().countClientError(status);
    // m_keepAlive holds the location's keep-alive limits and a graceful stop. It is this
    // request's whenever close is false: a request that fails before it is set always closes.
    const bool keepAlive = !close && m_keepAlive && m_request.shouldKeepAlive();
    m_keepAlive = keepAlive;
    QByteArray extraHeaders = location;
    appendAddHeaders(extraHeaders, status, requestContext());
    const bool headRequest =
        m_request.state() != MessageParser::State::Failed && m_request.method() == RequestMethod::Head;
    m_relay.write(errorResponse(status, keepAlive, headRequest, extraHeaders),
                  headRequest ? 0 : errorBody(status).size());
    if (!keepAlive) {
        endRequest();
        closeGracefully();
        return;
    }
    finishRequest();
}

// Counts and logs the request that just ended, and forgets its state.
void ClientConnection::endRequest()
{
    if (!m_requestActive)
        return;
    m_requestActive = false;
    bump(m_worker.counters().responses[std::size_t(statusClass(m_status))]);
    m_worker.counters().requestTime.add(m_requestClock.isValid() ? m_requestClock.nsecsElapsed() / 1000 : 0);
    logRequest();
    m_status = 0;
    m_phases.clear();
    m_proxy.reset();
    m_requestComplete = false;
    m_bodyBuffered = false;
    m_body.clear();
    m_bodyScratch = QByteArray();
    m_relay.reset();
    m_facts = RequestFacts{}; // its spans point into this request's head
    m_client.endRequest();
    m_target = UpstreamTarget{};
    m_bodyDiscarded = false;
    m_discardingBody = false;
    m_upstreamTarget.clear();
}

void ClientConnection::logRequest()
{
    const char *base = m_input.base();
    AccessRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.worker = m_worker.index();
    m_client.describe(record);
    record.serverAddress = m_serverAddr;
    record.serverPort = m_socket.localPort();
    record.connection = m_connectionNumber;
    record.connectionRequests = m_requestNumber;
    // A head cut short by a timeout has its request line once a header has begun.
    const MessageParser::State state = m_request.state();
    const bool parsed = state == MessageParser::State::Failed        ? !m_request.target().isEmpty()
                        : state == MessageParser::State::ReadingHead ? !m_request.headers().isEmpty()
                                                                     : true;
    if (parsed) {
        record.method = m_request.methodBytes(base);
        record.uri = m_request.target().in(base).toByteArray();
        record.versionMajor = m_request.versionMajor();
        record.versionMinor = m_request.versionMinor();
        record.host = m_facts.host.in(base).toByteArray();
        record.hostName = m_facts.serverHost;
        if (!m_request.authority().isEmpty())
            record.absoluteTarget = m_request.sentTarget().in(base).toByteArray();
        record.requestHeaders = HeaderList::copyLines(m_request, base);
        record.requestLength = m_request.headLength() + qint64(m_request.bodyBytes());
    }
    if (const VirtualServer *server = m_phases.server()) {
        record.serverName = server->label; // shared with the routing table: no copy
        record.firstServerName = server->firstName;
        record.serverIndex = server->configIndex;
    }
    if (const Route *route = m_phases.route())
        record.location = route->label;
    record.status = m_status;
    record.bytesSent = m_relay.bytesSent();
    record.bodyBytesSent = m_relay.bodyBytesSent();
    record.requestTimeMs = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
    const RewriteState &rewrite = m_phases.rewrite();
    if (rewrite.rewritten) {
        record.rewritten = true;
        record.rewrittenUri = rewrite.uri;
        record.rewrittenArgs = rewrite.args;
    }
    record.userVariables = rewrite.variables;
    m_proxy.fillRecord(record);
    m_worker.accessLog().append(std::move(record));
}

void ClientConnection::finishRequest()
{
    const bool discardBody = m_keepAlive && bodyDiscardable();
    endRequest();
    if (!m_keepAlive) {
        closeGracefully();
        return;
    }
    if (discardBody) {
        m_phase = Phase::DiscardingBody;
        m_discardingBody = true; // endRequest() cleared it
        m_idle.arm(lingeringTimeoutMs);
        discardRequestBody();
        return;
    }
    readNextRequest();
}

// What is left of an answered request's body, read and thrown away; the connection goes on
// to the next request when it ends, and closes if its framing is wrong or the client stops.
void ClientConnection::discardRequestBody()
{
    if (!parseBodyInput())
        return;
    m_discardingBody = false;
    if (m_request.state() != MessageParser::State::MessageComplete) {
        m_keepAlive = false;
        closeGracefully();
        return;
    }
    readNextRequest();
}

void ClientConnection::readNextRequest()
{
    m_phase = Phase::ReadingHead;
    m_input.discardConsumed(0); // a pipelined request moves to the front
    m_request.reset();
    m_idle.arm(m_keepaliveTimeoutMs); // the finished request's keepalive_timeout, as nginx's
    processInput();
}

void ClientConnection::handleBytesWritten(qint64)
{
    m_idle.touch();
    if (m_relay.hasBacklog() && !m_relay.drain()) {
        abortRequest(); // the spool's file failed: the response cannot be completed
        return;
    }
    m_proxy.clientDrained();
    if (m_phase == Phase::Draining && !m_relay.hasBacklog()) {
        finishRequest();
        return;
    }
    if (m_phase == Phase::Closing && m_socket.bytesToWrite() == 0)
        lingerClose();
}

// The response cannot be finished: logged as it stands, and the connection reset.
void ClientConnection::abortRequest()
{
    endRequest();
    m_phase = Phase::Closing;
    m_idle.disarm();
    m_socket.abort();
    deleteLater();
}

void ClientConnection::closeGracefully()
{
    if (m_phase == Phase::Closing)
        return;
    m_phase = Phase::Closing;
    m_proxy.stop();
    if (m_socket.bytesToWrite() == 0)
        lingerClose();
}

void ClientConnection::lingerClose()
{
    if (m_socket.state() != QAbstractSocket::ConnectedState) {
        deleteLater();
        return;
    }
    shutdownSending(m_socket);
    m_idle.arm(lingeringTimeoutMs);
}

void ClientConnection::handleDisconnected()
{
    // The client went away: nginx's 499. A peer that was working for it is not at fault.
    m_proxy.stop();
    if (m_phase == Phase::Proxying || m_phase == Phase::Draining) {
        m_status = m_relay.started() ? m_status : 499;
        endRequest();
    } else if (m_phase == Phase::ReadingBody) {
        m_status = 400; // nginx: "client prematurely closed connection" while reading the body
        endRequest();
    }
    m_phase = Phase::Closing;
    m_idle.disarm();
    deleteLater();
}

void ClientConnection::timerEvent(QTimerEvent *event)
{
    if (!m_idle.owns(event->timerId()))
        return QObject::timerEvent(event);
    if (!m_idle.expired(event->timerId(), m_idle.timeoutMs()))
        return;
    if (m_phase == Phase::ReadingBody) {
        respondError(408, true); // nginx answers a body timeout with 408 and closes
        return;
    }
    if (m_phase == Phase::Draining) {
        abortRequest(); // send_timeout: the client took nothing for that long
        return;
    }
    if (m_phase == Phase::Proxying) {
        // client_body_timeout counts only while we read the body: not while the head waits
        // for a connection, nor while the upstream's send buffer holds us back.
        const bool readingBody = m_request.state() == MessageParser::State::ReadingBody && m_proxy.canTakeBody();
        if (m_requestComplete)
            return; // waiting for the upstream: its own timeouts apply
        if (!readingBody) {
            m_idle.arm(m_idle.timeoutMs());
            return;
        }
        m_proxy.stop();
        if (!m_relay.started()) {
            respondError(408, true); // nginx answers a body timeout with 408 and closes
            return;
        }
        m_status = 408; // too late for an answer: nginx logs 408 and closes
        endRequest();
    } else if (m_phase == Phase::ReadingHead && (m_input.pending() > 0 || m_request.headLength() > 0)) {
        // client_header_timeout on a request that has begun: nginx closes without a response
        // and logs 408. A quiet keepalive connection closes with nothing to log.
        countRequest();
        m_requestActive = true;
        m_status = 408;
        endRequest();
    }
    m_proxy.stop();
    m_socket.abort();
    deleteLater();
}

} // namespace lbscope
