#include "proxyconfig.h"

#include "config/servername.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace lbscope {

namespace {

// The innermost level that sets the value wins; nginx's ngx_conf_merge_*_value, three levels deep.
template <typename T>
void merge(T *target, const std::optional<T> &http, const std::optional<T> &server, const std::optional<T> *location)
{
    if (location && location->has_value())
        *target = **location;
    else if (server.has_value())
        *target = *server;
    else if (http.has_value())
        *target = *http;
}

template <typename T>
std::optional<T> innermost(const std::optional<T> &http, const std::optional<T> &server,
                           const std::optional<T> *location)
{
    if (location && location->has_value())
        return *location;
    return server.has_value() ? server : http;
}

template <typename T> bool hasDirectives(const std::optional<QList<T>> &list)
{
    return list.has_value() && !list->isEmpty();
}

// A list is taken whole from the innermost level that has any: nginx never appends an outer
// level's proxy_set_header, add_header, access_log, allow/deny or set_real_ip_from lines to an
// inner level's.
template <typename T>
QList<T> mergeList(const std::optional<QList<T>> &http, const std::optional<QList<T>> &server,
                   const std::optional<QList<T>> *location)
{
    if (location && hasDirectives(*location))
        return **location;
    if (hasDirectives(server))
        return *server;
    if (hasDirectives(http))
        return *http;
    return {};
}

} // namespace

const UpstreamConfig *ProxyConfig::findUpstream(QStringView name) const
{
    // nginx matches upstream names without regard to case.
    for (const UpstreamConfig &upstream : upstreams) {
        if (name.compare(upstream.name, Qt::CaseInsensitive) == 0)
            return &upstream;
    }
    return nullptr;
}

QString ProxyConfig::resolvePath(const QString &path) const
{
    if (QDir::isAbsolutePath(path))
        return path;
    const QString base = !prefix.isEmpty()      ? prefix
                         : sourceFile.isEmpty() ? QDir::currentPath()
                                                : QFileInfo(sourceFile).absolutePath();
    // As nginx joins them: the prefix, a slash if it has none, the path; nothing cleaned.
    return base.endsWith(u'/') ? QString(base + path) : QString(base + u'/' + path);
}

const LogFormat *ProxyConfig::findLogFormat(QStringView name) const
{
    const LogFormat &combined = combinedLogFormat();
    if (name.compare(combined.name, Qt::CaseInsensitive) == 0)
        return &combined;
    for (const LogFormat &format : logFormats) {
        if (name.compare(format.name, Qt::CaseInsensitive) == 0)
            return &format;
    }
    return nullptr;
}

const LogFormat &combinedLogFormat()
{
    static const LogFormat combined{
        QStringLiteral("combined"),
        QStringLiteral("default"),
        QStringLiteral("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
                       "\"$http_referer\" \"$http_user_agent\""),
        {}};
    return combined;
}

ProxySettings inheritSettings(const ProxySettings &outer, const ProxySettings &inner)
{
    // Every member of ProxySettings, as resolveSettings() merges it: a list from the inner level
    // when it has any lines, any other value when the inner level sets it.
    ProxySettings r = outer;
    const auto value = [&](auto member) {
        if ((inner.*member).has_value())
            r.*member = inner.*member;
    };
    const auto list = [&](auto member) {
        if (hasDirectives(inner.*member))
            r.*member = inner.*member;
    };
    list(&ProxySettings::proxySetHeaders);
    list(&ProxySettings::addHeaders);
    list(&ProxySettings::errorPages);
    list(&ProxySettings::accessLogs);
    list(&ProxySettings::accessRules);
    list(&ProxySettings::setRealIpFrom);
    value(&ProxySettings::proxyHttpVersionMinor);
    value(&ProxySettings::proxyNextUpstream);
    value(&ProxySettings::proxyNextUpstreamTries);
    value(&ProxySettings::proxyNextUpstreamTimeoutMs);
    value(&ProxySettings::proxyConnectTimeoutMs);
    value(&ProxySettings::proxySendTimeoutMs);
    value(&ProxySettings::proxyReadTimeoutMs);
    value(&ProxySettings::proxyBufferSize);
    value(&ProxySettings::clientMaxBodySize);
    value(&ProxySettings::clientBodyBufferSize);
    value(&ProxySettings::clientBodyTempPath);
    value(&ProxySettings::proxyRequestBuffering);
    value(&ProxySettings::proxyBuffering);
    value(&ProxySettings::proxyBuffers);
    value(&ProxySettings::proxyBusyBuffersSize);
    value(&ProxySettings::proxyMaxTempFileSize);
    value(&ProxySettings::proxyTempFileWriteSize);
    value(&ProxySettings::proxyTempPath);
    value(&ProxySettings::sendTimeoutMs);
    value(&ProxySettings::proxyInterceptErrors);
    value(&ProxySettings::recursiveErrorPages);
    value(&ProxySettings::clientHeaderTimeoutMs);
    value(&ProxySettings::clientBodyTimeoutMs);
    value(&ProxySettings::keepaliveTimeoutMs);
    value(&ProxySettings::keepaliveRequests);
    value(&ProxySettings::keepaliveTimeMs);
    value(&ProxySettings::proxyRedirects);
    value(&ProxySettings::proxyHideHeaders);
    value(&ProxySettings::proxyPassHeaders);
    value(&ProxySettings::proxyPassRequestHeaders);
    value(&ProxySettings::proxyPassRequestBody);
    value(&ProxySettings::proxySetBody);
    value(&ProxySettings::proxyMethod);
    value(&ProxySettings::proxyIgnoreHeaders);
    value(&ProxySettings::realIpHeader);
    value(&ProxySettings::realIpRecursive);
    return r;
}

