#include "proxy/upstreamuri.h"

#include "http/headers.h"
#include "http/uri.h"
#include "http/variables.h"
#include "proxy/routing.h"

#include <QList>

namespace lbscope {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The bytes nginx's ngx_escape_uri(NGX_ESCAPE_URI) escapes in 1.22: controls, space, DEL,
// bytes past ASCII and " # % < > ? \ ^ ` { | } (checked byte by byte against nginx 1.22.1).
bool escapedInUri(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return true;
    switch (c) {
    case '"':
    case '#':
    case '%':
    case '<':
    case '>':
    case '?':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
        return true;
    default:
        return false;
    }
}

void appendEscaped(QByteArray &out, QByteArrayView bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (!escapedInUri(byte)) {
            out.append(c);
            continue;
        }
        out.append('%');
        out.append(digits[byte >> 4]);
        out.append(digits[byte & 0xf]);
    }
}

bool startsWithIgnoringCase(QByteArrayView text, QByteArrayView prefix)
{
    return text.size() >= prefix.size() && equalsIgnoreCase(text.first(prefix.size()), prefix);
}

// "http://example.com/a?b" (a request in absolute form) -> "/a?b"; an origin-form target as is.
QByteArrayView originForm(QByteArrayView target)
{
    if (target.startsWith('/'))
        return target;
    const qsizetype scheme = target.indexOf("://");
    if (scheme < 0)
        return target;
    const qsizetype path = target.indexOf('/', scheme + 3);
    return path < 0 ? QByteArrayView("/") : target.sliced(path);
}

struct UrlParts
{
    QByteArrayView authority; // "photos", "127.0.0.1:8080", "[::1]:8080"
    QByteArrayView uri;       // from the first '/' or '?' on
};

UrlParts splitUrl(QByteArrayView afterScheme)
{
    qsizetype end = 0;
    while (end < afterScheme.size() && afterScheme[end] != '/' && afterScheme[end] != '?')
        ++end;
    return {afterScheme.first(end), afterScheme.sliced(end)};
}

struct HostAndPort
{
    QByteArray host; // without IPv6 brackets
    quint16 port = 80;
    bool hasPort = false;
    qsizetype writtenHostLength = 0; // of the authority, brackets included, ":port" not
};

std::optional<HostAndPort> splitAuthority(QByteArrayView authority)
{
    HostAndPort result;
    QByteArrayView host = authority;
    const qsizetype colon = authority.lastIndexOf(':');
    const qsizetype bracket = authority.lastIndexOf(']');
    if (colon > bracket && colon >= 0) {
        bool ok = false;
        const uint port = authority.sliced(colon + 1).toByteArray().toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return std::nullopt;
        result.port = quint16(port);
        result.hasPort = true;
        host = authority.first(colon);
    }
    result.writtenHostLength = host.size();
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.sliced(1, host.size() - 2);
    if (host.isEmpty())
        return std::nullopt;
    result.host = host.toByteArray();
    return result;
}

// nginx's lookup for a proxy_pass with variables: an upstream block by name when the URL has
// no port, or an upstream some static proxy_pass made for host:port.
int findUpstream(const RoutingTable &table, const HostAndPort &address)
{
    const QString host = QString::fromUtf8(address.host);
    const QString implicitName = host + u':' + QString::number(address.port);
    for (qsizetype i = 0; i < table.upstreams.size(); ++i) {
        const UpstreamDefinition &upstream = table.upstreams[i];
        const QString &name = upstream.config.name;
        if (upstream.implicit ? name.compare(implicitName, Qt::CaseInsensitive) == 0
                              : !address.hasPort && name.compare(host, Qt::CaseInsensitive) == 0)
            return int(i);
    }
    return -1;
}

