#pragma once

// A balancing Decision in plain sentences, for the request detail pane: what the method
// looked at and why that server won, in words a student follows. Decisions name peers by
// index; PeerNames turns an index into the address the window shows.

#include "balancing/decision.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

namespace lbscope {

struct StatsSnapshot;

// One upstream's peers in the balancer's order: primaries, then backups.
struct PeerNames
{
    QList<QByteArray> primary;
    QList<QByteArray> backup;

    // The address, or "server #n" when the index is not known (the pool changed since).
    QString name(int index, bool fromBackup) const;
    static PeerNames from(const StatsSnapshot &stats, const QString &upstream);
};

class DecisionExplainer
{
    Q_DECLARE_TR_FUNCTIONS(DecisionExplainer)

public:
    // pickedAddress: where the attempt went (its $upstream_addr entry), which names the
    // picked peer even when the pool changed since; empty: names decides.
    DecisionExplainer(const Decision &decision, const PeerNames &names, const QByteArray &clientAddress,
                      const QByteArray &pickedAddress = {});

    // One sentence per line: what it skipped, whether backups were used, how the method chose.
    QStringList sentences() const;

private:
    static QString list(const QList<int> &values);
    QString peer(int index) const;
    QString weighted() const;
    QString choice() const;
    QStringList skips() const;

    const Decision &m_decision;
    const PeerNames &m_names;
    QByteArray m_client;
    QByteArray m_pickedAddress;
};

} // namespace lbscope
