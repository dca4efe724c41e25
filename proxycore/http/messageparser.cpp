#include "http/messageparser.h"

#include "http/requestfields.h"

#include <algorithm>
#include <cstring>

namespace lbscope {

namespace {

MessageParser *self(http_parser *parser)
{
    return static_cast<MessageParser *>(parser->data);
}

} // namespace

MessageParser::MessageParser(Kind kind, const HeadLimits &limits)
    : m_kind(kind)
    , m_limits(limits)
{
    http_parser_settings_init(&m_settings);
    m_settings.on_url = &MessageParser::onUrlOrStatus;
    m_settings.on_status = &MessageParser::onUrlOrStatus;
    m_settings.on_header_field = &MessageParser::onHeaderField;
    m_settings.on_header_value = &MessageParser::onHeaderValue;
    m_settings.on_headers_complete = &MessageParser::onHeadersComplete;
    m_settings.on_body = &MessageParser::onBody;
    m_settings.on_message_complete = &MessageParser::onMessageComplete;
    reset();
}

void MessageParser::reset()
{
    http_parser_init(&m_parser, m_kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE);
    m_parser.data = this;
    m_state = State::ReadingHead;
    m_failure = HttpFailure::None;
    m_parserError = HPE_OK;
    m_skipBody = false;
    m_line.reset();
    m_lineRead = m_kind == Kind::Response;
    m_target = {};
    m_headers.clear(); // keeps its capacity
    m_inValue = false;
    m_headBytes = 0;
    m_lineBytes = 0;
    m_lineCount = 0;
    m_chunked = false;
    m_keepAlive = false;
    m_contentLength.reset();
    m_bodyBytes = 0;
}

void MessageParser::resume()
{
    Q_ASSERT(m_state == State::HeadComplete);
    http_parser_pause(&m_parser, 0);
    m_state = State::ReadingBody;
}

qsizetype MessageParser::execute(const char *base, qsizetype offset, qsizetype length)
{
    if (m_state == State::HeadComplete || m_state == State::MessageComplete || m_state == State::Failed)
        return 0;
    if (m_state == State::ReadingHead && !checkHeadLimits(base + offset, length))
        return 0;
    qsizetype parsed = 0;
    if (!m_lineRead) {
        parsed = readRequestLine(base, offset, length);
        if (!m_lineRead || parsed == length)
            return parsed; // (libhttp-parser would take no bytes for the end of the stream)
    }
    m_base = base;
    parsed += static_cast<qsizetype>(
        http_parser_execute(&m_parser, &m_settings, base + offset + parsed, static_cast<size_t>(length - parsed)));
    m_base = nullptr;
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error != HPE_OK && error != HPE_PAUSED && m_state != State::Failed) {
        m_parserError = error;
        fail(error == HPE_HEADER_OVERFLOW ? HttpFailure::HeaderTooLarge : HttpFailure::BadRequest);
    }
    return parsed;
}

QByteArray MessageParser::methodBytes(const char *base) const
{
    const QByteArrayView name = requestMethodName(method());
    if (!name.isEmpty())
        return QByteArray::fromRawData(name.data(), name.size());
    return methodText().in(base).toByteArray();
}

// Once the line is in, libhttp-parser gets one it knows with the same major version and
// keep-alive default: what follows frames the same whatever the method.
qsizetype MessageParser::readRequestLine(const char *base, qsizetype offset, qsizetype length)
{
    qsizetype consumed = 0;
    switch (m_line.read(base, offset, length, &consumed)) {
    case RequestLineReader::Result::NeedMore:
        break;
    case RequestLineReader::Result::Invalid:
        m_parserError = HPE_INVALID_URL;
        fail(m_line.failure());
        break;
    case RequestLineReader::Result::Complete: {
        m_lineRead = true;
        m_target = Span{m_line.targetOffset(), m_line.targetLength()};
        static constexpr char http10[] = "GET / HTTP/1.0\r\n";
        static constexpr char http11[] = "GET / HTTP/1.1\r\n";
        const bool oneZero = m_line.versionMajor() == 1 && m_line.versionMinor() == 0;
        http_parser_execute(&m_parser, &m_settings, oneZero ? http10 : http11, sizeof(http11) - 1);
        break;
    }
    }
    return consumed;
}

void MessageParser::finishAtEof()
{
    if (m_state != State::ReadingBody && m_state != State::ReadingHead)
        return;
    http_parser_execute(&m_parser, &m_settings, nullptr, 0);
    if (m_state != State::MessageComplete)
        fail(HttpFailure::BadRequest);
}

