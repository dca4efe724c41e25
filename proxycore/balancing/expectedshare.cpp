#include "balancing/expectedshare.h"

namespace lbscope {

bool isAvailable(PeerState state)
{
    return state != PeerState::Down && state != PeerState::Draining && state != PeerState::Failed;
}

ExpectedShares expectedShares(BalancingMethod method, const QList<SharePeer> &peers)
{
    ExpectedShares result;
    result.shares.fill(0.0, peers.size());
    result.dependsOnKeys = method == BalancingMethod::Hash || method == BalancingMethod::IpHash;

    const auto primaries = std::count_if(peers.cbegin(), peers.cend(), [](const SharePeer &p) { return !p.backup; });
    const bool hasBackups = primaries < peers.size();
    const bool single = primaries == 1 && !hasBackups;

    auto eligible = [&](const SharePeer &peer, bool backupList) {
        if (peer.backup != backupList || peer.weight <= 0)
            return false;
        // nginx's single-peer path checks only `down`; draining is LB Scope's and takes nothing new.
        if (single)
            return peer.state != PeerState::Down && peer.state != PeerState::Draining;
        return isAvailable(peer.state);
    };
    auto spread = [&](bool backupList) {
        qint64 total = 0;
        for (const SharePeer &peer : peers)
            total += eligible(peer, backupList) ? peer.weight : 0;
        if (total == 0)
            return false;
        for (qsizetype i = 0; i < peers.size(); ++i) {
            if (eligible(peers[i], backupList))
                result.shares[i] = double(peers[i].weight) / double(total);
        }
        return true;
    };
    if (!spread(false) && hasBackups)
        result.onBackup = spread(true);
    return result;
}

ExpectedShares expectedShares(const UpstreamConfig &upstream, const QList<PeerState> &states)
{
    QList<SharePeer> peers;
    peers.reserve(upstream.servers.size());
    for (qsizetype i = 0; i < upstream.servers.size(); ++i) {
        const UpstreamServer &server = upstream.servers[i];
        PeerState state = states.value(i, PeerState::Up);
        if (server.down)
            state = PeerState::Down;
        else if (server.draining)
            state = PeerState::Draining;
        peers.append(SharePeer{server.weight, server.backup, state});
    }
    return expectedShares(upstream.method, peers);
}

ExpectedShares expectedShares(const UpstreamSnapshot &upstream)
{
    QList<SharePeer> peers;
    peers.reserve(upstream.peers.size());
    for (const PeerSnapshot &peer : upstream.peers)
        peers.append(SharePeer{peer.weight, peer.backup, peer.state});
    return expectedShares(upstream.method, peers);
}

} // namespace lbscope