UpstreamTarget evaluatedTarget(const RoutingTable &table, const Route &route, const RequestContext &context)
{
    UpstreamTarget target;
    const QByteArray url = route.proxyPassTemplate->evaluate(context);
    if (!startsWithIgnoringCase(url, "http://")) {
        target.errorStatus = 500; // nginx: invalid URL prefix
        return target;
    }
    const UrlParts parts = splitUrl(QByteArrayView(url).sliced(7));
    const std::optional<HostAndPort> address = splitAuthority(parts.authority);
    if (!address) {
        target.errorStatus = 500;
        return target;
    }
    target.upstreamIndex = findUpstream(table, *address);
    if (target.upstreamIndex < 0) {
        // nginx would resolve a name with `resolver` (502 without one) or connect to an
        // address directly; LB Scope only goes where its table has an upstream.
        target.errorStatus = 502;
        return target;
    }
    // $proxy_host: as written, without the port when it is 80.
    target.proxyHost = parts.authority.first(address->port == 80 ? address->writtenHostLength : parts.authority.size())
                           .toByteArray();
    if (parts.uri.isEmpty())
        target.uri = originForm(context.request->target().in(context.base)).toByteArray();
    else if (parts.uri.startsWith('?'))
        target.uri = '/' + parts.uri.toByteArray();
    else
        target.uri = parts.uri.toByteArray();
    return target;
}

} // namespace

QByteArrayView proxyPassUriPart(QByteArrayView url)
{
    const qsizetype scheme = url.indexOf("://");
    return splitUrl(scheme < 0 ? url : url.sliced(scheme + 3)).uri;
}

QByteArray normalizedPath(QByteArrayView path, bool *quoted)
{
    QByteArray decoded;
    decoded.reserve(path.size());
    *quoted = false;
    for (qsizetype i = 0; i < path.size(); ++i) {
        const int high = path[i] == '%' && i + 2 < path.size() ? hexValue(path[i + 1]) : -1;
        const int low = high >= 0 ? hexValue(path[i + 2]) : -1;
        if (low >= 0) {
            decoded.append(char(high * 16 + low));
            *quoted = true;
            i += 2;
        } else {
            decoded.append(path[i]);
        }
    }
    // Segments, with "//" merged and "." and ".." resolved; a ".." at the root stays there.
    QList<QByteArrayView> segments;
    bool trailingSlash = decoded.endsWith('/');
    const QByteArrayView all(decoded);
    qsizetype start = 0;
    while (start <= all.size()) {
        qsizetype end = all.indexOf('/', start);
        if (end < 0)
            end = all.size();
        const QByteArrayView segment = all.sliced(start, end - start);
        const bool last = end == all.size();
        if (segment == ".") {
            trailingSlash = trailingSlash || last;
        } else if (segment == "..") {
            if (!segments.isEmpty())
                segments.removeLast();
            trailingSlash = trailingSlash || last;
        } else if (!segment.isEmpty()) {
            segments.append(segment);
        }
        start = end + 1;
    }
    QByteArray out("/");
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (i > 0)
            out.append('/');
        out.append(segments[i]);
    }
    if (trailingSlash && !segments.isEmpty())
        out.append('/');
    return out;
}

QByteArray replacePrefix(QByteArrayView target, QByteArrayView prefix, QByteArrayView uriPart)
{
    const QByteArrayView origin = originForm(target);
    bool quoted = false;
    const QByteArray uri = normalizedPath(pathOf(origin), &quoted);
    // nginx cuts the location's length, whatever the URI holds there.
    const QByteArrayView rest = QByteArrayView(uri).sliced(std::min(prefix.size(), uri.size()));
    QByteArray out;
    out.reserve(uriPart.size() + rest.size() + origin.size() - pathOf(origin).size() + 8);
    out.append(uriPart);
    if (quoted)
        appendEscaped(out, rest);
    else
        out.append(rest);
    const QByteArrayView args = queryOf(origin);
    if (!args.isEmpty()) {
        out.append('?');
        out.append(args);
    }
    return out;
}

UpstreamTarget upstreamTarget(const RoutingTable &table, const Route &route, const RequestContext &context)
{
    if (route.proxyPassTemplate)
        return evaluatedTarget(table, route, context);
    UpstreamTarget target;
    target.upstreamIndex = route.upstreamIndex;
    target.proxyHost = route.proxyHost;
    const QByteArrayView requestTarget = context.request->target().in(context.base);
    target.uri = route.passUri.replacesPrefix ? replacePrefix(requestTarget, route.prefix, route.passUri.uri)
                                              : originForm(requestTarget).toByteArray();
    return target;
}

} // namespace lbscope
