#pragma once

#include "balancing/balancer.h"

namespace lbscope {

// nginx's default method: smooth weighted round robin (spec section 1).
class RoundRobinBalancer final : public Balancer
{
public:
    BalancingMethod method() const override { return BalancingMethod::RoundRobin; }

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;
};

} // namespace lbscope
