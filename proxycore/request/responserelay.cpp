#include "request/responserelay.h"

#include "http/headers.h"
#include "http/messageparser.h"
#include "proxy/errorpages.h"
#include "proxy/responseheadfilter.h"

#include <QTcpSocket>

#include <algorithm>

namespace lbscope {

namespace {

constexpr qsizetype outputGatherLimit = 64 * 1024;

QByteArray chunkSizeLine(qsizetype size)
{
    return QByteArray::number(size, 16) + QByteArrayView("\r\n");
}

} // namespace

void ResponseRelay::beginHead(const MessageParser &response, const char *base, const HeadOptions &options,
                              bool *keepAlive)
{
    const int upstreamStatus = response.statusCode();
    const int status = options.status > 0 ? options.status : upstreamStatus;
    const bool bodyless = options.headRequest || upstreamStatus < 200 || upstreamStatus == 204 || upstreamStatus == 304;
    QByteArray &head = m_output; // goes out with the first body bytes, in one write
    const qsizetype start = head.size();
    head.append("HTTP/1.1 ");
    head.append(QByteArray::number(status));
    head.append(' ');
    const bool ownReason = status == upstreamStatus && !response.target().isEmpty();
    head.append(ownReason ? response.target().in(base) : reasonPhrase(status));
    head.append("\r\n");
    const ResponseHeadFilter *filter = options.filter;
    const auto hidden = [filter](QByteArrayView name) {
        if (filter)
            return filter->hides(name);
        const QList<QByteArray> &defaults = defaultHiddenResponseHeaders();
        return std::any_of(defaults.cbegin(), defaults.cend(),
                           [&](const QByteArray &lower) { return equalsIgnoreCase(lower, name); });
    };
    if (hidden("server") || !findHeader(response, base, "server")) {
        head.append("Server: ");
        head.append(serverToken);
        head.append("\r\n");
    }
    if (hidden("date") || !findHeader(response, base, "date")) {
        head.append("Date: ");
        head.append(httpDate());
        head.append("\r\n");
    }
    for (const HeaderSpan &header : response.headers()) {
        const QByteArrayView name = header.name.in(base);
        if (isResponseHeaderDropped(name) || hidden(name))
            continue;
        head.append(name);
        head.append(": ");
        const std::optional<QByteArray> value = filter ? filter->rewritten(name, header.value.in(base)) : std::nullopt;
        head.append(value ? QByteArrayView(*value) : header.value.in(base));
        head.append("\r\n");
    }
    if (const auto length = response.contentLength()) {
        head.append("Content-Length: ");
        head.append(QByteArray::number(*length));
        head.append("\r\n");
        m_framing = bodyless ? Framing::None : Framing::Length;
    } else if (bodyless) {
        m_framing = Framing::None;
    } else if (options.clientVersionMinor >= 1) {
        head.append("Transfer-Encoding: chunked\r\n");
        m_framing = Framing::Chunked;
    } else {
        m_framing = Framing::UntilClose;
        *keepAlive = false;
    }
    head.append(*keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    m_headStart = start; // endHead() counts the head, with the headers appended after this
    m_started = true;
}

void ResponseRelay::endHead()
{
    m_output.append("\r\n");
    m_bytesSent += m_output.size() - m_headStart;
}

void ResponseRelay::startBuffering(const ResponseSpool::Limits &limits)
{
    m_buffering = true;
    m_spool.start(limits);
}

void ResponseRelay::body(QByteArrayView bytes)
{
    m_bodyBytesSent += bytes.size();
    if (m_framing == Framing::Chunked) {
        queue(chunkSizeLine(bytes.size()));
        queue(bytes);
        queue("\r\n");
    } else {
        queue(bytes);
    }
}

void ResponseRelay::complete()
{
    if (m_framing == Framing::Chunked)
        queue("0\r\n\r\n");
    flush();
}

void ResponseRelay::write(QByteArrayView bytes, qint64 bodyBytes)
{
    m_bodyBytesSent += bodyBytes;
    queue(bytes);
    flush();
}

// Small pieces (a head, a chunk line, a short body) are gathered and leave in one write();
// large ones go straight to the socket after what was gathered before them.
void ResponseRelay::queue(QByteArrayView bytes)
{
    m_bytesSent += bytes.size();
    if (m_output.size() + bytes.size() <= outputGatherLimit) {
        m_output.append(bytes);
        return;
    }
    flush();
    send(bytes);
}

void ResponseRelay::flush()
{
    if (m_output.isEmpty())
        return;
    send(m_output);
    m_output.truncate(0);
}

// To the socket, unless bytes wait before these or the socket already holds enough.
void ResponseRelay::send(QByteArrayView bytes)
{
    if (m_buffering && (!m_spool.isEmpty() || m_socket.bytesToWrite() > socketHighWater)) {
        if (!m_spool.append(bytes))
            m_spoolFailed = true;
        return;
    }
    m_socket.write(bytes.data(), bytes.size());
}

bool ResponseRelay::drain()
{
    while (!m_spool.isEmpty() && m_socket.bytesToWrite() < socketHighWater) {
        const QByteArrayView bytes = m_spool.peek(64 * 1024, m_spoolScratch);
        if (bytes.isEmpty())
            return false;
        m_socket.write(bytes.data(), bytes.size());
        m_spool.consume(bytes.size());
    }
    if (m_spool.isEmpty())
        m_spoolScratch = QByteArray();
    return !m_spoolFailed;
}

bool ResponseRelay::upstreamShouldPause() const
{
    return m_buffering ? m_spool.isFull() : m_socket.bytesToWrite() > socketHighWater;
}

bool ResponseRelay::upstreamMayResume() const
{
    return m_buffering ? !m_spool.isFull() : m_socket.bytesToWrite() < socketLowWater;
}

void ResponseRelay::reset()
{
    m_buffering = false;
    m_spoolFailed = false;
    m_spool.clear();
    m_spoolScratch = QByteArray();
    m_framing = Framing::None;
    m_started = false;
    m_bytesSent = 0;
    m_bodyBytesSent = 0;
}

} // namespace lbscope
