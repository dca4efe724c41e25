#include "proxy/proxyhandler.h"

#include "http/headers.h"
#include "process/errorlog.h"
#include "proxy/keepalivepool.h"
#include "proxy/routing.h"
#include "proxy/upstreamerrormessage.h"
#include "proxy/upstreamrequesthead.h"
#include "proxy/upstreamruntime.h"
#include "proxy/worker.h"
#include "request/requestbodybuffer.h"
#include "request/responserelay.h"
#include "stats/accesslog.h"
#include "variables/requestcontext.h"

namespace lbscope {

namespace {

constexpr qint64 bodyReadChunk = 64 * 1024; // from a buffered body's file, per write

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

QByteArray chunkSizeLine(qsizetype size)
{
    return QByteArray::number(size, 16) + QByteArrayView("\r\n");
}

} // namespace

ProxyHandler::ProxyHandler(Worker &worker, Client &client, ResponseRelay &relay)
    : m_worker(worker)
    , m_client(client)
    , m_relay(relay)
{
}

ProxyHandler::~ProxyHandler()
{
    dropConnection();
    InFlightList::remove(m_inFlight); // never left linked from the worker's counters
}

void ProxyHandler::start(const Route &route, const UpstreamTarget &target, RequestBodyBuffer *body,
                         Redirected redirected)
{
    m_route = &route;
    m_target = &target;
    m_body = body;
    m_redirected = redirected;
    m_upstream = m_worker.upstream(target.upstreamIndex);
    m_upstream->startSelection(m_selection, route.settings.proxyNextUpstreamTries);
    m_hashKey.truncate(0);
    if (const auto &key = m_upstream->definition().hashKey)
        key->appendTo(m_client.requestContext(), m_hashKey);
    // As nginx, the head is made once, before any peer is chosen: every attempt sends it, and
    // the $upstream_* variables in proxy_set_header find nothing yet.
    buildUpstreamHead();
    m_clock.start();
    startAttempt();
}

void ProxyHandler::startAttempt()
{
    Peer *peer = m_upstream->pick(m_selection, PickInput{m_client.clientAddress(), m_hashKey}, m_decision);
    m_decisions.append(m_decision);
    if (!peer) {
        m_attempts.startWithoutPeer(m_upstream->name().toUtf8());
        m_attempts.setStatus("502");
        closeAttempt();
        m_client.proxyFailed(502);
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
    m_connection->begin(this, m_upstreamHead, m_client.request().method() == RequestMethod::Head, timeouts);
}

void ProxyHandler::buildUpstreamHead()
{
    const MessageParser &request = m_client.request();
    UpstreamRequestHead builder;
    builder.method = m_redirected.method;
    builder.target = m_redirected.target;
    m_chunked = !m_body && !m_redirected.bodyDiscarded && request.isChunked();
    if (m_redirected.bodyDiscarded) {
        builder.framing = UpstreamRequestHead::BodyFraming::Length; // nginx says "Content-Length: 0"
    } else if (m_chunked) {
        builder.framing = UpstreamRequestHead::BodyFraming::Chunked;
    } else if (m_body) {
        builder.framing = UpstreamRequestHead::BodyFraming::Length;
        builder.bodyLength = quint64(m_body->size());
    } else if (const auto length = request.contentLength()) { // "Content-Length: 0" goes too, as in nginx
        builder.framing = UpstreamRequestHead::BodyFraming::Length;
        builder.bodyLength = *length;
    }
    builder.sizeHint = m_upstreamHeadHint;
    builder.uri = m_target->uri;
    UpstreamRequestHead::Result head = builder.build(request, m_client.requestBase(), *m_route, m_client.requestContext());
    m_connectionReusable = head.keepAlive;
    m_upstreamHeadHint = head.bytes.size();
    m_upstreamHead = head.bytes;
}

// ---- the request body --------------------------------------------------------------------

bool ProxyHandler::canTakeBody() const
{
    return m_connection && m_requestSent && m_connection->bytesToWrite() <= UpstreamConnection::sendHighWater;
}

void ProxyHandler::sendBody(QByteArrayView bytes)
{
    m_bodyForwarded = true;
    bump(peerCounters().bytesToUpstream, quint64(bytes.size()));
    if (m_chunked) {
        m_connection->writeBody(chunkSizeLine(bytes.size()));
        m_connection->writeBody(bytes);
        m_connection->writeBody("\r\n");
    } else {
        m_connection->writeBody(bytes);
    }
}

void ProxyHandler::endStreamedBody()
{
    if (m_chunked && m_connection)
        m_connection->writeBody("0\r\n\r\n");
}

// The buffered body, from the start on each attempt, while the upstream's send buffer has room.
void ProxyHandler::sendBufferedBody()
{
    if (!m_route->forwardsRequestBody())
        return; // proxy_pass_request_body off, or proxy_set_body's body went with the head
    while (m_connection && m_bodySent < m_body->size()) {
        if (m_connection->bytesToWrite() > UpstreamConnection::sendHighWater)
            return; // upstreamWritable() resumes
        const QByteArrayView bytes = m_body->read(m_bodySent, bodyReadChunk, m_bodyScratch);
        if (bytes.isEmpty()) {
            stop();
            m_client.proxyFailed(500); // the temporary file could not be read back
            return;
        }
        bump(peerCounters().bytesToUpstream, quint64(bytes.size()));
        m_connection->writeBody(bytes);
        m_bodySent += bytes.size();
    }
    if (m_body->inFile() && m_bodySent == m_body->size())
        m_bodyScratch = QByteArray();
}

// ---- the upstream's side -------------------------------------------------------------------

void ProxyHandler::upstreamReady()
{
    m_requestSent = true;
    m_attempts.connected();
    m_upstreamLocalPort = m_connection->localPort();
    m_upstreamConnectionRequest = m_connection->requestsSent();
    upstreamWritable(); // the body starts as it goes on
}

void ProxyHandler::upstreamWritable()
{
    if (m_body)
        sendBufferedBody();
    else if (!m_redirected.bodyDiscarded)
        m_client.requestBodyWanted();
}

bool ProxyHandler::retryOnStatus(int status) const
{
    const quint32 conditions = m_route->settings.proxyNextUpstream;
    return (conditions & nextUpstreamFlag(status)) && m_selection.triesLeft > 1 && !m_bodyForwarded &&
           !(isNonIdempotent(m_client.request().method()) && !(conditions & NextUpstreamNonIdempotent));
}

void ProxyHandler::upstreamHead(const MessageParser &response, const char *base)
{
    const int status = response.statusCode();
    m_attempts.headerReceived();
    if (retryOnStatus(status)) {
        // A listed status on a try that is not the last: nginx moves on, and counts a
        // failure except for 403 and 404.
        const bool failed = status != 403 && status != 404;
        if (failed)
            peerCounters().countFailure(FailureKind::HttpStatus, status, coarseEpochMs());
        bump(peerCounters().retries);
        m_attempts.setStatus(QByteArray::number(status));
        closeAttempt();
        releasePeer(failed);
        dropConnection();
        startAttempt();
        return;
    }
    m_attempts.setStatus(QByteArray::number(status));
    peerCounters().countResponse(status);
    if (m_route->keepResponseHeaders) // for the log, also when the error page takes over
        m_keptResponseHeaders = HeaderList::copyLines(response, base);
    if (m_route->settings.proxyInterceptErrors && status >= 300 && m_route->errorPages.find(status)) {
        // proxy_intercept_errors: the upstream's answer is dropped for the error page.
        closeAttempt();
        releasePeer(false);
        dropConnection();
        m_client.responseIntercepted(status);
        return;
    }
    m_responseHeaders = HeaderList(response, base); // valid until the head has been passed on
    m_client.responseHead(response, base);
    m_responseHeaders = HeaderList::fromLines(m_keptResponseHeaders);
    if (m_route->keepResponseHeaders)
        m_keptSentHead = m_relay.headBuffer(); // shared until the relay appends the body
}

void ProxyHandler::upstreamBody(QByteArrayView bytes)
{
    bump(peerCounters().bytesFromUpstream, quint64(bytes.size()));
    m_relay.body(bytes);
    if (!m_readPaused && m_relay.upstreamShouldPause()) {
        m_readPaused = true;
        m_connection->setReadingPaused(true);
    }
}

void ProxyHandler::clientDrained()
{
    if (m_readPaused && m_relay.upstreamMayResume()) {
        m_readPaused = false;
        if (m_connection)
            m_connection->setReadingPaused(false);
    }
}

void ProxyHandler::upstreamReadDone()
{
    m_relay.flush();
}

void ProxyHandler::upstreamComplete()
{
    m_relay.complete();
    const bool reusable = m_connectionReusable && m_client.requestFullyRead() && m_connection->isReusable() &&
                          m_upstream->pool()->capacity() > 0;
    closeAttempt();
    releasePeer(false);
    if (reusable) {
        m_upstream->pool()->put(m_connection);
        m_connection = nullptr;
    } else {
        dropConnection();
    }
    m_client.responseComplete();
}

void ProxyHandler::upstreamFailed(UpstreamError error)
{
    const bool timeout = error == UpstreamError::Timeout;
    if (m_relay.started()) {
        // Too late for another peer or an error page: the client sees a truncated response.
        // nginx does not count this against the peer.
        bump(peerCounters().truncated);
        closeAttempt();
        releasePeer(false);
        dropConnection();
        m_relay.flush();
        m_client.responseTruncated();
        return;
    }
    const bool reused = m_connection && m_connection->isReused();
    if (error == UpstreamError::Refused)
        logUpstreamError(u"connect() failed (111: Connection refused) while connecting to upstream");
    PeerCounters &counters = peerCounters();
    counters.countFailure(failureKind(error), 0, coarseEpochMs());
    m_attempts.setStatus(timeout ? "504" : "502");
    closeAttempt();
    releasePeer(true);
    dropConnection();
    if (reused && error == UpstreamError::Reset)
        ++m_selection.triesLeft; // a stale keepalive connection does not use up a try
    if (mayRetry(error)) {
        bump(counters.retries);
        startAttempt();
        return;
    }
    m_client.proxyFailed(timeout ? 504 : 502);
}

// To the error log, at nginx's level for it (error), with the request's facts as nginx adds them.
void ProxyHandler::logUpstreamError(QStringView what)
{
    ErrorLog *log = m_worker.errorLog();
    if (!log || !log->wants(ErrorLogLevel::Error) || !m_selection.current)
        return;
    const MessageParser &request = m_client.request();
    const char *base = m_client.requestBase();
    const RequestContext context = m_client.requestContext();
    UpstreamErrorFacts facts;
    facts.client = context.remoteAddr;
    facts.server = context.serverName;
    facts.requestLine = request.methodText().in(base).toByteArray() + ' ' + request.target().in(base).toByteArray() +
                        " HTTP/" + QByteArray::number(request.versionMajor()) + '.' +
                        QByteArray::number(request.versionMinor());
    // The URI as it went to the peer: the request line of the head sent there.
    const QByteArrayView sent(m_upstreamHead);
    const qsizetype space = sent.indexOf(' ');
    const qsizetype uriEnd = space < 0 ? -1 : sent.indexOf(' ', space + 1);
    const QByteArrayView uri = uriEnd < 0 ? request.target().in(base) : sent.sliced(space + 1, uriEnd - space - 1);
    facts.upstream = "http://" + m_selection.current->name + uri.toByteArray();
    if (const HeaderSpan *host = findHeader(request, base, "host")) {
        facts.host = trimmed(host->value.in(base)).toByteArray();
        facts.hasHost = true;
    }
    if (const HeaderSpan *referrer = findHeader(request, base, "referer")) {
        facts.referrer = trimmed(referrer->value.in(base)).toByteArray();
        facts.hasReferrer = true;
    }
    log->write(ErrorLogLevel::Error, upstreamErrorMessage(what, facts));
}

bool ProxyHandler::mayRetry(UpstreamError error) const
{
    const ResolvedLocation &settings = m_route->settings;
    if (!(settings.proxyNextUpstream & nextUpstreamFlag(error)) || m_selection.triesLeft <= 0 || m_bodyForwarded)
        return false;
    if (settings.proxyNextUpstreamTimeoutMs > 0 && m_clock.elapsed() >= settings.proxyNextUpstreamTimeoutMs)
        return false;
    const bool sent = m_requestSent && error != UpstreamError::Refused;
    return !(sent && isNonIdempotent(m_client.request().method()) &&
             !(settings.proxyNextUpstream & NextUpstreamNonIdempotent));
}

// The attempt's times, as nginx logs them, and in the peer's histograms.
void ProxyHandler::closeAttempt()
{
    const bool timed = m_attempts.running();
    const AttemptLog::Times times = m_connection ? m_attempts.finish(m_connection->bytesReceived(), m_connection->bytesSent())
                                                 : m_attempts.finish();
    if (m_selection.current && timed) {
        PeerCounters &counters = peerCounters();
        if (times.connectUs >= 0)
            counters.connectTime.add(times.connectUs);
        if (times.headerUs >= 0)
            counters.headerTime.add(times.headerUs);
        counters.responseTime.add(times.responseUs);
    }
}

PeerCounters &ProxyHandler::peerCounters()
{
    return m_worker.counters().peers.at(m_selection.current->statsSlot);
}

void ProxyHandler::releasePeer(bool failed)
{
    PeerCounters &counters = peerCounters();
    counters.active.store(counters.active.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    InFlightList::remove(m_inFlight);
    bool madeUnavailable = false;
    counters.failedUntil.store(m_upstream->release(m_selection, failed, &madeUnavailable), std::memory_order_relaxed);
    if (madeUnavailable)
        bump(counters.unavailable);
}

void ProxyHandler::dropConnection()
{
    if (!m_connection)
        return;
    m_connection->abort();
    m_connection->deleteLater();
    m_connection = nullptr;
    m_readPaused = false;
}

void ProxyHandler::stop()
{
    if (m_attempts.running())
        closeAttempt();
    if (m_selection.current)
        releasePeer(false);
    dropConnection();
}

void ProxyHandler::reset()
{
    m_route = nullptr;
    m_body = nullptr;
    m_redirected = {};
    m_target = nullptr;
    m_upstream.reset();
    m_decisions.clear();
    m_attempts.clear();
    m_bodySent = 0;
    m_bodyForwarded = false;
    m_upstreamHead = QByteArray();
    m_responseHeaders = HeaderList();
    m_keptResponseHeaders = QByteArray();
    m_keptSentHead = QByteArray();
    m_upstreamLocalPort = 0;
    m_upstreamConnectionRequest = 0;
}

void ProxyHandler::fillRecord(AccessRecord &record) const
{
    if (m_upstream)
        record.upstream = m_upstream->name();
    record.upstreamAddr = m_attempts.addresses();
    record.upstreamStatus = m_attempts.statuses();
    record.upstreamConnectTime = m_attempts.connectTimes();
    record.upstreamHeaderTime = m_attempts.headerTimes();
    record.upstreamResponseTime = m_attempts.responseTimes();
    record.upstreamBytesReceived = m_attempts.bytesReceived();
    record.upstreamBytesSent = m_attempts.bytesSent();
    record.upstreamHeaders = m_keptResponseHeaders;
    record.sentHeaders = m_keptSentHead;
    record.decisions = m_decisions;
    record.upstreamHead = m_upstreamHead;
    record.upstreamLocalPort = m_upstreamLocalPort;
    record.upstreamConnectionRequest = m_upstreamConnectionRequest;
}

void ProxyHandler::fillContext(RequestContext &context) const
{
    context.upstreamAddr = m_attempts.addresses();
    context.upstreamStatus = m_attempts.statuses();
    context.upstreamConnectTime = m_attempts.connectTimes();
    context.upstreamHeaderTime = m_attempts.headerTimes();
    context.upstreamResponseTime = m_attempts.responseTimes();
    context.upstreamBytesReceived = m_attempts.bytesReceived();
    context.upstreamBytesSent = m_attempts.bytesSent();
    context.upstreamHeaders = m_responseHeaders;
}

} // namespace lbscope
