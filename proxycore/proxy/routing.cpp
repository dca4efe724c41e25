#include "proxy/routing.h"

#include "config/servername.h"
#include "http/headers.h"
#include "http/uri.h"
#include "proxy/upstreamuri.h"
#include "stats/peercounters.h"
#include "variables/logformattemplate.h"

#include <QHostInfo>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString where(const SourceLocation &source)
{
    return source.file + u':' + QString::number(source.line) + u": "_s;
}

// Headers nginx never copies from the client, whatever the configuration says.
const QList<QByteArray> &alwaysReplaced()
{
    static const QList<QByteArray> names = {"host", "connection", "content-length", "transfer-encoding",
                                            "te",   "keep-alive", "expect",         "upgrade"};
    return names;
}

bool logsResponseHeaders(const ProxyConfig &config)
{
    const QStringList userVariables = userVariableNames(config);
    return std::any_of(config.logFormats.cbegin(), config.logFormats.cend(), [&](const LogFormat &format) {
        QString unused;
        const std::optional<LogFormatTemplate> compiled =
            LogFormatTemplate::compile(format.escape, format.format, &unused, &userVariables);
        return compiled && (compiled->uses(Variable::UpstreamHttp) || compiled->uses(Variable::UpstreamCookie) ||
                            compiled->uses(Variable::SentHttp));
    });
}

bool compileHeaders(const QList<HeaderDirective> &directives, const QStringList &userVariables,
                    QList<CompiledHeader> *out, QString *error)
{
    for (const HeaderDirective &directive : directives) {
        QString message;
        auto value = ValueTemplate::compile(directive.value, &message, &userVariables);
        if (!value) {
            *error = where(directive.source) + message;
            return false;
        }
        out->append({directive.name, std::move(*value), directive.always});
    }
    return true;
}

// set_real_ip_from, real_ip_header and allow/deny of one level, ready for the request's phases.
template <typename Level> bool compileClientRules(const ResolvedLocation &settings, Level *level, QString *error)
{
    std::optional<RealIpResolver> realIp = RealIpResolver::compile(settings, error);
    if (!realIp)
        return false;
    std::optional<AccessRules> access = AccessRules::compile(settings.accessRules, error);
    if (!access)
        return false;
    level->realIp = std::move(*realIp);
    level->access = std::move(*access);
    return true;
}

bool compileUpstreamHeaders(const ResolvedLocation &settings, const QStringList &userVariables, Route *route,
                            QString *error)
{
    if (!compileHeaders(settings.proxySetHeaders, userVariables, &route->upstreamHeaders, error))
        return false;
    auto isSet = [&](QByteArrayView name) {
        return std::any_of(route->upstreamHeaders.cbegin(), route->upstreamHeaders.cend(),
                           [&](const CompiledHeader &header) { return equalsIgnoreCase(header.name, name); });
    };
    QString unused;
    if (!isSet("host"))
        route->upstreamHeaders.append({"Host", *ValueTemplate::compile(u"$proxy_host"_s, &unused), false});
    if (!isSet("connection"))
        route->upstreamHeaders.append({"Connection", *ValueTemplate::compile(u"close"_s, &unused), false});
    route->replacedHeaders = alwaysReplaced();
    for (const CompiledHeader &header : std::as_const(route->upstreamHeaders)) {
        const QByteArray lower = header.name.toLower();
        if (!route->replacedHeaders.contains(lower))
            route->replacedHeaders.append(lower);
    }
    return compileHeaders(settings.addHeaders, userVariables, &route->addHeaders, error);
}

// "http://photos" -> ("photos", 80, false); "http://127.0.0.1:3000" -> (..., 3000, true)
struct ProxyPassTarget
{
    QString host;
    quint16 port = 80;
    bool hasPort = false;
};

std::optional<ProxyPassTarget> parseProxyPass(const QString &url)
{
    if (!url.startsWith("http://"_L1, Qt::CaseInsensitive))
        return std::nullopt;
    QString authority = url.mid(7);
    const auto uriStart =
        std::find_if(authority.cbegin(), authority.cend(), [](QChar c) { return c == u'/' || c == u'?'; });
    authority.truncate(uriStart - authority.cbegin());
    ProxyPassTarget target;
    const auto colon = authority.lastIndexOf(u':');
    if (colon > 0 && !authority.endsWith(u']')) {
        bool ok = false;
        const uint port = authority.mid(colon + 1).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return std::nullopt;
        target.port = quint16(port);
        target.hasPort = true;
        target.host = authority.left(colon);
    } else {
        target.host = authority;
    }
    if (target.host.startsWith(u'[') && target.host.endsWith(u']'))
        target.host = target.host.mid(1, target.host.size() - 2);
    return target;
}

