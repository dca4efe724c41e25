#include "http/headers.h"

#include "http/requesthost.h"

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
    if (parser.method() == HTTP_TRACE || parser.method() == HTTP_CONNECT)
        return HttpFailure::MethodNotAllowed;

    const int hosts = countHeaders(parser, base, "host");
    if (hosts > 1 || (hosts == 0 && parser.versionMinor() >= 1))
        return HttpFailure::BadRequest;

    const int encodings = countHeaders(parser, base, "transfer-encoding");
    if (encodings > 0) {
        if (parser.versionMinor() == 0 || encodings > 1 || parser.contentLength())
            return HttpFailure::BadRequest;
        const auto *te = findHeader(parser, base, "transfer-encoding");
        if (!equalsIgnoreCase(trimmed(te->value.in(base)), "chunked"))
            return HttpFailure::NotImplemented;
    }

    const HeaderSpan *host = findHeader(parser, base, "host");
    // nginx checks the Host header even when the target names the host.
    std::optional<QByteArray> hostName;
    if (host && !(hostName = validateHost(host->value.in(base))))
        return HttpFailure::BadRequest;
    const QByteArrayView targetHost = absoluteTargetHost(parser.target().in(base));
    if (!targetHost.isNull() && !(hostName = validateHost(targetHost)))
        return HttpFailure::BadRequest;

    if (facts) {
        facts->host = host ? host->value : Span{};
        facts->serverHost = hostName.value_or(QByteArray());
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
