#pragma once

#include "balancing/balancer.h"

#include <random>
#include <vector>

namespace lbscope {

// random and random two [least_conn] (spec section 5): a peer drawn with probability
// weight / total weight; "two" draws two different eligible peers and takes the less loaded,
// the second on a tie.
class RandomBalancer final : public Balancer
{
public:
    RandomBalancer(const PeerGroup &group, bool two);
    BalancingMethod method() const override { return BalancingMethod::Random; }
    void addMethodState(BalancerStateSnapshot &snapshot) const override { snapshot.randomTwo = m_two; }

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;

private:
    Peer &draw(PeerList &list, Decision &decision);
    Peer *pickOne(PeerSelection &selection, qint64 nowSecs, Decision &decision);
    Peer *pickTwo(PeerSelection &selection, qint64 nowSecs, Decision &decision);

    bool m_two;
    std::vector<int> m_rangeStart; // sum of the weights of the peers before each peer
    std::mt19937 m_random;
};

} // namespace lbscope