int findOrAddImplicit(RoutingTable &table, const ProxyPassTarget &target, const SourceLocation &source, QString *error)
{
    const QString name = target.host + u':' + QString::number(target.port);
    for (qsizetype i = 0; i < table.upstreams.size(); ++i) {
        if (table.upstreams[i].implicit && table.upstreams[i].config.name == name)
            return int(i);
    }
    UpstreamDefinition definition;
    definition.implicit = true;
    QString message;
    if (!PeerGroup::buildImplicit(target.host, target.port, &definition.peers, &message)) {
        *error = where(source) + message;
        return -1;
    }
    definition.config.name = name;
    table.upstreams.append(std::move(definition));
    return int(table.upstreams.size() - 1);
}

bool compileTemplate(const std::optional<QString> &text, const SourceLocation &source,
                     std::optional<ValueTemplate> *out, QString *error)
{
    if (!text)
        return true;
    QString message;
    *out = ValueTemplate::compile(*text, &message);
    if (!*out)
        *error = where(source) + message;
    return out->has_value();
}

// nginx's hidden defaults and proxy_hide_header's names, less proxy_pass_header's.
QList<QByteArray> hiddenResponseHeaders(const ResolvedLocation &settings)
{
    QList<QByteArray> hidden = defaultHiddenResponseHeaders();
    for (const QByteArray &name : settings.proxyHideHeaders) {
        const QByteArray lower = name.toLower();
        if (!hidden.contains(lower))
            hidden.append(lower);
    }
    for (const QByteArray &name : settings.proxyPassHeaders)
        hidden.removeAll(name.toLower());
    return hidden;
}

bool buildProxyPass(RoutingTable &table, const LocationConfig &location, Route *route, QString *error)
{
    if (location.proxyPass.contains(u'$')) {
        QString message;
        route->proxyPassTemplate = ValueTemplate::compile(location.proxyPass, &message, &table.userVariables);
        if (!route->proxyPassTemplate)
            *error = where(location.source) + message;
        return route->proxyPassTemplate.has_value();
    }
    const auto target = parseProxyPass(location.proxyPass);
    if (!target) {
        *error = where(location.source) + u"invalid URL prefix in \"%1\""_s.arg(location.proxyPass);
        return false;
    }
    const QByteArrayView uri = proxyPassUriPart(location.proxyPass.toUtf8());
    route->passUri = ProxyPassUri{!uri.isEmpty(), uri.toByteArray()};
    const auto upstream =
        std::find_if(table.upstreams.cbegin(), table.upstreams.cend(), [&](const UpstreamDefinition &definition) {
            return !definition.implicit && !target->hasPort &&
                   definition.config.name.compare(target->host, Qt::CaseInsensitive) == 0;
        });
    if (upstream != table.upstreams.cend()) {
        route->upstreamIndex = int(upstream - table.upstreams.cbegin());
        route->proxyHost = target->host.toUtf8();
        return true;
    }
    route->upstreamIndex = findOrAddImplicit(table, *target, location.source, error);
    if (route->upstreamIndex < 0)
        return false;
    route->proxyHost =
        target->port == 80 ? target->host.toUtf8() : table.upstreams[route->upstreamIndex].config.name.toUtf8();
    return true;
}

bool buildRouteSettings(RoutingTable &table, const LocationConfig &location, Route *route, QString *error);

// settings: the location's own with its enclosing locations' under them (inheritSettings).
bool buildRoute(RoutingTable &table, const ProxyConfig &config, const ServerConfig &server,
                const LocationConfig &location, const ProxySettings &settings, Route *route, QString *error)
{
    route->match = location.match;
    route->prefix = location.prefix.toUtf8();
    route->label = location.label().toUtf8();
    if (location.isRegex()) {
        route->regex = QRegularExpression(location.prefix, location.match == LocationMatch::RegexCaseless
                                                               ? QRegularExpression::CaseInsensitiveOption
                                                               : QRegularExpression::NoPatternOption);
        route->groupVariables = captureVariables(route->regex);
    }
    route->autoRedirect = location.isStatic() && location.prefix.endsWith(u'/') && !location.proxyPass.isEmpty();
    route->settings = resolveSettings(config.settings, server.settings, &settings);
    return buildRouteSettings(table, location, route, error);
}

