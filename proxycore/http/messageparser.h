#pragma once

// Incremental HTTP/1.x framing over libhttp-parser. The caller owns the bytes: it keeps the
// whole head contiguous in one buffer and feeds new bytes as they arrive; the parser records
// where the request line and headers are (offsets into that buffer, no copies) and streams
// body bytes to a BodyConsumer. It stops after the head and after the message so the caller
// decides when to go on (connect upstream first, finish the response before the next
// pipelined request).
//
// A request line is read by RequestLineReader, as nginx reads it, not by libhttp-parser: that
// knows a fixed list of methods and refuses PROPFIND, PURGE or M-SEARCH, which nginx passes on,
// and it is stricter than nginx about spaces and versions. libhttp-parser is then given a
// request line it knows ("GET / HTTP/1.x") and frames the rest (headers, body); the real method,
// target and version stay spans and numbers of the line as sent.

#include "http/httplimits.h"
#include "http/requestline.h"

#include <QByteArrayView>
#include <QList>

#include <http_parser.h>

#include <optional>

namespace lbscope {

// A slice of the caller's buffer.
struct Span
{
    qsizetype offset = 0;
    qsizetype length = 0;

    QByteArrayView in(const char *base) const { return {base + offset, length}; }
    bool isEmpty() const { return length == 0; }
};

struct HeaderSpan
{
    Span name;
    Span value;
};

class BodyConsumer
{
public:
    virtual ~BodyConsumer() = default;
    virtual void consumeBody(QByteArrayView bytes) = 0;
};

class MessageParser
{
public:
    enum class Kind {
        Request,
        Response
    };
    enum class State {
        ReadingHead,
        HeadComplete, // paused: call resume() to read the body
        ReadingBody,
        MessageComplete, // paused: call reset() for the next message
        Failed,
    };

    MessageParser(Kind kind, const HeadLimits &limits);
    Q_DISABLE_COPY_MOVE(MessageParser)

    void reset();
    void resume();
    void setBodyConsumer(BodyConsumer *consumer) { m_consumer = consumer; }
    // Responses to HEAD, and 1xx/204/304, have no body; call before the head completes.
    void setSkipBody(bool skip) { m_skipBody = skip; }

    // Parses base[offset, offset + length). Returns how many bytes were consumed; parsing
    // stops early at HeadComplete, MessageComplete and Failed.
    qsizetype execute(const char *base, qsizetype offset, qsizetype length);
    // The peer closed: completes a close-delimited body, fails anything else unfinished.
    void finishAtEof();
    // A consumer that refuses the body (over client_max_body_size) stops the parser.
    void abort(HttpFailure failure) { fail(failure); }

    State state() const { return m_state; }
    HttpFailure failure() const { return m_failure; }
    http_errno parserError() const { return m_parserError; }

    // Head, valid from HeadComplete until reset().
    Span target() const { return m_target; } // request-target (an absolute-form's path) or reason phrase
    // host[:port] of an absolute-form request-target, which stands for Host (RFC 9112 3.2.2).
    Span authority() const { return {m_line.authorityOffset(), m_line.authorityLength()}; }
    // The request-target as the client sent it ("http://host/path" for an absolute-form).
    Span sentTarget() const
    {
        return {m_line.sentTargetOffset(), m_target.offset + m_target.length - m_line.sentTargetOffset()};
    }
    const QList<HeaderSpan> &headers() const { return m_headers; }
    qsizetype headLength() const { return m_headBytes; }
    int versionMajor() const { return m_kind == Kind::Request ? m_line.versionMajor() : m_parser.http_major; }
    int versionMinor() const { return m_kind == Kind::Request ? m_line.versionMinor() : m_parser.http_minor; }
    // The method token as sent, and what it means to the proxy; valid once the request line
    // is read (also when the head failed after that).
    Span methodText() const { return {m_line.methodOffset(), m_line.methodLength()}; }
    RequestMethod method() const { return m_line.method(); }
    // The method as bytes the caller may keep: a static string for the known ones (no
    // allocation on the hot path), a copy of the token otherwise.
    QByteArray methodBytes(const char *base) const;
    int statusCode() const { return static_cast<int>(m_parser.status_code); }
    bool isChunked() const { return m_chunked; }
    std::optional<quint64> contentLength() const { return m_contentLength; }
    bool shouldKeepAlive() const { return m_keepAlive; }
    quint64 bodyBytes() const { return m_bodyBytes; }

private:
    static int onUrlOrStatus(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    bool checkHeadLimits(const char *data, qsizetype length);
    qsizetype readRequestLine(const char *base, qsizetype offset, qsizetype length);
    void fail(HttpFailure failure);
    static void extend(Span &span, qsizetype offset, size_t length);

    http_parser m_parser{};
    http_parser_settings m_settings{};
    Kind m_kind;
    HeadLimits m_limits;
    State m_state = State::ReadingHead;
    HttpFailure m_failure = HttpFailure::None;
    http_errno m_parserError = HPE_OK;
    BodyConsumer *m_consumer = nullptr;
    const char *m_base = nullptr; // valid only inside execute()
    bool m_skipBody = false;

    RequestLineReader m_line;
    bool m_lineRead = false;
    Span m_target;
    QList<HeaderSpan> m_headers;
    bool m_inValue = false;
    qsizetype m_headBytes = 0;
    qsizetype m_lineBytes = 0;
    int m_lineCount = 0;
    bool m_chunked = false;
    bool m_keepAlive = false;
    std::optional<quint64> m_contentLength;
    quint64 m_bodyBytes = 0;
};

} // namespace lbscope
