#pragma once

#include "balancing/balancer.h"

namespace lbscope {

// hash KEY consistent (spec section 3.2), ketama as Cache::Memcached::Fast does it: 160
// points per unit of weight on a crc32 ring, from the server lines' text; a key takes the
// first point at or after crc32(KEY), and the next point when that server is out.
class ConsistentHashBalancer final : public Balancer
{
public:
    explicit ConsistentHashBalancer(const PeerGroup &group);
    BalancingMethod method() const override { return BalancingMethod::Hash; }
    void addMethodState(BalancerStateSnapshot &snapshot) const override;

    // Sorted by hash; each names the first primary peer of its server line.
    const QList<RingPoint> &points() const { return m_points; }

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;

private:
    QList<RingPoint> m_points; // implicitly shared with the snapshots
};

} // namespace lbscope
