#pragma once

// A balancing Decision in plain sentences, for the request detail pane: what the method
// looked at and why that server won, in words a student follows. Decisions name peers by
// index; the decision's own PeerNames (the list as it was when it chose) turn an index into
// the address the window shows.

#include "balancing/decision.h"
#include "balancing/peer.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace lbscope {

struct StatsSnapshot;

// The current pool's peers in the balancer's order (primaries, then backups): the names for
// a decision that does not carry its own.
PeerNames peerNamesFrom(const StatsSnapshot &stats, const QString &upstream);

class DecisionExplainer
{
    Q_DECLARE_TR_FUNCTIONS(DecisionExplainer)

public:
    // Peers are named by the decision's own list; fallback names the peers of a decision
    // without one. pickedAddress: where the attempt went (its $upstream_addr entry).
    DecisionExplainer(const Decision &decision, const PeerNames &fallback, const QByteArray &clientAddress,
                      const QByteArray &pickedAddress = {});

    // One sentence per line: what it skipped, whether backups were used, how the method chose.
    QStringList sentences() const;
    // The same in one sentence that starts with the winner, for step mode's caption:
    // "127.0.0.1:3100 chosen: highest current weight 3; then 7 subtracted."
    QString summary() const;

private:
    static QString list(const QList<int> &values);
    QString peer(int index) const;
    QString nameOf(int index, bool inBackup) const;
    QString weighted() const;
    QString choice() const;
    QString briefChoice() const;
    QString briefSkips() const;
    QStringList skips() const;

    const Decision &m_decision;
    const PeerNames &m_fallback;
    QByteArray m_client;
    QByteArray m_pickedAddress;
};

} // namespace lbscope
