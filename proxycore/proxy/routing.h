#pragma once

// The configuration compiled for the hot path: listeners, their virtual servers and
// locations with header templates ready to evaluate, and the upstream groups. Built once
// per configuration, immutable, shared by every worker.

#include "access/accessrules.h"
#include "balancing/peer.h"
#include "config/proxyconfig.h"
#include "proxy/proxyredirect.h"
#include "proxy/servernameindex.h"
#include "proxy/upstreamuri.h"
#include "realip/realipresolver.h"
#include "request/errorpagerules.h"
#include "rewrite/rewritescript.h"
#include "variables/valuetemplate.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QRegularExpression>

#include <functional>
#include <memory>

namespace lbscope {

struct CompiledHeader
{
    QByteArray name;
    ValueTemplate value;
    bool always = false;
};

struct Route
{
    LocationMatch match = LocationMatch::Prefix;
    QByteArray prefix;                // the URI, or the @name; a regular expression's text
    QByteArray label;                 // LocationConfig::label(), for the access record
    QRegularExpression regex;         // ~ and ~* locations
    QList<QByteArray> groupVariables; // the regex's captureVariables()
    int nested = -1;                  // into VirtualServer::levels: the locations inside this one; -1: none
    // A static location whose URI ends in "/" and that proxies: its URI without the slash is
    // answered with a 301 to it (nginx's auto_redirect).
    bool autoRedirect = false;
    int upstreamIndex = -1; // into RoutingTable::upstreams; -1: none fixed (no proxy_pass, or variables)
    QByteArray proxyHost;   // $proxy_host
    ResolvedLocation settings;
    QList<CompiledHeader> upstreamHeaders; // what goes upstream, nginx's order, defaults merged
    QList<QByteArray> replacedHeaders;     // client headers not passed on (lower case)
    QList<CompiledHeader> addHeaders;
    ErrorPageRules errorPages;
    // A log_format reads response headers ($upstream_http_NAME, $upstream_cookie_NAME,
    // $sent_http_NAME): the access record keeps a copy of them. Without one, no copy is made.
    bool keepResponseHeaders = false;
    ProxyPassUri passUri;                           // a static proxy_pass's URI part
    std::optional<ValueTemplate> proxyPassTemplate; // proxy_pass with variables: resolved per request
    ProxyRedirect redirect;
    QList<QByteArray> hiddenResponseHeaders; // lower case: nginx's defaults, proxy_hide_header, less proxy_pass_header
    std::optional<ValueTemplate> method;     // proxy_method
    std::optional<ValueTemplate> body;       // proxy_set_body

    bool proxies() const { return upstreamIndex >= 0 || proxyPassTemplate.has_value(); }
    // proxy_pass_request_body on and no proxy_set_body: the client's body goes upstream.
    bool forwardsRequestBody() const { return settings.proxyPassRequestBody && !body; }
    RealIpResolver realIp; // the preaccess phase's, when the server's found no address
    AccessRules access;
    RewriteScript rewrite; // the location's rewrite module directives
};

// The locations of one level (a server, or one location's nested ones), as indexes into
// VirtualServer::routes.
struct LocationLevel
{
    QList<int> statics; // exact and prefix locations, longest URI first
    QList<int> regexes; // in file order
};

// What the find-location phase decided.
struct FoundLocation
{
    const Route *route = nullptr; // null: no location takes the URI
    bool redirect = false;        // answer 301 to route's URI (auto_redirect)
};

struct VirtualServer
{
    QByteArray firstName;        // $server_name (config/servername.h)
    int configIndex = -1;        // its place in ProxyConfig::servers
    QByteArray label;            // for access records: the first server_name as written, or the first listen
    QList<Route> routes;         // every location, nested ones too, in file order
    QList<LocationLevel> levels; // [0]: the server's own locations
    ResolvedLocation settings;   // server level, for what happens before routing
    ErrorPageRules errorPages;   // server level, for requests no location takes
    RealIpResolver realIp;       // the post-read phase's
    AccessRules access;          // for a request that no location matches
    RewriteScript rewrite;       // run before the location is chosen
    // add_header for the server's own return and for requests no location takes
    QList<CompiledHeader> addHeaders;

    // nginx's find-location phase on a normalized URI ($uri): an exact match at once, else the
    // longest prefix (and its nested locations), then, unless that prefix has "^~", the
    // regular expressions of each level from the innermost out, in file order; the captures
    // of the one that matched go to *captures.
    FoundLocation findLocation(const QByteArray &uri, RewriteState *captures) const;
    // A named location by its name without the "@"; null when there is none.
    const Route *namedLocation(QByteArrayView name) const;

private:
    enum class Search {
        Declined,
        Prefix,
        Exact,
        Redirect
    }; // nginx's DECLINED, AGAIN, OK, DONE
    Search searchLevel(int level, const QByteArray &uri, QString &subject, RewriteState *captures,
                       FoundLocation *found) const;
    Search searchStatics(const LocationLevel &level, QByteArrayView uri, FoundLocation *found) const;
};

// Where auto_redirect sends "/photos": the location's URI ("/photos/") escaped, and the arguments.
QByteArray autoRedirectTarget(const Route &route, QByteArrayView args);

struct Listener
{
    QHostAddress address; // Any for nginx's "*"
    quint16 port = 0;
    QList<VirtualServer> servers;
    int defaultServer = 0;
    ServerNameIndex names;
    // Its servers came from bare-port listens (nginx's *:PORT, bound on loopback here): a
    // server listening on the address itself takes its connections instead, as in nginx.
    bool fromBarePort = false;

    // host: RequestFacts::serverHost. *match gets a regex name's match, for its captures.
    const VirtualServer &serverFor(QByteArrayView host, ServerNameMatch *match = nullptr) const;
};

struct UpstreamDefinition
{
    UpstreamConfig config;
    PeerGroup peers;                      // initial state; each worker copies it
    std::optional<ValueTemplate> hashKey; // hash KEY, compiled
    bool implicit = false;                // from proxy_pass http://HOST:PORT
    // Balancer state carries over from a table to the next while this stays the same; a
    // reload or a method switch gives a new one (the engine numbers them).
    quint64 lineage = 0;
};

struct RoutingTable
{
    QList<Listener> listeners;
    QList<UpstreamDefinition> upstreams;
    int workerThreads = 1;
    QStringList userVariables; // every name `set` defines: a variable anywhere in the file

    const Listener *findListener(const QHostAddress &address, quint16 port) const;

    const UpstreamDefinition *findUpstream(const UpstreamDefinition &like) const;
    // Same listening addresses, so a new table needs no listener opened or closed.
    bool sameListeners(const RoutingTable &other) const;

    // Gives each peer its counters' index: the same (upstream, peer) keeps it across edits
    // and reloads, so its counters go on.
    using CounterIndexer = std::function<int(const QString &upstream, const QByteArray &peer)>;
    // Compiles a configuration; nullptr with *error (FILE:LINE: message) when a variable is
    // unknown, a name does not resolve or an address is invalid.
    static std::shared_ptr<RoutingTable> build(const ProxyConfig &config, const CounterIndexer &counterIndex,
                                               QString *error);
};

} // namespace lbscope
