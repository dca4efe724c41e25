#include "balancing/roundrobinbalancer.h"

namespace lbscope {

Peer *RoundRobinBalancer::pickFromList(PeerSelection &selection, const PickInput &, qint64 nowSecs, Decision &decision)
{
    return pickWeighted(selection, nowSecs, decision);
}

} // namespace lbscope
