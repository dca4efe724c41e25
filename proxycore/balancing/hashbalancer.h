#pragma once

#include "balancing/balancer.h"

namespace lbscope {

// hash KEY (spec section 3.1), compatible with Cache::Memcached: a running sum of
// (crc32([REHASH] KEY) >> 16) & 0x7fff mapped by weight, one more round per rejected peer.
class HashBalancer final : public Balancer
{
public:
    BalancingMethod method() const override { return BalancingMethod::Hash; }

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;
};

} // namespace lbscope
