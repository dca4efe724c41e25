#include "balancing/balancer.h"

#include "balancing/consistenthashbalancer.h"
#include "balancing/hashbalancer.h"
#include "balancing/iphashbalancer.h"
#include "balancing/leastconnbalancer.h"
#include "balancing/randombalancer.h"
#include "balancing/roundrobinbalancer.h"

namespace lbscope {

namespace {

void markInUse(PeerSelection &selection, Peer &peer, qint64 nowSecs)
{
    selection.markTried(peer.index);
    if (nowSecs - peer.state->checked > peer.failTimeoutSecs)
        peer.state->checked = nowSecs;
    ++peer.state->conns;
    selection.current = &peer;
}

} // namespace

std::unique_ptr<Balancer> Balancer::create(const UpstreamConfig &config, const PeerGroup &group)
{
    switch (config.method) {
    case BalancingMethod::RoundRobin:
        break;
    case BalancingMethod::LeastConn:
        return std::make_unique<LeastConnBalancer>();
    case BalancingMethod::IpHash:
        return std::make_unique<IpHashBalancer>();
    case BalancingMethod::Hash:
        if (config.hashConsistent)
            return std::make_unique<ConsistentHashBalancer>(group);
        return std::make_unique<HashBalancer>();
    case BalancingMethod::Random:
        return std::make_unique<RandomBalancer>(group, config.randomTwo);
    }
    return std::make_unique<RoundRobinBalancer>();
}

Peer *Balancer::pick(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision)
{
    decision = Decision{};
    decision.method = method();
    PeerGroup &group = *selection.group;
    decision.peers = group.names;
    selection.current = nullptr;

    if (group.single && !selection.onBackup) {
        Peer &peer = group.primary.peers.first();
        decision.single = true;
        if (peer.down || peer.draining || (peer.maxConns > 0 && peer.state->conns >= peer.maxConns)) {
            const SkipReason reason =
                peer.down ? SkipReason::Down : (peer.draining ? SkipReason::Draining : SkipReason::MaxConns);
            decision.skipped.append({0, reason, false, 0});
            return nullptr;
        }
        ++peer.state->conns;
        selection.current = &peer;
        decision.picked = 0;
        return &peer;
    }

    Peer *peer = pickFromList(selection, input, nowSecs, decision);
    if (!peer && !selection.onBackup && !group.backup.isEmpty()) {
        selection.switchToBackup();
        decision.backup = true;
        peer = pickFromList(selection, input, nowSecs, decision);
    }
    if (!peer)
        return nullptr;
    markInUse(selection, *peer, nowSecs);
    decision.picked = peer->index;
    return peer;
}

void Balancer::release(PeerSelection &selection, bool failed, qint64 nowSecs)
{
    Peer *peer = selection.current;
    if (!peer)
        return;
    selection.current = nullptr;
    --peer->state->conns;
    if (selection.group->single && !selection.onBackup) {
        peer->state->fails = 0; // a lone server is never taken out (spec 1.3)
        selection.triesLeft = 0;
        return;
    }
    if (failed) {
        ++peer->state->fails;
        peer->state->accessed = nowSecs;
        peer->state->checked = nowSecs;
        if (peer->maxFails > 0)
            peer->state->effectiveWeight -= peer->weight / peer->maxFails;
        peer->state->effectiveWeight = std::max(peer->state->effectiveWeight, 0);
    } else if (peer->state->accessed < peer->state->checked) {
        peer->state->fails = 0;
    }
    if (selection.triesLeft > 0)
        --selection.triesLeft;
}

bool Balancer::isEligible(const Peer &peer, const PeerSelection &selection, qint64 nowSecs, Decision *decision)
{
    SkipReason reason;
    if (selection.tried(peer.index))
        reason = SkipReason::Tried;
    else if (peer.down)
        reason = SkipReason::Down;
    else if (peer.draining)
        reason = SkipReason::Draining;
    else if (peer.isFailed(nowSecs))
        reason = SkipReason::Failed;
    else if (peer.maxConns > 0 && peer.state->conns >= peer.maxConns)
        reason = SkipReason::MaxConns;
    else
        return true;
    if (decision && reason != SkipReason::Tried)
        decision->skipped.append({peer.index, reason, selection.onBackup, peer.state->checked + peer.failTimeoutSecs});
    return false;
}

Peer *Balancer::pickWeighted(PeerSelection &selection, qint64 nowSecs, Decision &decision)
{
    QList<Peer> &peers = selection.list->peers;
    Peer *best = nullptr;
    int total = 0;
    decision.effectiveWeights.clear();
    for (Peer &peer : peers) {
        if (!isEligible(peer, selection, nowSecs, &decision)) {
            noteEffectiveWeight(decision, peers, peer, peer.state->effectiveWeight);
            continue;
        }
        noteEffectiveWeight(decision, peers, peer, addEffectiveWeight(peer, total));
        if (!best || peer.state->currentWeight > best->state->currentWeight)
            best = &peer;
    }
    decision.weightsBefore.clear();
    for (const Peer &peer : peers)
        decision.weightsBefore.append(peer.state->currentWeight);
    if (!best)
        return nullptr;
    best->state->currentWeight -= total;
    decision.weightsAfter = decision.weightsBefore;
    decision.weightsAfter[best->index] = best->state->currentWeight;
    return best;
}

int Balancer::addEffectiveWeight(Peer &peer, int &total)
{
    PeerLiveState &state = *peer.state;
    // Above weight only when a request from before a weight cut retried on its old list.
    state.effectiveWeight = std::min(state.effectiveWeight, peer.weight);
    const int added = state.effectiveWeight;
    state.currentWeight += added;
    total += added;
    if (state.effectiveWeight < peer.weight)
        ++state.effectiveWeight;
    return added;
}

void Balancer::noteEffectiveWeight(Decision &decision, const QList<Peer> &peers, const Peer &peer, int effective)
{
    if (decision.effectiveWeights.isEmpty()) {
        if (effective == peer.weight)
            return;
        // The peers noted before this one had their configured weight, as have those after
        // until they are noted.
        decision.effectiveWeights.reserve(peers.size());
        for (const Peer &each : peers)
            decision.effectiveWeights.append(each.weight);
    }
    decision.effectiveWeights[peer.index] = effective;
}

Peer *Balancer::fallBackToRoundRobin(PeerSelection &selection, qint64 nowSecs, Decision &decision)
{
    selection.roundRobinFallback = true;
    decision.roundRobinFallback = true;
    return pickWeighted(selection, nowSecs, decision);
}

Peer &Balancer::peerAtWeight(PeerList &list, quint32 w)
{
    qsizetype index = 0;
    while (w >= quint32(list.peers[index].weight)) {
        w -= quint32(list.peers[index].weight);
        ++index;
    }
    return list.peers[index];
}

} // namespace lbscope