QString LocationConfig::modifier() const
{
    switch (match) {
    case LocationMatch::PrefixNoRegex:
        return QStringLiteral("^~");
    case LocationMatch::Exact:
        return QStringLiteral("=");
    case LocationMatch::Regex:
        return QStringLiteral("~");
    case LocationMatch::RegexCaseless:
        return QStringLiteral("~*");
    case LocationMatch::Prefix:
    case LocationMatch::Named:
        break;
    }
    return {};
}

QString LocationConfig::label() const
{
    const QString written = modifier();
    return written.isEmpty() ? prefix : written + u' ' + prefix;
}

bool operator==(const LocationConfig &a, const LocationConfig &b)
{
    return a.match == b.match && a.prefix == b.prefix && a.proxyPass == b.proxyPass && a.rewrites == b.rewrites &&
           a.settings == b.settings && a.source == b.source &&
           std::equal(a.locations.cbegin(), a.locations.cend(), b.locations.cbegin(), b.locations.cend());
}

void collectUserVariables(const QList<LocationConfig> &locations, QStringList *names)
{
    for (const LocationConfig &location : locations) {
        if (location.isRegex()) {
            const QStringList groups = QRegularExpression(location.prefix).namedCaptureGroups();
            for (const QString &group : groups) {
                if (!group.isEmpty() && !names->contains(group.toLower()))
                    names->append(group.toLower());
            }
        }
        collectUserVariables(location.rewrites, names);
        collectUserVariables(location.locations, names);
    }
}

