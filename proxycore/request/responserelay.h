#pragma once

// The response on its way to the client: the head as nginx rewrites an upstream's (its own
// Server, Date, framing and Connection), the body re-framed for the client's protocol, and
// small pieces gathered so that one event makes one write().

#include <QByteArray>

class QTcpSocket;

namespace lbscope {

class MessageParser;

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
    };
    // The upstream's status line and headers; *keepAlive is cleared when the body can only
    // end with the connection. Append further headers to headBuffer(), then endHead().
    void beginHead(const MessageParser &response, const char *base, const HeadOptions &options, bool *keepAlive);
    QByteArray &headBuffer() { return m_output; }
    void endHead();

    void body(QByteArrayView bytes);
    void complete(); // the last chunk, if chunked, and everything out
    bool started() const { return m_started; }

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

    QTcpSocket &m_socket;
    QByteArray m_output;
    Framing m_framing = Framing::None;
    bool m_started = false;
    qint64 m_bytesSent = 0;
    qint64 m_bodyBytesSent = 0;
};

} // namespace lbscope
