#include "teaching/statepick.h"

#include "balancing/peer.h"

namespace lbscope {

int StatePick::peerCount() const
{
    if (decision.peers)
        return int((decision.backup ? decision.peers->backup : decision.peers->primary).size());
    return int(std::max({decision.weightsBefore.size(), decision.conns.size(), decision.effectiveWeights.size()}));
}

const PeerBalancerState *StatePick::peerState(const QByteArray &name) const
{
    for (const PeerBalancerState &peer : state.peers) {
        if (peer.name == name && peer.backup == decision.backup)
            return &peer;
    }
    return nullptr;
}

} // namespace lbscope