ResolvedLocation resolveSettings(const ProxySettings &http, const ProxySettings &server, const ProxySettings *location)
{
    ResolvedLocation r;
    const auto inner = [location](auto member) { return location ? &(location->*member) : nullptr; };

    r.errorPages = mergeList(http.errorPages, server.errorPages, inner(&ProxySettings::errorPages));
    r.proxySetHeaders = mergeList(http.proxySetHeaders, server.proxySetHeaders, inner(&ProxySettings::proxySetHeaders));
    r.addHeaders = mergeList(http.addHeaders, server.addHeaders, inner(&ProxySettings::addHeaders));
    r.accessLogs = mergeList(http.accessLogs, server.accessLogs, inner(&ProxySettings::accessLogs));
    r.accessRules = mergeList(http.accessRules, server.accessRules, inner(&ProxySettings::accessRules));
    r.setRealIpFrom = mergeList(http.setRealIpFrom, server.setRealIpFrom, inner(&ProxySettings::setRealIpFrom));
    // "access_log off" cancels every access_log of its level, wherever it stands in it.
    if (std::any_of(r.accessLogs.cbegin(), r.accessLogs.cend(), [](const auto &log) { return log.off; }))
        r.accessLogs.clear();

    const auto mergeField = [&](auto resolvedMember, auto settingsMember) {
        merge(&(r.*resolvedMember), http.*settingsMember, server.*settingsMember, inner(settingsMember));
    };
    mergeField(&ResolvedLocation::proxyHttpVersionMinor, &ProxySettings::proxyHttpVersionMinor);
    mergeField(&ResolvedLocation::proxyNextUpstream, &ProxySettings::proxyNextUpstream);
    mergeField(&ResolvedLocation::proxyNextUpstreamTries, &ProxySettings::proxyNextUpstreamTries);
    mergeField(&ResolvedLocation::proxyNextUpstreamTimeoutMs, &ProxySettings::proxyNextUpstreamTimeoutMs);
    mergeField(&ResolvedLocation::proxyConnectTimeoutMs, &ProxySettings::proxyConnectTimeoutMs);
    mergeField(&ResolvedLocation::proxySendTimeoutMs, &ProxySettings::proxySendTimeoutMs);
    mergeField(&ResolvedLocation::proxyReadTimeoutMs, &ProxySettings::proxyReadTimeoutMs);
    mergeField(&ResolvedLocation::proxyBufferSize, &ProxySettings::proxyBufferSize);
    mergeField(&ResolvedLocation::clientMaxBodySize, &ProxySettings::clientMaxBodySize);
    mergeField(&ResolvedLocation::clientBodyBufferSize, &ProxySettings::clientBodyBufferSize);
    mergeField(&ResolvedLocation::clientBodyTempPath, &ProxySettings::clientBodyTempPath);
    mergeField(&ResolvedLocation::proxyRequestBuffering, &ProxySettings::proxyRequestBuffering);
    mergeField(&ResolvedLocation::proxyBuffering, &ProxySettings::proxyBuffering);
    mergeField(&ResolvedLocation::proxyBuffers, &ProxySettings::proxyBuffers);
    mergeField(&ResolvedLocation::proxyBusyBuffersSize, &ProxySettings::proxyBusyBuffersSize);
    mergeField(&ResolvedLocation::proxyMaxTempFileSize, &ProxySettings::proxyMaxTempFileSize);
    mergeField(&ResolvedLocation::proxyTempFileWriteSize, &ProxySettings::proxyTempFileWriteSize);
    mergeField(&ResolvedLocation::proxyTempPath, &ProxySettings::proxyTempPath);
    mergeField(&ResolvedLocation::sendTimeoutMs, &ProxySettings::sendTimeoutMs);
    mergeField(&ResolvedLocation::proxyInterceptErrors, &ProxySettings::proxyInterceptErrors);
    mergeField(&ResolvedLocation::recursiveErrorPages, &ProxySettings::recursiveErrorPages);
    mergeField(&ResolvedLocation::clientHeaderTimeoutMs, &ProxySettings::clientHeaderTimeoutMs);
    mergeField(&ResolvedLocation::clientBodyTimeoutMs, &ProxySettings::clientBodyTimeoutMs);
    mergeField(&ResolvedLocation::keepaliveTimeoutMs, &ProxySettings::keepaliveTimeoutMs);
    mergeField(&ResolvedLocation::keepaliveRequests, &ProxySettings::keepaliveRequests);
    mergeField(&ResolvedLocation::keepaliveTimeMs, &ProxySettings::keepaliveTimeMs);
    mergeField(&ResolvedLocation::proxyHideHeaders, &ProxySettings::proxyHideHeaders);
    mergeField(&ResolvedLocation::proxyPassHeaders, &ProxySettings::proxyPassHeaders);
    mergeField(&ResolvedLocation::proxyPassRequestHeaders, &ProxySettings::proxyPassRequestHeaders);
    mergeField(&ResolvedLocation::proxyPassRequestBody, &ProxySettings::proxyPassRequestBody);
    mergeField(&ResolvedLocation::proxyIgnoreHeaders, &ProxySettings::proxyIgnoreHeaders);
    // Optional in ResolvedLocation too: "set nowhere" means something of its own.
    r.proxyRedirects = innermost(http.proxyRedirects, server.proxyRedirects, inner(&ProxySettings::proxyRedirects));
    r.proxySetBody = innermost(http.proxySetBody, server.proxySetBody, inner(&ProxySettings::proxySetBody));
    r.proxyMethod = innermost(http.proxyMethod, server.proxyMethod, inner(&ProxySettings::proxyMethod));
    mergeField(&ResolvedLocation::realIpHeader, &ProxySettings::realIpHeader);
    mergeField(&ResolvedLocation::realIpRecursive, &ProxySettings::realIpRecursive);

    // "off" anywhere in the list switches retries off, whatever else is listed (as nginx merges it).
    if (r.proxyNextUpstream & NextUpstreamOff)
        r.proxyNextUpstream = NextUpstreamOff;
    return r;
}

} // namespace lbscope

namespace lbscope {

QString validateUpstream(const UpstreamConfig &upstream)
{
    using namespace Qt::StringLiterals;
    const bool backupAllowed =
        upstream.method == BalancingMethod::RoundRobin || upstream.method == BalancingMethod::LeastConn;
    bool hasPrimary = false;
    for (const UpstreamServer &server : upstream.servers) {
        const QString where = u"server \"%1\" in upstream \"%2\": "_s.arg(server.address, upstream.name);
        if (server.host.isEmpty() || server.port == 0)
            return where + u"invalid address"_s;
        if (server.weight < 1)
            return where + u"invalid parameter \"weight=%1\""_s.arg(server.weight);
        if (server.maxFails < 0)
            return where + u"invalid parameter \"max_fails=%1\""_s.arg(server.maxFails);
        if (server.failTimeoutMs < 0)
            return where + u"invalid parameter \"fail_timeout\""_s;
        if (server.maxConns < 0)
            return where + u"invalid parameter \"max_conns=%1\""_s.arg(server.maxConns);
        if (server.backup && !backupAllowed)
            return where + u"balancing method does not support parameter \"backup\""_s;
        hasPrimary = hasPrimary || !server.backup;
    }
    if (!hasPrimary)
        return u"no servers in upstream \"%1\""_s.arg(upstream.name);
    if (upstream.method == BalancingMethod::Hash && upstream.hashKey.isEmpty())
        return u"upstream \"%1\": hash needs a key"_s.arg(upstream.name);
    return {};
}

QStringList userVariableNames(const ProxyConfig &config)
{
    QStringList names;
    for (const ServerConfig &server : config.servers) {
        ServerName::collectCaptureNames(server.serverNames, &names); // a regex name's groups
        collectUserVariables(server.rewrites, &names);
        collectUserVariables(server.locations, &names); // nested ones too
    }
    return names;
}

} // namespace lbscope
