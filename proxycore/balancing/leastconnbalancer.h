#pragma once

#include "balancing/balancer.h"

namespace lbscope {

// least_conn (spec section 4): the first peer with the fewest active connections per unit of
// weight; ties go to smooth weighted round robin among the tied peers.
class LeastConnBalancer final : public Balancer
{
public:
    BalancingMethod method() const override { return BalancingMethod::LeastConn; }

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;
};

} // namespace lbscope
