#include "proxy/upstreamruntime.h"

#include "proxy/idletimer.h"
#include "proxy/keepalivepool.h"
#include "proxy/routing.h"

#include <QDateTime>

#include <optional>

namespace lbscope {

namespace {

// Holds the state's lock for the scope when the state is shared between workers.
class SharedStateLocker
{
public:
    explicit SharedStateLocker(const BalancerState &state)
    {
        if (state.mutex)
            m_locker.emplace(state.mutex.get());
    }

private:
    std::optional<QMutexLocker<QMutex>> m_locker;
};

bool samePeers(const PeerGroup &a, const PeerGroup &b)
{
    return a.names->primary == b.names->primary && a.names->backup == b.names->backup;
}

} // namespace

BalancerState::BalancerState(const UpstreamDefinition &definition, std::shared_ptr<QMutex> lock)
    : config(definition.config)
    , lineage(definition.lineage)
    , peers(definition.peers)
    , mutex(std::move(lock))
{
    peers.makeStatesOwn();
    balancer = Balancer::create(config, peers);
}

std::shared_ptr<BalancerState> BalancerState::follow(const UpstreamDefinition &definition,
                                                     const std::shared_ptr<BalancerState> &previous, bool shared)
{
    if (!previous || previous->lineage != definition.lineage || previous->isShared() != shared)
        return std::make_shared<BalancerState>(definition, shared ? std::make_shared<QMutex>() : nullptr);
    if (previous->config == definition.config && samePeers(previous->peers, definition.peers))
        return previous;
    auto successor = std::make_shared<BalancerState>(definition, previous->mutex);
    const SharedStateLocker locker(*previous);
    successor->peers.adoptStates(previous->peers);
    return successor;
}

BalancerStateSnapshot BalancerState::snapshot(qint64 nowMs) const
{
    const SharedStateLocker locker(*this);
    return BalancerStateSnapshot::capture(peers, *balancer, nowMs);
}

UpstreamRuntime::UpstreamRuntime(std::shared_ptr<const RoutingTable> table, const UpstreamDefinition &definition,
                                 std::shared_ptr<BalancerState> state, std::shared_ptr<KeepalivePool> pool,
                                 std::function<void()> changed)
    : m_table(std::move(table))
    , m_definition(&definition)
    , m_state(std::move(state))
    , m_pool(std::move(pool))
    , m_changed(std::move(changed))
{
}

void UpstreamRuntime::startSelection(PeerSelection &selection, int nextUpstreamTries)
{
    selection.start(m_state->peers, nextUpstreamTries);
}

Peer *UpstreamRuntime::pick(PeerSelection &selection, const PickInput &input, Decision &decision)
{
    Peer *peer = nullptr;
    {
        const SharedStateLocker locker(*m_state);
        peer = m_state->balancer->pick(selection, input, coarseEpochSecs(), decision);
    }
    m_changed();
    return peer;
}

qint64 UpstreamRuntime::release(PeerSelection &selection, bool failed, bool *madeUnavailable)
{
    qint64 failedUntil = 0;
    {
        const SharedStateLocker locker(*m_state);
        const Peer *peer = selection.current;
        const qint64 now = coarseEpochSecs();
        const bool wasOut = peer && peer->isFailed(now);
        Balancer::release(selection, failed, now);
        if (peer)
            failedUntil = peer->failedUntil(now); // nginx skips it up to this second
        if (madeUnavailable)
            *madeUnavailable = peer && failed && !wasOut && peer->isFailed(now);
    }
    m_changed();
    return failedUntil;
}

} // namespace lbscope
