#include "proxyconfig.h"

namespace lbscope {

namespace {

// The innermost level that sets the value wins; nginx's ngx_conf_merge_*_value, three levels deep.
template <typename T>
void merge(T *target, const std::optional<T> &http, const std::optional<T> &server,
           const std::optional<T> *location)
{
    if (location && location->has_value())
        *target = **location;
    else if (server.has_value())
        *target = *server;
    else if (http.has_value())
        *target = *http;
}

bool hasDirectives(const std::optional<QList<HeaderDirective>> &list)
{
    return list.has_value() && !list->isEmpty();
}

// A header list is taken whole from the innermost level that has any: nginx never appends
// an outer level's proxy_set_header or add_header lines to an inner level's.
QList<HeaderDirective> mergeHeaders(const std::optional<QList<HeaderDirective>> &http,
                                    const std::optional<QList<HeaderDirective>> &server,
                                    const std::optional<QList<HeaderDirective>> *location)
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

ResolvedLocation resolveSettings(const ProxySettings &http, const ProxySettings &server,
                                 const ProxySettings *location)
{
    ResolvedLocation r;
    const auto inner = [location](auto member) { return location ? &(location->*member) : nullptr; };

    r.proxySetHeaders =
        mergeHeaders(http.proxySetHeaders, server.proxySetHeaders, inner(&ProxySettings::proxySetHeaders));
    r.addHeaders = mergeHeaders(http.addHeaders, server.addHeaders, inner(&ProxySettings::addHeaders));

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
    mergeField(&ResolvedLocation::clientHeaderTimeoutMs, &ProxySettings::clientHeaderTimeoutMs);
    mergeField(&ResolvedLocation::clientBodyTimeoutMs, &ProxySettings::clientBodyTimeoutMs);
    mergeField(&ResolvedLocation::keepaliveTimeoutMs, &ProxySettings::keepaliveTimeoutMs);
    mergeField(&ResolvedLocation::keepaliveRequests, &ProxySettings::keepaliveRequests);

    // "off" anywhere in the list switches retries off, whatever else is listed (as nginx merges it).
    if (r.proxyNextUpstream & NextUpstreamOff)
        r.proxyNextUpstream = NextUpstreamOff;
    return r;
}

} // namespace lbscope
