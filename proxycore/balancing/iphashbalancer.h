#pragma once

#include "balancing/balancer.h"

namespace lbscope {

// ip_hash (spec section 2): the client's first three IPv4 octets (or whole IPv6 address)
// hashed with nginx's constants, mapped by weight; rehashed when the candidate is out, and
// round robin after 20 rejections.
class IpHashBalancer final : public Balancer
{
public:
    BalancingMethod method() const override { return BalancingMethod::IpHash; }

    // The bytes nginx hashes for a client address.
    static QByteArray keyBytes(const QHostAddress &client);

protected:
    Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision) override;
};

} // namespace lbscope