// Counts head bytes line by line, so an over-long request line gives 414 and an over-long
// header 431 before libhttp-parser's own (larger, single) limit is reached.
bool MessageParser::checkHeadLimits(const char *data, qsizetype length)
{
    const char *p = data;
    const char *end = data + length;
    while (p < end && m_state == State::ReadingHead) {
        const auto *newline = static_cast<const char *>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char *lineEnd = newline ? newline + 1 : end;
        m_lineBytes += lineEnd - p;
        m_headBytes += lineEnd - p;
        const bool requestLine = m_lineCount == 0;
        if (requestLine && m_lineBytes > m_limits.maxRequestLine) {
            fail(m_kind == Kind::Request ? HttpFailure::UriTooLong : HttpFailure::UpstreamInvalid);
            return false;
        }
        if ((!requestLine && m_lineBytes > m_limits.maxHeaderLine) || m_headBytes > m_limits.maxHead ||
            m_lineCount > m_limits.maxHeaders) {
            fail(m_kind == Kind::Request ? HttpFailure::HeaderTooLarge : HttpFailure::UpstreamInvalid);
            return false;
        }
        if (!newline)
            break;
        const bool emptyLine = m_lineBytes <= 2;
        m_lineBytes = 0;
        if (emptyLine && !requestLine)
            break; // end of head: what follows is body, not counted here
        if (!emptyLine)
            ++m_lineCount; // empty lines before the request line are skipped, as RFC 9112 allows
        p = lineEnd;
    }
    return true;
}

void MessageParser::fail(HttpFailure failure)
{
    m_state = State::Failed;
    if (m_failure == HttpFailure::None)
        m_failure = failure;
    if (m_kind == Kind::Response)
        m_failure = HttpFailure::UpstreamInvalid;
}

void MessageParser::extend(Span &span, qsizetype offset, size_t length)
{
    if (span.length == 0)
        span.offset = offset;
    span.length += static_cast<qsizetype>(length);
}

int MessageParser::onUrlOrStatus(http_parser *parser, const char *at, size_t length)
{
    auto *p = self(parser);
    if (p->m_kind == Kind::Request)
        return 0; // the stand-in request line's: the real target came from RequestLineReader
    extend(p->m_target, at - p->m_base, length);
    return 0;
}

int MessageParser::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    auto *p = self(parser);
    if (p->m_state != State::ReadingHead)
        return 0; // a chunked body's trailer fields: dropped, as nginx drops them
    if (p->m_headers.isEmpty() || p->m_inValue) {
        p->m_headers.append(HeaderSpan{});
        p->m_inValue = false;
    }
    extend(p->m_headers.last().name, at - p->m_base, length);
    return 0;
}

int MessageParser::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    auto *p = self(parser);
    if (p->m_state != State::ReadingHead)
        return 0;
    p->m_inValue = true;
    Span &value = p->m_headers.last().value;
    // A value that goes on after a line end is obs-fold (libhttp-parser takes it): RFC 9112 5.2
    // allows 400, and nginx answers 400 to it.
    if (!value.isEmpty() && value.offset + value.length != at - p->m_base) {
        p->fail(HttpFailure::BadRequest);
        return -1;
    }
    extend(value, at - p->m_base, length);
    return 0;
}

int MessageParser::onHeadersComplete(http_parser *parser)
{
    auto *p = self(parser);
    // libhttp-parser (built lenient, as Debian's is) lets a space or tab into a field name:
    // "Content-Length : 33" would go upstream as a header it did not count as the length, for a
    // strict peer to read the body differently. RFC 9112 5.1 says reject; nginx 1.21.1 and later
    // answer 400 to a space or control character in a name.
    if (p->m_kind == Kind::Request ? !applyNginxFieldRules(p->m_headers, p->m_base)
                                   : std::any_of(p->m_headers.cbegin(), p->m_headers.cend(), [p](const HeaderSpan &h) {
                                         return isRefusedFieldName(h.name.in(p->m_base));
                                     })) {
        p->fail(HttpFailure::BadRequest);
        return -1;
    }
    p->m_chunked = (parser->flags & F_CHUNKED) != 0;
    if (parser->flags & F_CONTENTLENGTH)
        p->m_contentLength = parser->content_length;
    p->m_keepAlive = http_should_keep_alive(parser) != 0;
    p->m_state = State::HeadComplete;
    http_parser_pause(parser, 1);
    // RFC 9112 6.3: whatever their headers say, these responses end with the head.
    const int status = int(parser->status_code);
    const bool bodyless = p->m_kind == Kind::Response && (status < 200 || status == 204 || status == 304);
    return (p->m_skipBody || bodyless) ? 1 : 0;
}

int MessageParser::onBody(http_parser *parser, const char *at, size_t length)
{
    auto *p = self(parser);
    p->m_bodyBytes += length;
    if (p->m_consumer)
        p->m_consumer->consumeBody(QByteArrayView(at, static_cast<qsizetype>(length)));
    return p->m_state == State::Failed ? -1 : 0;
}

int MessageParser::onMessageComplete(http_parser *parser)
{
    auto *p = self(parser);
    p->m_state = State::MessageComplete;
    http_parser_pause(parser, 1);
    return 0;
}

} // namespace lbscope