bool buildRouteSettings(RoutingTable &table, const LocationConfig &location, Route *route, QString *error)
{
    const ResolvedLocation &settings = route->settings;
    if (!location.proxyPass.isEmpty() && !buildProxyPass(table, location, route, error))
        return false;
    auto redirect = ProxyRedirect::compile(settings.proxyRedirects, location.proxyPass, location.prefix, error);
    if (!redirect)
        return false;
    route->redirect = std::move(*redirect);
    route->hiddenResponseHeaders = hiddenResponseHeaders(settings);
    if (!compileTemplate(settings.proxyMethod, location.source, &route->method, error) ||
        !compileTemplate(settings.proxySetBody, location.source, &route->body, error))
        return false;
    std::optional<ErrorPageRules> errorPages = ErrorPageRules::compile(route->settings.errorPages, error);
    if (!errorPages)
        return false;
    route->errorPages = std::move(*errorPages);
    std::optional<RewriteScript> rewrite = RewriteScript::compile(location.rewrites, table.userVariables, error);
    if (!rewrite)
        return false;
    route->rewrite = std::move(*rewrite);
    return compileUpstreamHeaders(route->settings, table.userVariables, route, error) &&
           compileClientRules(route->settings, route, error);
}

// The ports some listen opens on every IPv4 interface ("*:8080", "0.0.0.0:8080").
QSet<quint16> everyAddressPorts(const ProxyConfig &config)
{
    QSet<quint16> ports;
    for (const ServerConfig &server : config.servers) {
        for (const ListenAddress &listen : server.listens) {
            if (listen.host == "0.0.0.0"_L1)
                ports.insert(listen.port);
        }
    }
    return ports;
}

std::optional<QHostAddress> listenAddress(const ListenAddress &listen, const QSet<quint16> &everyAddress,
                                          QString *error)
{
    // Every interface only when the configuration names it ("listen *:8080;", "listen
    // 0.0.0.0:8080;"). A bare port would open every interface in nginx; here it stays on
    // loopback, as a server without listen does, so nothing reaches beyond the machine unasked,
    // unless another listen opens the port on every interface: nginx's *:PORT is then one address.
    if (listen.host.isEmpty())
        return QHostAddress(everyAddress.contains(listen.port) ? QHostAddress::AnyIPv4 : QHostAddress::LocalHost);
    QHostAddress address;
    if (address.setAddress(listen.host))
        return address;
    const QHostInfo info = QHostInfo::fromName(listen.host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        *error = where(listen.source) + u"host not found in \"%1\" of the \"listen\" directive"_s.arg(listen.text);
        return std::nullopt;
    }
    return info.addresses().first();
}

Listener &listenerFor(RoutingTable &table, const QHostAddress &address, quint16 port)
{
    for (Listener &listener : table.listeners) {
        if (listener.address == address && listener.port == port)
            return listener;
    }
    Listener listener;
    listener.address = address;
    listener.port = port;
    table.listeners.append(std::move(listener));
    return table.listeners.last();
}

// One level's locations into the server's flat list, nested ones after each, as nginx keeps
// them: static ones longest first, regular expressions in file order, named ones apart.
bool addLocations(RoutingTable &table, const ProxyConfig &config, const ServerConfig &server,
                  const QList<LocationConfig> &locations, const ProxySettings &enclosing, VirtualServer *virtualServer,
                  int level, QString *error)
{
    for (const LocationConfig &location : locations) {
        const ProxySettings settings = inheritSettings(enclosing, location.settings);
        Route route;
        if (!buildRoute(table, config, server, location, settings, &route, error))
            return false;
        const int index = int(virtualServer->routes.size());
        virtualServer->routes.append(std::move(route));
        if (location.isRegex())
            virtualServer->levels[level].regexes.append(index);
        else if (location.isStatic())
            virtualServer->levels[level].statics.append(index);
        if (location.locations.isEmpty())
            continue;
        const int nested = int(virtualServer->levels.size());
        virtualServer->levels.append(LocationLevel{});
        virtualServer->routes[index].nested = nested;
        if (!addLocations(table, config, server, location.locations, settings, virtualServer, nested, error))
            return false;
    }
    QList<int> &statics = virtualServer->levels[level].statics;
    std::stable_sort(statics.begin(), statics.end(), [&](int a, int b) {
        return virtualServer->routes[a].prefix.size() > virtualServer->routes[b].prefix.size();
    });
    return true;
}

