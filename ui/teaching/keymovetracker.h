#pragma once

// Which hash keys changed owner when the server list changed: it remembers key -> server from
// the picks before the change and, for each key seen again after it, whether it went to
// another server. "M of K keys moved": about 1/N under `hash ... consistent` when a server is
// added, most of them under plain `hash`. Owners come from the engine's decisions.

#include "balancing/decision.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QHash>
#include <QList>

namespace lbscope {

class KeyMoveTracker
{
    Q_DECLARE_TR_FUNCTIONS(KeyMoveTracker)

public:
    static constexpr int MaxKeys = 20'000; // keeps memory flat under a long run of new keys

    // A hash decision: its key went to its pick. A new method starts afresh.
    void note(const Decision &decision);
    void reset();

    // Since the last server-list change (false before the first).
    bool changed() const { return m_changed; }
    int keysSeenAgain() const { return m_seenAgain; }
    int keysMoved() const { return m_moved; }
    int serversBefore() const { return int(m_serversBefore.size()); }
    int serversAfter() const { return int(m_servers.size()); }
    int keysKnown() const { return int(m_owners.size()); }
    // "12 of 40 keys moved (30%) when 3 servers became 4", or what it waits for.
    QString text() const;

private:
    bool m_consistent = false;
    bool m_started = false;
    const void *m_namesSeen = nullptr; // the decision's PeerNames last compared
    QList<QByteArray> m_servers;
    QList<QByteArray> m_serversBefore;
    QHash<QByteArray, QByteArray> m_owners; // key -> server, newest
    QHash<QByteArray, QByteArray> m_before; // key -> server when the list changed
    QHash<QByteArray, bool> m_after;        // key seen again since: moved?
    bool m_changed = false;
    int m_seenAgain = 0;
    int m_moved = 0;
};

} // namespace lbscope
