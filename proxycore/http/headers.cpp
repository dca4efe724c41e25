#include "http/headers.h"

#include <algorithm>
#include <array>

namespace lbscope {

namespace {

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool isHttpWhitespace(char c)
{
    return c == ' ' || c == '\t';
}

// nginx's check of a Host value (and of an absolute-form's authority): RFC 9112 3.2 wants 400
// for an invalid one. Not empty, no "..", no path separator, no space or control byte.
bool isValidHost(QByteArrayView host)
{
    qsizetype hostLength = host.size();
    qsizetype lastDot = -2;
    bool literal = false;
    for (qsizetype i = 0; i < host.size(); ++i) {
        const auto byte = static_cast<unsigned char>(host[i]);
        if (byte == '.') {
            if (lastDot == i - 1)
                return false;
            lastDot = i;
        } else if (byte == ':' && !literal) {
            hostLength = std::min(hostLength, i);
        } else if (byte == '[' && i == 0) {
            literal = true;
        } else if (byte == ']' && literal) {
            literal = false;
            hostLength = i + 1;
        } else if (byte == '/' || byte == '\\' || byte <= 0x20 || byte == 0x7f) {
            return false;
        }
    }
    if (lastDot == hostLength - 1)
        --hostLength; // a trailing dot does not count
    return hostLength > 0;
}

} // namespace

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

QByteArrayView trimmed(QByteArrayView value)
{
    qsizetype begin = 0;
    qsizetype end = value.size();
    while (begin < end && isHttpWhitespace(value[begin]))
        ++begin;
    while (end > begin && isHttpWhitespace(value[end - 1]))
        --end;
    return value.sliced(begin, end - begin);
}

bool headerMatchesVariable(QByteArrayView header, QByteArrayView variableName)
{
    if (header.size() != variableName.size())
        return false;
    for (qsizetype i = 0; i < header.size(); ++i) {
        const char h = header[i] == '-' ? '_' : header[i];
        if (lower(h) != lower(variableName[i]))
            return false;
    }
    return true;
}

const HeaderSpan *findHeader(const MessageParser &parser, const char *base, QByteArrayView name)
{
    for (const HeaderSpan &header : parser.headers()) {
        if (equalsIgnoreCase(header.name.in(base), name))
            return &header;
    }
    return nullptr;
}

int countHeaders(const MessageParser &parser, const char *base, QByteArrayView name)
{
    int count = 0;
    for (const HeaderSpan &header : parser.headers()) {
        if (equalsIgnoreCase(header.name.in(base), name))
            ++count;
    }
    return count;
}

HttpFailure checkRequestHead(const MessageParser &parser, const char *base, RequestFacts *facts)
{
    if (parser.versionMajor() != 1)
        return HttpFailure::VersionNotSupported;
    if (parser.method() == RequestMethod::Trace || parser.method() == RequestMethod::Connect)
        return HttpFailure::MethodNotAllowed;

    const int hosts = countHeaders(parser, base, "host");
    if (hosts > 1 || (hosts == 0 && parser.versionMinor() >= 1))
        return HttpFailure::BadRequest;
    const HeaderSpan *host = hosts ? findHeader(parser, base, "host") : nullptr;
    if (host && !isValidHost(trimmed(host->value.in(base))))
        return HttpFailure::BadRequest;
    // RFC 9112 3.2.2: an absolute-form target's authority stands for Host.
    const Span authority = parser.authority();
    if (!authority.isEmpty() && !isValidHost(authority.in(base)))
        return HttpFailure::BadRequest;

    const int encodings = countHeaders(parser, base, "transfer-encoding");
    if (encodings > 0) {
        if (parser.versionMinor() == 0 || encodings > 1 || parser.contentLength())
            return HttpFailure::BadRequest;
        const auto *te = findHeader(parser, base, "transfer-encoding");
        if (!equalsIgnoreCase(trimmed(te->value.in(base)), "chunked"))
            return HttpFailure::NotImplemented;
    }

    if (facts) {
        facts->host = !authority.isEmpty() ? authority : host ? host->value : Span{};
        const HeaderSpan *expect = findHeader(parser, base, "expect");
        facts->expectContinue = expect && equalsIgnoreCase(trimmed(expect->value.in(base)), "100-continue");
        facts->hasBody = parser.isChunked() || parser.contentLength().value_or(0) > 0;
    }
    return HttpFailure::None;
}

HttpFailure classifyRequestFailure(const MessageParser &parser, const char *base)
{
    if (parser.failure() != HttpFailure::BadRequest)
        return parser.failure();
    const HeaderSpan *te = findHeader(parser, base, "transfer-encoding");
    if (te && !findHeader(parser, base, "content-length") && !equalsIgnoreCase(trimmed(te->value.in(base)), "chunked"))
        return HttpFailure::NotImplemented;
    return HttpFailure::BadRequest;
}

bool isResponseHeaderDropped(QByteArrayView name)
{
    static constexpr std::array<QByteArrayView, 4> dropped = {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
    };
    return std::any_of(dropped.cbegin(), dropped.cend(),
                       [&](QByteArrayView candidate) { return equalsIgnoreCase(name, candidate); });
}

const QList<QByteArray> &defaultHiddenResponseHeaders()
{
    static const QList<QByteArray> names = {
        "date",
        "server",
        "x-pad",
        "x-accel-expires",
        "x-accel-redirect",
        "x-accel-limit-rate",
        "x-accel-buffering",
        "x-accel-charset",
    };
    return names;
}

} // namespace lbscope
