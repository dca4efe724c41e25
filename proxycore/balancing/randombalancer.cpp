#include "balancing/randombalancer.h"

#include <QRandomGenerator>

#include <algorithm>

namespace lbscope {

RandomBalancer::RandomBalancer(const PeerGroup &group, bool two)
    : m_two(two)
    , m_random(QRandomGenerator::global()->generate())
{
    int sum = 0;
    for (const Peer &peer : group.primary.peers) {
        m_rangeStart.push_back(sum);
        sum += peer.weight; // down peers too, as nginx's ranges do
    }
}

Peer &RandomBalancer::draw(PeerList &list, Decision &decision)
{
    const int x = int(m_random() % quint32(list.totalWeight));
    const auto next = std::upper_bound(m_rangeStart.cbegin(), m_rangeStart.cend(), x);
    const auto index = int(next - m_rangeStart.cbegin()) - 1;
    decision.draws.append(index);
    return list.peers[index];
}

Peer *RandomBalancer::pickFromList(PeerSelection &selection, const PickInput &, qint64 nowSecs, Decision &decision)
{
    decision.randomTwo = m_two;
    if (selection.roundRobinFallback || selection.list->peers.size() < 2)
        return pickWeighted(selection, nowSecs, decision);
    return m_two ? pickTwo(selection, nowSecs, decision) : pickOne(selection, nowSecs, decision);
}

Peer *RandomBalancer::pickOne(PeerSelection &selection, qint64 nowSecs, Decision &decision)
{
    for (;;) {
        Peer &peer = draw(*selection.list, decision);
        if (isEligible(peer, selection, nowSecs, &decision))
            return &peer;
        if (++selection.methodTries > 20)
            return fallBackToRoundRobin(selection, nowSecs, decision);
    }
}

// Every draw but the last counts towards the limit of 20, the accepted first one included.
Peer *RandomBalancer::pickTwo(PeerSelection &selection, qint64 nowSecs, Decision &decision)
{
    Peer *first = nullptr;
    for (;;) {
        Peer &peer = draw(*selection.list, decision);
        if (&peer != first && isEligible(peer, selection, nowSecs, &decision)) {
            if (first) {
                decision.conns = {first->state->conns, peer.state->conns};
                // The second unless it is strictly busier per unit of weight.
                const bool secondBusier =
                    qint64(peer.state->conns) * first->weight > qint64(first->state->conns) * peer.weight;
                return secondBusier ? first : &peer;
            }
            first = &peer;
        }
        if (++selection.methodTries > 20)
            return fallBackToRoundRobin(selection, nowSecs, decision);
    }
}

} // namespace lbscope
