#include "teaching/keymovetracker.h"

#include "balancing/peer.h"

namespace lbscope {

void KeyMoveTracker::reset()
{
    *this = KeyMoveTracker{};
}

void KeyMoveTracker::note(const Decision &decision)
{
    if (decision.method != BalancingMethod::Hash || decision.picked < 0 || decision.backup || !decision.peers)
        return;
    if (m_started && decision.consistent != m_consistent)
        reset();
    m_started = true;
    m_consistent = decision.consistent;
    if (decision.peers.get() != m_namesSeen) {
        m_namesSeen = decision.peers.get();
        if (!m_servers.isEmpty() && decision.peers->primary != m_servers) {
            m_serversBefore = m_servers;
            m_before = m_owners;
            m_after.clear();
            m_changed = true;
            m_seenAgain = 0;
            m_moved = 0;
        }
        m_servers = decision.peers->primary;
    }
    const QByteArray owner = decision.pickedName();
    if (m_changed && !m_after.contains(decision.key)) {
        const auto before = m_before.constFind(decision.key);
        if (before != m_before.cend()) {
            const bool moved = *before != owner;
            m_after.insert(decision.key, moved);
            ++m_seenAgain;
            m_moved += moved ? 1 : 0;
        }
    }
    if (m_owners.size() < MaxKeys || m_owners.contains(decision.key))
        m_owners.insert(decision.key, owner);
}

QString KeyMoveTracker::text() const
{
    if (!m_changed)
        return tr("%n key(s) seen. Add or remove a server: the keys seen again then show how many changed server.",
                  nullptr, keysKnown());
    if (m_seenAgain == 0)
        return tr("The servers changed (%1 -> %2): send the same keys again to see how many moved.")
            .arg(serversBefore())
            .arg(serversAfter());
    return tr("%1 of %2 keys moved (%3%) when %4 servers became %5.")
        .arg(m_moved)
        .arg(m_seenAgain)
        .arg(QString::number(100.0 * m_moved / m_seenAgain, 'f', 0))
        .arg(serversBefore())
        .arg(serversAfter());
}

} // namespace lbscope
