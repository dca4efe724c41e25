#pragma once

// An upstream as one worker uses it: its balancer state, and its keepalive pool. The state
// is the worker's own, as in an nginx worker process, unless the upstream has a `zone`:
// then every worker shares one state, as nginx workers share the zone's memory, and each
// pick and release takes its lock.

#include "balancing/balancer.h"
#include "variables/valuetemplate.h"

#include <QMutex>

#include <functional>
#include <memory>
#include <optional>

namespace lbscope {

class KeepalivePool;
struct RoutingTable;
struct UpstreamDefinition;

struct BalancerState
{
    // Fresh, as after a reload; mutex is the lock of a state shared between workers, or null.
    BalancerState(const UpstreamDefinition &definition, std::shared_ptr<QMutex> mutex);

    // The state for definition in a new table: previous itself when nothing of the upstream
    // changed; after an edit, a successor that keeps the state of the peers that stay (and
    // previous's lock, so in-flight requests on previous and new ones on the successor
    // serialize on one lock); a fresh one after a reload or a method switch (the lineage
    // differs) or without previous.
    static std::shared_ptr<BalancerState> follow(const UpstreamDefinition &definition,
                                                 const std::shared_ptr<BalancerState> &previous, bool shared);

    bool isShared() const { return mutex != nullptr; }
    // A copy of the state; takes the lock when shared.
    BalancerStateSnapshot snapshot(qint64 nowMs) const;

    UpstreamConfig config;
    quint64 lineage = 0;
    PeerGroup peers;
    std::unique_ptr<Balancer> balancer;
    std::shared_ptr<QMutex> mutex;
};

class UpstreamRuntime
{
public:
    // Holds the table that defines it, so a request in flight can outlive an edit. changed
    // runs (in the worker's thread) after each pick and release.
    UpstreamRuntime(std::shared_ptr<const RoutingTable> table, const UpstreamDefinition &definition,
                    std::shared_ptr<BalancerState> state, std::shared_ptr<KeepalivePool> pool,
                    std::function<void()> changed);

    const UpstreamDefinition &definition() const { return *m_definition; }
    const std::shared_ptr<BalancerState> &state() const { return m_state; }
    KeepalivePool *pool() const { return m_pool.get(); }
    const QString &name() const { return m_state->peers.upstreamName; }

    void startSelection(PeerSelection &selection, int nextUpstreamTries);
    Peer *pick(PeerSelection &selection, const PickInput &input, Decision &decision);
    // Ends the attempt; returns until when (epoch seconds) the peer is now out for failures,
    // or 0 when it is available. *madeUnavailable: this failure took an available peer out.
    qint64 release(PeerSelection &selection, bool failed, bool *madeUnavailable = nullptr);

private:
    std::shared_ptr<const RoutingTable> m_table;
    const UpstreamDefinition *m_definition;
    std::shared_ptr<BalancerState> m_state;
    std::shared_ptr<KeepalivePool> m_pool;
    std::function<void()> m_changed;
};

} // namespace lbscope
