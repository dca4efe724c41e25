#pragma once

// The configuration compiled for the hot path: listeners, their virtual servers and
// locations with header templates ready to evaluate, and the upstream groups. Built once
// per configuration, immutable, shared by every worker.

#include "access/accessrules.h"
#include "balancing/peer.h"
#include "config/proxyconfig.h"
#include "http/variables.h"
#include "realip/realipresolver.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>

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
    QByteArray prefix;
    int upstreamIndex = -1; // into RoutingTable::upstreams; -1: no proxy_pass (404)
    QByteArray proxyHost;   // $proxy_host
    ResolvedLocation settings;
    QList<CompiledHeader> upstreamHeaders; // what goes upstream, nginx's order, defaults merged
    QList<QByteArray> replacedHeaders;     // client headers not passed on (lower case)
    QList<CompiledHeader> addHeaders;
    RealIpResolver realIp; // the preaccess phase's, when the server's found no address
    AccessRules access;
};

struct VirtualServer
{
    QList<QByteArray> names; // server_name, lower case
    QByteArray firstName;
    QByteArray label;          // for access records: the first server_name as written, or the first listen
    QList<Route> routes;       // longest prefix first
    ResolvedLocation settings; // server level, for what happens before routing
    RealIpResolver realIp;     // the post-read phase's
    AccessRules access;        // for a request that no location matches

    const Route *route(QByteArrayView target) const;
};

struct Listener
{
    QHostAddress address; // Any for nginx's "*"
    quint16 port = 0;
    QList<VirtualServer> servers;
    int defaultServer = 0;

    const VirtualServer &serverFor(QByteArrayView host) const;
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
