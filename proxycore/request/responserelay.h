#pragma once

// The response on its way to the client: the head as nginx rewrites an upstream's (its own
// Server, Date, framing and Connection), the body re-framed for the client's protocol, and
// small pieces gathered so that one event makes one write(). With proxy_buffering on, what
// the client does not take at once waits in a ResponseSpool, so the upstream can finish;
// off, the upstream is read no faster than the client takes the bytes.

#include "request/responsespool.h"

#include <QByteArray>

class QTcpSocket;

namespace lbscope {

class MessageParser;
class ResponseHeadFilter;

class ResponseRelay
{
public:
    explicit ResponseRelay(QTcpSocket &socket)
        : m_socket(socket)
    {
    }
    Q_DISABLE_COPY_MOVE(ResponseRelay)

    struct HeadOptions
    {
        bool headRequest = false;
        int clientVersionMinor = 1;
        int status = 0; // an error_page's status in place of the upstream's; 0: the upstream's
        const ResponseHeadFilter *filter = nullptr; // nullptr: nginx's hidden defaults, nothing rewritten
    };
    // The upstream's status line and headers; *keepAlive is cleared when the body can only
    // end with the connection. Append further headers to headBuffer(), then endHead().
    // Server and Date are the proxy's own unless the filter lets the upstream's through.
    void beginHead(const MessageParser &response, const char *base, const HeadOptions &options, bool *keepAlive);
    QByteArray &headBuffer() { return m_output; }
    void endHead();

    // proxy_buffering on for this response: bytes the socket cannot take wait in a spool.
    void startBuffering(const ResponseSpool::Limits &limits);
    void body(QByteArrayView bytes);
    void complete(); // the last chunk, if chunked, and everything out
    bool started() const { return m_started; }

    // Moves spooled bytes to the socket as it drains; false when the spool cannot be read.
    bool drain();
    bool hasBacklog() const { return !m_spool.isEmpty(); }
    // Whether the upstream should stop being read, or may be read again.
    bool upstreamShouldPause() const;
    bool upstreamMayResume() const;
    QString spoolError() const { return m_spool.errorString(); }

    // Bytes queued in the socket above which the relay holds back (Qt's write buffer grows without bound).
    static constexpr qint64 socketHighWater = 256 * 1024;
    static constexpr qint64 socketLowWater = 64 * 1024;

    // Bytes that are already a whole response (LB Scope's own error pages).
    void write(QByteArrayView bytes, qint64 bodyBytes);
    void queue(QByteArrayView bytes);
    void flush();

    qint64 bytesSent() const { return m_bytesSent; }
    qint64 bodyBytesSent() const { return m_bodyBytesSent; }
    void reset();

private:
    enum class Framing {
        None,
        Length,
        Chunked,
        UntilClose
    };

    void send(QByteArrayView bytes);

    QTcpSocket &m_socket;
    QByteArray m_output;
    ResponseSpool m_spool;
    QByteArray m_spoolScratch;
    bool m_buffering = false;
    bool m_spoolFailed = false;
    Framing m_framing = Framing::None;
    bool m_started = false;
    qint64 m_bytesSent = 0;
    qsizetype m_headStart = 0; // where the head begins in m_output, until endHead()
    qint64 m_bodyBytesSent = 0;
};

} // namespace lbscope
