#pragma once

// An upstream as one worker uses it: its balancer state, and its keepalive pool. The state
// is the worker's own, as in an nginx worker process, unless the upstream has a `zone`:
// then every worker shares one state, as nginx workers share the zone's memory, and each
// pick and release takes its lock.

#include "balancing/balancer.h"
#include "http/variables.h"

#include <QMutex>

#include <memory>
#include <optional>

namespace lbscope {

class KeepalivePool;
struct RoutingTable;
struct UpstreamDefinition;

struct BalancerState
{
    BalancerState(const UpstreamDefinition &definition, bool shared);

    PeerGroup peers;
    std::unique_ptr<Balancer> balancer;
    const bool shared;
    QMutex mutex; // taken only when shared
};

class UpstreamRuntime
{
public:
    // Holds the table that defines it, so a request in flight can outlive an edit.
    UpstreamRuntime(std::shared_ptr<const RoutingTable> table, const UpstreamDefinition &definition,
                    std::shared_ptr<BalancerState> state, std::shared_ptr<KeepalivePool> pool);

    const UpstreamDefinition &definition() const { return *m_definition; }
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
};

} // namespace lbscope
