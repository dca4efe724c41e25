#pragma once

// Where proxy_pass sends a request and with which URI, as nginx 1.22's proxy module decides:
// - "proxy_pass http://photos;" (no URI part): the request's URI as the client sent it;
// - "proxy_pass http://photos/v2/;" (a URI part): the normalized $uri with the location's
//   prefix replaced by the URI part, escaped again when the client's had %-escapes, then
//   "?" and the arguments;
// - "proxy_pass http://$pool$request_uri;" (variables): evaluated per request; the host names
//   an upstream block, or an address some upstream or static proxy_pass already stands for
//   (nginx matches those the same way), and a URI part is taken as it comes out.

#include <QByteArray>
#include <QByteArrayView>

namespace lbscope {

struct RequestContext;
struct Route;
struct RoutingTable;

// A static proxy_pass's URI part, compiled with the route.
struct ProxyPassUri
{
    bool replacesPrefix = false; // false: the request's URI as sent
    QByteArray uri;              // the URI part, "/" or "/v2/" or "?x"
};

struct UpstreamTarget
{
    int upstreamIndex = -1;        // into RoutingTable::upstreams
    QByteArray proxyHost;          // $proxy_host
    QByteArray uri;                // for the request line; empty: the request's own target
    bool uriFromVariables = false; // proxy_pass with variables wrote the URI: a rewrite does not change it
    int errorStatus = 0;           // set when there is no upstream to go to: 500 or 502, as nginx answers
};

// The target of route for this request. For a static proxy_pass only the URI is computed.
UpstreamTarget upstreamTarget(const RoutingTable &table, const Route &route, const RequestContext &context);

// The URI part of a proxy_pass URL ("http://photos/v2/?a" -> "/v2/?a"); empty when it has none.
QByteArrayView proxyPassUriPart(QByteArrayView url);

// bytes with nginx's NGX_ESCAPE_URI escaping, as proxy_pass and auto_redirect send a URI.
void appendEscapedUri(QByteArray &out, QByteArrayView bytes);

// The location's prefix of the normalized URI replaced by uriPart, and the target's arguments.
QByteArray replacePrefix(QByteArrayView target, QByteArrayView prefix, QByteArrayView uriPart);

} // namespace lbscope
