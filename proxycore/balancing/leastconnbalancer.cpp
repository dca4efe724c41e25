#include "balancing/leastconnbalancer.h"

namespace lbscope {

namespace {

// conns/weight compared by cross-multiplying, as nginx does, to stay in integers.
qint64 compareLoad(const Peer &a, const Peer &b)
{
    return qint64(a.state->conns) * b.weight - qint64(b.state->conns) * a.weight;
}

} // namespace

Peer *LeastConnBalancer::pickFromList(PeerSelection &selection, const PickInput &, qint64 nowSecs, Decision &decision)
{
    QList<Peer> &peers = selection.list->peers;
    Peer *best = nullptr;
    bool many = false;
    decision.effectiveWeights.clear();
    for (Peer &peer : peers) {
        decision.conns.append(peer.state->conns);
        if (!isEligible(peer, selection, nowSecs, &decision)) {
            noteEffectiveWeight(decision, peers, peer, peer.state->effectiveWeight);
            continue;
        }
        // What the tie-break's add step uses: noted here, where every peer is seen once.
        noteEffectiveWeight(decision, peers, peer, std::min(peer.state->effectiveWeight, peer.weight));
        if (!best || compareLoad(peer, *best) < 0) {
            best = &peer;
            many = false;
        } else if (compareLoad(peer, *best) == 0) {
            many = true;
        }
    }
    if (!best || !many)
        return best;

    // Several peers share the lowest load: weighted round robin over just those, from the
    // first of them on.
    const Peer *lowest = best;
    int total = 0;
    for (qsizetype i = lowest->index; i < peers.size(); ++i) {
        Peer &peer = peers[i];
        if (compareLoad(peer, *lowest) != 0 || !isEligible(peer, selection, nowSecs, nullptr))
            continue;
        decision.ties.append(peer.index);
        addEffectiveWeight(peer, total);
        if (peer.state->currentWeight > best->state->currentWeight)
            best = &peer;
    }
    for (const Peer &peer : peers)
        decision.weightsBefore.append(peer.state->currentWeight);
    best->state->currentWeight -= total;
    decision.weightsAfter = decision.weightsBefore;
    decision.weightsAfter[best->index] = best->state->currentWeight;
    return best;
}

} // namespace lbscope
