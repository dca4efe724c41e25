#include "proxy/upstreamruntime.h"

#include "proxy/idletimer.h"
#include "proxy/keepalivepool.h"
#include "proxy/routing.h"

#include <optional>

namespace lbscope {

namespace {

// Holds the state's lock for the scope when the state is shared between workers.
class SharedStateLocker
{
public:
    explicit SharedStateLocker(BalancerState &state)
    {
        if (state.shared)
            m_locker.emplace(&state.mutex);
    }

private:
    std::optional<QMutexLocker<QMutex>> m_locker;
};

} // namespace

BalancerState::BalancerState(const UpstreamDefinition &definition, bool sharedByWorkers)
    : peers(definition.peers)
    , balancer(Balancer::create(definition.config, definition.peers))
    , shared(sharedByWorkers)
{
}

UpstreamRuntime::UpstreamRuntime(std::shared_ptr<const RoutingTable> table, const UpstreamDefinition &definition,
                                 std::shared_ptr<BalancerState> state, std::shared_ptr<KeepalivePool> pool)
    : m_table(std::move(table))
    , m_definition(&definition)
    , m_state(std::move(state))
    , m_pool(std::move(pool))
{
}

void UpstreamRuntime::startSelection(PeerSelection &selection, int nextUpstreamTries)
{
    selection.start(m_state->peers, nextUpstreamTries);
}

Peer *UpstreamRuntime::pick(PeerSelection &selection, const PickInput &input, Decision &decision)
{
    const SharedStateLocker locker(*m_state);
    return m_state->balancer->pick(selection, input, coarseEpochSecs(), decision);
}

qint64 UpstreamRuntime::release(PeerSelection &selection, bool failed, bool *madeUnavailable)
{
    const SharedStateLocker locker(*m_state);
    const Peer *peer = selection.current;
    const qint64 now = coarseEpochSecs();
    // nginx skips a peer with max_fails reached up to fail_timeout after its last failure.
    const auto isOut = [&] {
        return peer->maxFails > 0 && peer->fails >= peer->maxFails && now <= peer->checked + peer->failTimeoutSecs;
    };
    const bool wasOut = peer && isOut();
    Balancer::release(selection, failed, now);
    if (madeUnavailable)
        *madeUnavailable = peer && failed && !wasOut && isOut();
    if (!peer || peer->maxFails <= 0 || peer->fails < peer->maxFails)
        return 0;
    return peer->checked + peer->failTimeoutSecs; // nginx skips it up to this second
}

} // namespace lbscope
