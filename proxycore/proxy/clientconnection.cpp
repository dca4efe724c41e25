#include "proxy/clientconnection.h"

#include "proxy/errorpages.h"
#include "proxy/keepalivepool.h"
#include "proxy/routing.h"
#include "proxy/socketclose.h"
#include "proxy/upstreamrequesthead.h"
#include "proxy/upstreamruntime.h"
#include "proxy/worker.h"

#include <QDateTime>
#include <QTimerEvent>

namespace lbscope {

namespace {

constexpr qsizetype inputCapacity = 64 * 1024;
constexpr qint64 lingeringTimeoutMs = 5'000; // nginx's lingering_timeout
constexpr qint64 bodyReadChunk = 64 * 1024;  // from a buffered body's file, per write

bool isNonIdempotent(http_method method)
{
    return method == HTTP_POST || method == HTTP_LOCK || method == HTTP_PATCH;
}

quint32 nextUpstreamFlag(UpstreamError error)
{
    switch (error) {
    case UpstreamError::Timeout:
        return NextUpstreamTimeout;
    case UpstreamError::InvalidHeader:
        return NextUpstreamInvalidHeader;
    case UpstreamError::Refused:
    case UpstreamError::Reset:
    case UpstreamError::Truncated:
        return NextUpstreamError;
    }
    return NextUpstreamError;
}

FailureKind failureKind(UpstreamError error)
{
    switch (error) {
    case UpstreamError::Refused:
        return FailureKind::Refused;
    case UpstreamError::Timeout:
        return FailureKind::Timeout;
    case UpstreamError::InvalidHeader:
        return FailureKind::InvalidHeader;
    case UpstreamError::Reset:
    case UpstreamError::Truncated:
        return FailureKind::Reset;
    }
    return FailureKind::Reset;
}

quint32 nextUpstreamFlag(int status)
{
    switch (status) {
    case 500:
        return NextUpstreamHttp500;
    case 502:
        return NextUpstreamHttp502;
    case 503:
        return NextUpstreamHttp503;
    case 504:
        return NextUpstreamHttp504;
    case 403:
        return NextUpstreamHttp403;
    case 404:
        return NextUpstreamHttp404;
    case 429:
        return NextUpstreamHttp429;
    default:
        return 0;
    }
}

// nginx adds add_header fields only to these statuses unless "always" is given.
bool addHeaderApplies(int status)
{
    switch (status) {
    case 200:
    case 201:
    case 204:
    case 206:
    case 301:
    case 302:
    case 303:
    case 304:
    case 307:
    case 308:
        return true;
    default:
        return false;
    }
}

int statusClass(int status)
{
    return std::clamp(status / 100, 1, 5) - 1;
}

// The client's header lines as they came, from the first name to the end of the last value.
QByteArray headerLines(const MessageParser &request, const char *base)
{
    const QList<HeaderSpan> &headers = request.headers();
    if (headers.isEmpty())
        return {};
    const qsizetype begin = headers.first().name.offset;
    const HeaderSpan &last = headers.last();
    const qsizetype end = std::max(last.name.offset + last.name.length, last.value.offset + last.value.length);
    return QByteArray(base + begin, end - begin);
}

QByteArray chunkSizeLine(qsizetype size)
{
    return QByteArray::number(size, 16) + QByteArrayView("\r\n");
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
    , m_relay(m_socket)
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
    dropUpstream();
    InFlightList::remove(m_inFlight); // never left linked from the worker's counters
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

// proxy_request_buffering on: the whole body, before any peer is chosen. A malformed or too
// large body is answered here and nothing reaches an upstream.
void ClientConnection::readBufferedBody()
{
    while (m_request.state() == MessageParser::State::ReadingBody) {
        if (m_input.pending() == 0) {
            m_input.discardConsumed(m_request.headLength());
            if (m_input.readFrom(m_socket) <= 0)
                return;
            m_idle.touch();
        }
        const qsizetype parsed = m_request.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
    }
    if (m_request.state() == MessageParser::State::Failed) {
        // A temporary file that cannot be written is the server's fault, as in nginx.
        respondError(m_body.errorString().isEmpty() ? statusForFailure(m_request.failure()) : 500, true);
        return;
    }
    m_requestComplete = true;
    m_idle.disarm();
    startProxying();
}

// Streams the request body upstream while the upstream's send buffer has room.
bool ClientConnection::forwardRequestBody()
{
    if (m_bodyBuffered) {
        sendBufferedBody();
        return true;
    }
    // Until the upstream is connected, the body waits (behind what was preread with the head).
    while (!m_requestComplete && m_connection && m_requestSent &&
           m_request.state() == MessageParser::State::ReadingBody) {
        if (m_connection->bytesToWrite() > UpstreamConnection::sendHighWater)
            return false; // upstreamWritable() resumes
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
                m_socket.abort();
                deleteLater();
            } else {
                respondError(status, true);
            }
            return false;
        }
    }
    if (m_request.state() == MessageParser::State::MessageComplete && !m_requestComplete) {
        m_requestComplete = true;
        if (m_chunkedUpstream)
            m_connection->writeBody("0\r\n\r\n");
        m_idle.disarm();
    }
    return true;
}

// The buffered body, from the start on each attempt, while the upstream's send buffer has room.
void ClientConnection::sendBufferedBody()
{
    while (m_connection && m_bodySent < m_body.size()) {
        if (m_connection->bytesToWrite() > UpstreamConnection::sendHighWater)
            return; // upstreamWritable() resumes
        const QByteArrayView bytes = m_body.read(m_bodySent, bodyReadChunk, m_bodyScratch);
        if (bytes.isEmpty()) {
            respondError(500, true); // the temporary file could not be read back
            return;
        }
        bump(peerCounters().bytesToUpstream, quint64(bytes.size()));
        m_connection->writeBody(bytes);
        m_bodySent += bytes.size();
    }
    if (m_body.inFile() && m_bodySent == m_body.size())
        m_bodyScratch = QByteArray();
}

void ClientConnection::consumeBody(QByteArrayView bytes)
{
    const qint64 limit = m_route->settings.clientMaxBodySize;
    if (limit > 0 && m_request.bodyBytes() > quint64(limit)) {
        m_request.abort(HttpFailure::BodyTooLarge);
        return;
    }
    if (m_bodyBuffered) {
        if (!m_body.append(bytes))
            m_request.abort(HttpFailure::BadRequest); // readBufferedBody() answers 500
        return;
    }
    streamBody(bytes);
}

void ClientConnection::streamBody(QByteArrayView bytes)
{
    m_bodyForwarded = true;
    bump(peerCounters().bytesToUpstream, quint64(bytes.size()));
    if (m_chunkedUpstream) {
        m_connection->writeBody(chunkSizeLine(bytes.size()));
        m_connection->writeBody(bytes);
        m_connection->writeBody("\r\n");
    } else {
        m_connection->writeBody(bytes);
    }
}

// ---- one request ----------------------------------------------------------------------

void ClientConnection::beginRequest()
{
    m_requestActive = true;
    m_requestClock.start();
    countRequest();
    m_idle.touch();
    const char *base = m_input.base();
    const HttpFailure failure = checkRequestHead(m_request, base, &m_facts);
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
    m_server = &m_listener->serverFor(m_facts.host.in(base));
    m_client.applyRealIp(m_server->realIp, m_request, base); // nginx's post-read phase
    m_route = m_server->route(m_request.target().in(base));
    const ResolvedLocation &settings = m_route ? m_route->settings : m_server->settings;
    if (settings.clientMaxBodySize > 0 && m_request.contentLength().value_or(0) > quint64(settings.clientMaxBodySize)) {
        respondError(413, true);
        return;
    }
    if (m_route)
        m_client.applyRealIp(m_route->realIp, m_request, base); // the preaccess phase
    const bool allowed = (m_route ? m_route->access : m_server->access).allows(m_client.address());
    if (!allowed || !m_route || m_route->upstreamIndex < 0) {
        respondError(allowed ? 404 : 403, !m_request.shouldKeepAlive() || m_facts.hasBody);
        return;
    }
    m_keepAlive = m_request.shouldKeepAlive() && ++m_requestsServed < settings.keepaliveRequests;
    // Chunks cannot go to an HTTP/1.0 upstream: nginx buffers them whatever the setting says.
    m_bodyBuffered = m_facts.hasBody && (settings.proxyRequestBuffering ||
                                         (m_request.isChunked() && settings.proxyHttpVersionMinor == 0));
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
        const ResolvedLocation &settings = m_route->settings;
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
    const ResolvedLocation &settings = m_route->settings;
    m_upstream = m_worker.upstream(m_route->upstreamIndex);
    m_upstream->startSelection(m_selection, settings.proxyNextUpstreamTries);
    m_hashKey.truncate(0);
    if (const auto &key = m_upstream->definition().hashKey)
        key->appendTo(requestContext(), m_hashKey);
    startAttempt();
}

void ClientConnection::startAttempt()
{
    Peer *peer = m_upstream->pick(m_selection, PickInput{m_client.address(), m_hashKey}, m_decision);
    m_decisions.append(m_decision);
    if (!peer) {
        m_attempts.startWithoutPeer(m_upstream->name().toUtf8());
        m_attempts.setStatus("502");
        closeAttempt();
        respondError(502, !requestFullyRead());
        return;
    }
    PeerCounters &counters = m_worker.counters().peers.at(peer->statsSlot);
    bump(counters.requests);
    counters.rate.add(coarseEpochSecs());
    counters.lastSelectedMs.store(coarseEpochMs(), std::memory_order_relaxed);
    counters.active.store(counters.active.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    counters.inFlight.append(m_inFlight, coarseEpochMs());
    m_attempts.start(peer->name);
    m_requestSent = false;
    m_bodySent = 0;
    m_upstreamLocalPort = 0;
    m_upstreamConnectionRequest = 0;
    const ResolvedLocation &settings = m_route->settings;
    m_connection = m_upstream->pool()->take(peer->address, peer->port);
    if (!m_connection)
        m_connection = new UpstreamConnection(peer->address, peer->port, settings.proxyBufferSize, &m_worker);
    const UpstreamConnection::Timeouts timeouts{settings.proxyConnectTimeoutMs, settings.proxySendTimeoutMs,
                                                settings.proxyReadTimeoutMs};
    m_connection->begin(this, buildUpstreamHead(), m_request.method() == HTTP_HEAD, timeouts);
}

QByteArray ClientConnection::buildUpstreamHead()
{
    UpstreamRequestHead builder;
    m_chunkedUpstream = m_facts.hasBody && !m_bodyBuffered && m_request.isChunked();
    if (m_chunkedUpstream) {
        builder.framing = UpstreamRequestHead::BodyFraming::Chunked;
    } else if (m_bodyBuffered) {
        builder.framing = UpstreamRequestHead::BodyFraming::Length;
        builder.bodyLength = quint64(m_body.size());
    } else if (const auto length = m_request.contentLength(); length && *length > 0) {
        builder.framing = UpstreamRequestHead::BodyFraming::Length;
        builder.bodyLength = *length;
    }
    builder.sizeHint = m_upstreamHeadHint;
    UpstreamRequestHead::Result head = builder.build(m_request, m_input.base(), *m_route, requestContext());
    m_upstreamKeepAlive = head.keepAlive;
    m_upstreamHeadHint = head.bytes.size();
    m_upstreamHead = head.bytes;
    return head.bytes;
}

RequestContext ClientConnection::requestContext() const
{
    RequestContext context;
    context.base = m_input.base();
    context.request = &m_request;
    context.remoteAddr = m_client.addressText();
    context.remotePort = m_client.portText();
    context.realipRemoteAddr = m_client.peerAddressText();
    context.realipRemotePort = m_client.peerPortText();
    context.serverAddr = m_serverAddr;
    context.serverPort = m_serverPort;
    context.proxyHost = m_route ? QByteArrayView(m_route->proxyHost) : QByteArrayView();
    context.serverName = m_server ? QByteArrayView(m_server->firstName) : QByteArrayView();
    context.upstreamAddr = m_attempts.addresses();
    context.upstreamStatus = m_attempts.statuses();
    context.upstreamResponseTime = m_attempts.responseTimes();
    return context;
}

// ---- the upstream's side -------------------------------------------------------------------

void ClientConnection::upstreamReady()
{
    m_requestSent = true;
    m_attempts.connected();
    m_upstreamLocalPort = m_connection->localPort();
    m_upstreamConnectionRequest = m_connection->requestsSent();
    if (m_request.state() == MessageParser::State::HeadComplete) {
        if (m_facts.expectContinue && m_facts.hasBody && m_request.versionMinor() >= 1)
            m_relay.write("HTTP/1.1 100 Continue\r\n\r\n", 0);
        m_request.resume();
    } else if (!m_bodyBuffered && m_body.size() > 0 && !m_bodyForwarded) {
        streamBody(m_body.read(0, m_body.size(), m_bodyScratch)); // preread with the head
    }
    forwardRequestBody();
}

void ClientConnection::upstreamWritable()
{
    forwardRequestBody();
}

void ClientConnection::upstreamHead(const MessageParser &response, const char *base)
{
    const int status = response.statusCode();
    m_attempts.headerReceived();
    const ResolvedLocation &settings = m_route->settings;
    const quint32 flag = nextUpstreamFlag(status);
    if ((settings.proxyNextUpstream & flag) && m_selection.triesLeft > 1 && !m_bodyForwarded &&
        !(isNonIdempotent(m_request.method()) && !(settings.proxyNextUpstream & NextUpstreamNonIdempotent))) {
        // A listed status on a try that is not the last: nginx moves on, and counts a
        // failure except for 403 and 404.
        const bool failed = status != 403 && status != 404;
        if (failed)
            peerCounters().countFailure(FailureKind::HttpStatus, status, coarseEpochMs());
        bump(peerCounters().retries);
        m_attempts.setStatus(QByteArray::number(status));
        closeAttempt();
        releasePeer(failed);
        dropUpstream();
        startAttempt();
        return;
    }
    m_status = status;
    m_attempts.setStatus(QByteArray::number(status));
    peerCounters().countResponse(status);
    const ResponseRelay::HeadOptions options{m_request.method() == HTTP_HEAD, m_request.versionMinor()};
    if (responseBuffered(response, base, settings)) {
        m_relay.startBuffering({settings.proxyBuffers.number * settings.proxyBuffers.size,
                                settings.proxyMaxTempFileSize, settings.proxyTempPath});
    }
    m_relay.beginHead(response, base, options, &m_keepAlive);
    appendAddHeaders(m_relay.headBuffer(), status);
    m_relay.endHead();
}

// proxy_buffering, unless the upstream asks otherwise with X-Accel-Buffering (as nginx honours it).
bool ClientConnection::responseBuffered(const MessageParser &response, const char *base,
                                        const ResolvedLocation &settings) const
{
    if (const HeaderSpan *header = findHeader(response, base, "x-accel-buffering")) {
        const QByteArrayView value = trimmed(header->value.in(base));
        if (equalsIgnoreCase(value, "yes"))
            return true;
        if (equalsIgnoreCase(value, "no"))
            return false;
    }
    return settings.proxyBuffering;
}

// add_header: for the statuses nginx names, or any status with "always"; the proxy's own
// error pages get them too, as nginx's do.
void ClientConnection::appendAddHeaders(QByteArray &head, int status) const
{
    if (!m_route)
        return;
    const bool applies = addHeaderApplies(status);
    const RequestContext context = requestContext();
    for (const CompiledHeader &header : m_route->addHeaders) {
        if (!applies && !header.always)
            continue;
        const qsizetype mark = head.size();
        head.append(header.name);
        head.append(": ");
        const qsizetype valueStart = head.size();
        header.value.appendTo(context, head);
        if (head.size() == valueStart)
            head.truncate(mark);
        else
            head.append("\r\n");
    }
}

void ClientConnection::upstreamBody(QByteArrayView bytes)
{
    bump(peerCounters().bytesFromUpstream, quint64(bytes.size()));
    m_relay.body(bytes);
    if (!m_upstreamReadPaused && m_relay.upstreamShouldPause()) {
        m_upstreamReadPaused = true;
        m_connection->setReadingPaused(true);
    }
}

void ClientConnection::upstreamReadDone()
{
    m_relay.flush();
}

void ClientConnection::upstreamComplete()
{
    m_relay.complete();
    const bool reusable =
        m_upstreamKeepAlive && m_requestComplete && m_connection->isReusable() && m_upstream->pool()->capacity() > 0;
    closeAttempt();
    releasePeer(false);
    if (reusable) {
        m_upstream->pool()->put(m_connection);
        m_connection = nullptr;
    } else {
        dropUpstream();
    }
    if (!m_requestComplete)
        m_keepAlive = false; // the rest of the body is still on its way: do not parse it as a request
    if (m_relay.hasBacklog()) {
        // The upstream is done and released; the client still reads from the spool.
        m_phase = Phase::Draining;
        m_idle.arm(m_route->settings.sendTimeoutMs);
        return;
    }
    finishRequest();
}

void ClientConnection::upstreamFailed(UpstreamError error)
{
    const bool timeout = error == UpstreamError::Timeout;
    if (m_relay.started()) {
        // Too late for another peer or an error page: the client sees a truncated response.
        // nginx does not count this against the peer.
        bump(peerCounters().truncated);
        closeAttempt();
        releasePeer(false);
        dropUpstream();
        m_relay.flush();
        endRequest();
        m_socket.abort();
        deleteLater();
        return;
    }
    const bool reused = m_connection && m_connection->isReused();
    PeerCounters &counters = peerCounters();
    counters.countFailure(failureKind(error), 0, coarseEpochMs());
    m_attempts.setStatus(timeout ? "504" : "502");
    closeAttempt();
    releasePeer(true);
    dropUpstream();
    if (reused && error == UpstreamError::Reset)
        ++m_selection.triesLeft; // a stale keepalive connection does not use up a try
    if (mayRetry(error)) {
        bump(counters.retries);
        startAttempt();
        return;
    }
    respondError(timeout ? 504 : 502, !requestFullyRead());
}

bool ClientConnection::mayRetry(UpstreamError error) const
{
    const ResolvedLocation &settings = m_route->settings;
    if (!(settings.proxyNextUpstream & nextUpstreamFlag(error)) || m_selection.triesLeft <= 0 || m_bodyForwarded)
        return false;
    if (settings.proxyNextUpstreamTimeoutMs > 0 && m_requestClock.elapsed() >= settings.proxyNextUpstreamTimeoutMs)
        return false;
    const bool sent = m_requestSent && error != UpstreamError::Refused;
    return !(sent && isNonIdempotent(m_request.method()) && !(settings.proxyNextUpstream & NextUpstreamNonIdempotent));
}

bool ClientConnection::requestFullyRead() const
{
    return m_requestComplete || (m_request.state() == MessageParser::State::HeadComplete && !m_facts.hasBody);
}

// The attempt's times, as nginx logs them, and in the peer's histograms.
void ClientConnection::closeAttempt()
{
    const bool timed = m_attempts.running();
    const AttemptLog::Times times = m_attempts.finish();
    if (m_selection.current && timed) {
        PeerCounters &counters = peerCounters();
        if (times.connectUs >= 0)
            counters.connectTime.add(times.connectUs);
        if (times.headerUs >= 0)
            counters.headerTime.add(times.headerUs);
        counters.responseTime.add(times.responseUs);
    }
}

PeerCounters &ClientConnection::peerCounters()
{
    return m_worker.counters().peers.at(m_selection.current->statsSlot);
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

void ClientConnection::releasePeer(bool failed)
{
    PeerCounters &counters = peerCounters();
    counters.active.store(counters.active.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    InFlightList::remove(m_inFlight);
    bool madeUnavailable = false;
    counters.failedUntil.store(m_upstream->release(m_selection, failed, &madeUnavailable), std::memory_order_relaxed);
    if (madeUnavailable)
        bump(counters.unavailable);
}

void ClientConnection::countRequest()
{
    WorkerCounters &counters = m_worker.counters();
    bump(counters.requests);
    counters.rate.add(coarseEpochSecs());
}

void ClientConnection::dropUpstream()
{
    if (!m_connection)
        return;
    m_connection->abort();
    m_connection->deleteLater();
    m_connection = nullptr;
    m_upstreamReadPaused = false;
}

// ---- answering and closing --------------------------------------------------------------

void ClientConnection::respondError(int status, bool close)
{
    if (m_selection.current)
        releasePeer(false);
    dropUpstream();
    m_status = status;
    m_worker.counters().countClientError(status);
    const bool keepAlive = !close && m_request.shouldKeepAlive();
    m_keepAlive = keepAlive;
    QByteArray extraHeaders;
    appendAddHeaders(extraHeaders, status);
    const bool headRequest = m_request.state() != MessageParser::State::Failed && m_request.method() == HTTP_HEAD;
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
    m_route = nullptr;
    m_server = nullptr;
    m_upstream.reset();
    m_requestComplete = false;
    m_bodyForwarded = false;
    m_bodyBuffered = false;
    m_body.clear();
    m_bodySent = 0;
    m_relay.reset();
    m_decisions.clear();
    m_attempts.clear();
    m_upstreamHead = QByteArray();
    m_facts = RequestFacts{}; // its spans point into this request's head
    m_upstreamLocalPort = 0;
    m_upstreamConnectionRequest = 0;
    m_client.endRequest();
}

void ClientConnection::logRequest()
{
    const char *base = m_input.base();
    AccessRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.worker = m_worker.index();
    m_client.describe(record);
    // A head cut short by a timeout has its request line once a header has begun.
    const MessageParser::State state = m_request.state();
    const bool parsed = state == MessageParser::State::Failed        ? !m_request.target().isEmpty()
                        : state == MessageParser::State::ReadingHead ? !m_request.headers().isEmpty()
                                                                     : true;
    if (parsed) {
        record.method = QByteArray::fromRawData(http_method_str(m_request.method()), // a static string
                                                qsizetype(qstrlen(http_method_str(m_request.method()))));
        record.uri = m_request.target().in(base).toByteArray();
        record.versionMajor = m_request.versionMajor();
        record.versionMinor = m_request.versionMinor();
        record.host = m_facts.host.in(base).toByteArray();
        const auto header = [&](QByteArrayView name) {
            const HeaderSpan *found = findHeader(m_request, base, name);
            return found ? trimmed(found->value.in(base)).toByteArray() : QByteArray();
        };
        record.referer = header("referer");
        record.userAgent = header("user-agent");
        record.forwardedFor = header("x-forwarded-for");
        record.requestHeaders = headerLines(m_request, base);
    }
    if (m_server)
        record.serverName = m_server->label; // shared with the routing table: no copy
    if (m_route)
        record.location = m_route->prefix;
    record.status = m_status;
    record.bytesSent = m_relay.bytesSent();
    record.bodyBytesSent = m_relay.bodyBytesSent();
    record.requestTimeMs = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
    if (m_upstream)
        record.upstream = m_upstream->name();
    record.upstreamAddr = m_attempts.addresses();
    record.upstreamStatus = m_attempts.statuses();
    record.upstreamConnectTime = m_attempts.connectTimes();
    record.upstreamHeaderTime = m_attempts.headerTimes();
    record.upstreamResponseTime = m_attempts.responseTimes();
    record.decisions = m_decisions;
    record.upstreamHead = m_upstreamHead;
    record.upstreamLocalPort = m_upstreamLocalPort;
    record.upstreamConnectionRequest = m_upstreamConnectionRequest;
    m_worker.accessLog().append(std::move(record));
}

void ClientConnection::finishRequest()
{
    endRequest();
    if (!m_keepAlive) {
        closeGracefully();
        return;
    }
    m_phase = Phase::ReadingHead;
    m_input.discardConsumed(0); // a pipelined request moves to the front
    m_request.reset();
    m_idle.arm(m_listener->servers[m_listener->defaultServer].settings.keepaliveTimeoutMs);
    processInput();
}

void ClientConnection::handleBytesWritten(qint64)
{
    m_idle.touch();
    if (m_relay.hasBacklog() && !m_relay.drain()) {
        abortRequest(); // the spool's file failed: the response cannot be completed
        return;
    }
    if (m_upstreamReadPaused && m_relay.upstreamMayResume()) {
        m_upstreamReadPaused = false;
        if (m_connection)
            m_connection->setReadingPaused(false);
    }
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
    dropUpstream();
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
    if (m_attempts.running())
        closeAttempt();
    if (m_selection.current)
        releasePeer(false);
    dropUpstream();
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
        const bool readingBody = m_request.state() == MessageParser::State::ReadingBody && m_connection &&
                                 m_connection->bytesToWrite() <= UpstreamConnection::sendHighWater;
        if (m_requestComplete)
            return; // waiting for the upstream: its own timeouts apply
        if (!readingBody) {
            m_idle.arm(m_idle.timeoutMs());
            return;
        }
        if (m_attempts.running())
            closeAttempt();
        if (!m_relay.started()) {
            respondError(408, true); // nginx answers a body timeout with 408 and closes
            return;
        }
        releasePeer(false);
        dropUpstream();
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
    if (m_selection.current)
        releasePeer(false);
    dropUpstream();
    m_socket.abort();
    deleteLater();
}

} // namespace lbscope