bool addServer(RoutingTable &table, const ProxyConfig &config, int serverIndex, const QSet<quint16> &everyAddress,
               QString *error)
{
    const ServerConfig &server = config.servers[serverIndex];
    VirtualServer virtualServer;
    virtualServer.configIndex = serverIndex;
    virtualServer.firstName = ServerName::variableValue(server.serverNames).toUtf8();
    virtualServer.label = server.serverNames.value(0).toUtf8();
    virtualServer.settings = resolveSettings(config.settings, server.settings, nullptr);
    std::optional<ErrorPageRules> errorPages = ErrorPageRules::compile(virtualServer.settings.errorPages, error);
    if (!errorPages)
        return false;
    virtualServer.errorPages = std::move(*errorPages);
    if (!compileClientRules(virtualServer.settings, &virtualServer, error) ||
        !compileHeaders(virtualServer.settings.addHeaders, table.userVariables, &virtualServer.addHeaders, error))
        return false;
    std::optional<RewriteScript> rewrite = RewriteScript::compile(server.rewrites, table.userVariables, error);
    if (!rewrite)
        return false;
    virtualServer.rewrite = std::move(*rewrite);
    virtualServer.levels.append(LocationLevel{});
    if (!addLocations(table, config, server, server.locations, {}, &virtualServer, 0, error))
        return false;

    QList<ListenAddress> listens = server.listens;
    // nginx would listen on *:80 here; LB Scope opens every interface only when asked to.
    if (listens.isEmpty())
        listens.append(ListenAddress{u"127.0.0.1:80"_s, QString(), 80, false, server.source});
    if (virtualServer.label.isEmpty())
        virtualServer.label = listens.first().text.toUtf8();
    for (const ListenAddress &listen : listens) {
        const auto address = listenAddress(listen, everyAddress, error);
        if (!address)
            return false;
        Listener &listener = listenerFor(table, *address, listen.port);
        const bool barePort = listen.host.isEmpty() && !everyAddress.contains(listen.port);
        if (listener.servers.isEmpty()) {
            listener.fromBarePort = barePort;
        } else if (barePort != listener.fromBarePort) {
            if (barePort)
                continue; // 127.0.0.1:PORT of its own: nginx gives it this address's connections
            listener.servers.clear();
            listener.defaultServer = 0;
            listener.names = ServerNameIndex();
        }
        if (listen.defaultServer)
            listener.defaultServer = int(listener.servers.size());
        listener.names.add(int(listener.servers.size()), server.serverNames);
        listener.servers.append(virtualServer);
    }
    return true;
}

} // namespace

FoundLocation VirtualServer::findLocation(const QByteArray &uri, RewriteState *captures) const
{
    FoundLocation found;
    QString subject; // the URI for QRegularExpression, made when the first one runs
    found.redirect = searchLevel(0, uri, subject, captures, &found) == Search::Redirect;
    return found;
}

// ngx_http_core_find_location: this level's static locations, the nested ones of the prefix
// found, then this level's regular expressions unless the prefix has "^~".
VirtualServer::Search VirtualServer::searchLevel(int level, const QByteArray &uri, QString &subject,
                                                 RewriteState *captures, FoundLocation *found) const
{
    Search result = searchStatics(levels[level], uri, found);
    bool noRegex = false;
    if (result == Search::Prefix) {
        noRegex = found->route->match == LocationMatch::PrefixNoRegex;
        if (found->route->nested >= 0)
            result = searchLevel(found->route->nested, uri, subject, captures, found);
    }
    if (result == Search::Exact || result == Search::Redirect || noRegex)
        return result;
    for (const int index : levels[level].regexes) {
        const Route &route = routes[index];
        if (subject.isEmpty())
            subject = QString::fromLatin1(uri); // bytes as PCRE sees them, one character each
        const QRegularExpressionMatch match = route.regex.match(subject);
        if (!match.hasMatch())
            continue;
        captures->keepCaptures(match, uri, route.groupVariables);
        found->route = &route;
        if (route.nested >= 0)
            searchLevel(route.nested, uri, subject, captures, found);
        return Search::Exact;
    }
    return result;
}

// nginx's static location tree, searched linearly: a location named the URI itself (the exact
// one first); else the longest prefix, unless a location one "/" longer redirects.
VirtualServer::Search VirtualServer::searchStatics(const LocationLevel &level, QByteArrayView uri,
                                                   FoundLocation *found) const
{
    const Route *prefix = nullptr;
    const Route *redirect = nullptr;
    for (const int index : level.statics) {
        const Route &route = routes[index];
        const qsizetype length = route.prefix.size();
        if (length == uri.size() && route.prefix == uri) {
            if (route.match == LocationMatch::Exact) {
                found->route = &route;
                return Search::Exact;
            }
            if (!prefix || prefix->prefix.size() < length)
                prefix = &route;
        } else if (route.match != LocationMatch::Exact && !prefix && uri.startsWith(route.prefix)) {
            prefix = &route;
        } else if (route.autoRedirect && length == uri.size() + 1 && route.prefix.startsWith(uri) &&
                   (!redirect || route.match == LocationMatch::Exact)) {
            redirect = &route;
        }
    }
    if (prefix && prefix->prefix.size() == uri.size()) {
        found->route = prefix;
        return Search::Prefix;
    }
    if (redirect) {
        found->route = redirect;
        return Search::Redirect;
    }
    if (!prefix)
        return Search::Declined;
    found->route = prefix;
    return Search::Prefix;
}

