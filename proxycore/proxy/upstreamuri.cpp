#include "proxy/upstreamuri.h"

#include "http/headers.h"
#include "http/requesturi.h"
#include "http/uri.h"
#include "proxy/routing.h"
#include "variables/valuetemplate.h"

#include <QList>

namespace lbscope {

namespace {

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

bool startsWithIgnoringCase(QByteArrayView text, QByteArrayView prefix)
{
    return text.size() >= prefix.size() && equalsIgnoreCase(text.first(prefix.size()), prefix);
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
    target.proxyHost =
        parts.authority.first(address->port == 80 ? address->writtenHostLength : parts.authority.size()).toByteArray();
    target.uriFromVariables = !parts.uri.isEmpty();
    if (parts.uri.isEmpty())
        target.uri = originForm(context.target).toByteArray();
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

void appendEscapedUri(QByteArray &out, QByteArrayView bytes)
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

QByteArray replacePrefix(QByteArrayView target, QByteArrayView prefix, QByteArrayView uriPart)
{
    const QByteArrayView origin = originForm(target);
    bool quoted = false;
    QByteArray uri;
    if (!normalizeUriPath(targetPath(origin), &uri, &quoted))
        uri = "/"; // not reached: such a request was answered 400 before routing
    // nginx cuts the location's length, whatever the URI holds there.
    const QByteArrayView rest = QByteArrayView(uri).sliced(std::min(prefix.size(), uri.size()));
    QByteArray out;
    out.reserve(uriPart.size() + rest.size() + targetArgs(origin).size() + 8);
    out.append(uriPart);
    if (quoted)
        appendEscapedUri(out, rest);
    else
        out.append(rest);
    const QByteArrayView args = targetArgs(origin);
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
    const QByteArrayView requestTarget = context.target;
    target.uri = route.passUri.replacesPrefix ? replacePrefix(requestTarget, route.prefix, route.passUri.uri)
                                              : originForm(requestTarget).toByteArray();
    return target;
}

} // namespace lbscope
