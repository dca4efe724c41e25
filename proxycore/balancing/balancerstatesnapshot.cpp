#include "balancing/balancerstatesnapshot.h"

#include "balancing/balancer.h"

namespace lbscope {

BalancerStateSnapshot BalancerStateSnapshot::capture(const PeerGroup &group, const Balancer &balancer, qint64 nowMs)
{
    BalancerStateSnapshot snapshot;
    snapshot.upstream = group.upstreamName;
    snapshot.method = balancer.method();
    balancer.addMethodState(snapshot);
    snapshot.takenAtMs = nowMs;
    const qint64 nowSecs = nowMs / 1000;
    for (const PeerList *list : {&group.primary, &group.backup}) {
        for (const Peer &peer : list->peers) {
            const PeerLiveState &state = *peer.state;
            snapshot.peers.append({peer.name, peer.serverText, list == &group.backup, peer.weight,
                                   state.effectiveWeight, state.currentWeight, state.conns, peer.maxConns, state.fails,
                                   peer.maxFails, peer.failedUntil(nowSecs), peer.down, peer.draining});
        }
    }
    return snapshot;
}

} // namespace lbscope