const Route *VirtualServer::namedLocation(QByteArrayView name) const
{
    for (const Route &route : routes) {
        if (route.match == LocationMatch::Named && QByteArrayView(route.prefix).sliced(1) == name)
            return &route;
    }
    return nullptr;
}

QByteArray autoRedirectTarget(const Route &route, QByteArrayView args)
{
    QByteArray target;
    appendEscapedUri(target, route.prefix);
    if (!args.isEmpty()) {
        target.append('?');
        target.append(args);
    }
    return target;
}

const VirtualServer &Listener::serverFor(QByteArrayView host, ServerNameMatch *match) const
{
    ServerNameMatch found = names.find(host);
    const int index = found.server >= 0 ? found.server : defaultServer;
    if (match)
        *match = std::move(found);
    return servers[index];
}

const Listener *RoutingTable::findListener(const QHostAddress &address, quint16 port) const
{
    for (const Listener &listener : listeners) {
        if (listener.port == port && listener.address == address)
            return &listener;
    }
    return nullptr;
}

const UpstreamDefinition *RoutingTable::findUpstream(const UpstreamDefinition &like) const
{
    for (const UpstreamDefinition &upstream : upstreams) {
        if (upstream.implicit == like.implicit && upstream.config.name == like.config.name)
            return &upstream;
    }
    return nullptr;
}

bool RoutingTable::sameListeners(const RoutingTable &other) const
{
    if (listeners.size() != other.listeners.size())
        return false;
    return std::all_of(listeners.cbegin(), listeners.cend(), [&](const Listener &listener) {
        return other.findListener(listener.address, listener.port) != nullptr;
    });
}

std::shared_ptr<RoutingTable> RoutingTable::build(const ProxyConfig &config, const CounterIndexer &counterIndex,
                                                  QString *error)
{
    auto table = std::make_shared<RoutingTable>();
    table->workerThreads = std::max(1, config.workerProcesses);
    table->userVariables = userVariableNames(config);
    for (const UpstreamConfig &upstream : config.upstreams) {
        UpstreamDefinition definition;
        definition.config = upstream;
        QString message;
        if (!PeerGroup::build(upstream, &definition.peers, &message)) {
            *error = where(upstream.source) + message;
            return nullptr;
        }
        if (upstream.method == BalancingMethod::Hash) {
            definition.hashKey = ValueTemplate::compile(upstream.hashKey, &message, &table->userVariables);
            if (!definition.hashKey) {
                *error = where(upstream.source) + message;
                return nullptr;
            }
        }
        table->upstreams.append(std::move(definition));
    }
    const QSet<quint16> everyAddress = everyAddressPorts(config);
    for (int i = 0; i < int(config.servers.size()); ++i) {
        if (!addServer(*table, config, i, everyAddress, error))
            return nullptr;
    }
    if (logsResponseHeaders(config)) {
        for (Listener &listener : table->listeners) {
            for (VirtualServer &server : listener.servers) {
                for (Route &route : server.routes)
                    route.keepResponseHeaders = true;
            }
        }
    }
    for (UpstreamDefinition &upstream : table->upstreams) {
        for (PeerList *list : {&upstream.peers.primary, &upstream.peers.backup}) {
            for (Peer &peer : list->peers) {
                peer.statsSlot = counterIndex(upstream.config.name, peer.name);
                if (peer.statsSlot < 0 || peer.statsSlot >= PeerCounterTable::MaxSlots) {
                    *error = where(upstream.config.source) +
                             u"upstream \"%1\": server %2 would be peer number %3 since the start; LB Scope keeps "
                             u"counters for %4 peers at most: restart the proxy to count from zero"_s
                                 .arg(upstream.config.name, QString::fromLatin1(peer.name))
                                 .arg(peer.statsSlot + 1)
                                 .arg(PeerCounterTable::MaxSlots);
                    return nullptr;
                }
            }
        }
    }
    if (table->listeners.isEmpty()) {
        *error = config.sourceFile + u": no server block to listen on"_s;
        return nullptr;
    }
    return table;
}

} // namespace lbscope
