#include "logs/decisionexplainer.h"

#include "stats/statssnapshot.h"

#include <QDateTime>
#include <QSet>

using namespace Qt::StringLiterals;

namespace lbscope {

PeerNames peerNamesFrom(const StatsSnapshot &stats, const QString &upstream)
{
    PeerNames names;
    for (const UpstreamSnapshot &snapshot : stats.upstreams) {
        if (snapshot.name != upstream)
            continue;
        for (const PeerSnapshot &peer : snapshot.peers)
            (peer.backup ? names.backup : names.primary).append(peer.peer);
    }
    return names;
}

QString DecisionExplainer::list(const QList<int> &values)
{
    QStringList parts;
    for (const int value : values)
        parts.append(QString::number(value));
    return u'[' + parts.join(u',') + u']';
}

DecisionExplainer::DecisionExplainer(const Decision &decision, const PeerNames &fallback,
                                     const QByteArray &clientAddress, const QByteArray &pickedAddress)
    : m_decision(decision)
    , m_fallback(fallback)
    , m_client(clientAddress)
    , m_pickedAddress(pickedAddress)
{
}

QString DecisionExplainer::peer(int index) const
{
    if (index == m_decision.picked && !m_pickedAddress.isEmpty())
        return QString::fromLatin1(m_pickedAddress);
    return nameOf(index, m_decision.backup);
}

QString DecisionExplainer::nameOf(int index, bool inBackup) const
{
    QByteArray name = m_decision.peerName(index, inBackup);
    if (name.isEmpty() && index >= 0)
        name = (inBackup ? m_fallback.backup : m_fallback.primary).value(index);
    return name.isEmpty() ? tr("server #%1").arg(index + 1) : QString::fromLatin1(name);
}

// Smooth weighted round robin, as nginx does it (also least_conn's tie-break).
QString DecisionExplainer::weighted() const
{
    const Decision &decision = m_decision;
    const int picked = decision.picked;
    const int before = decision.weightsBefore.value(picked);
    const int total = before - decision.weightsAfter.value(picked);
    return tr("Every server's current weight grew by its effective weight: %1. %2 had the highest (%3) and "
              "was picked; the sum of the effective weights (%4) was subtracted from it: %5.")
        .arg(list(decision.weightsBefore), peer(picked))
        .arg(before)
        .arg(total)
        .arg(list(decision.weightsAfter));
}

QString DecisionExplainer::choice() const
{
    const Decision &decision = m_decision;
    const QString picked = peer(decision.picked);
    const QString rehashed = decision.rehashes > 0
                                 ? tr(" The servers hit first could not take it, so the hash was taken again (extra "
                                      "rounds: %1).")
                                       .arg(decision.rehashes)
                                 : QString();
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        return weighted();
    case BalancingMethod::LeastConn: {
        if (decision.ties.size() <= 1)
            return tr("Active connections %1: %2 had the fewest for its weight (%3), so it was picked.")
                .arg(list(decision.conns), picked)
                .arg(decision.conns.value(decision.picked));
        QStringList tied;
        for (const int index : decision.ties)
            tied.append(peer(index));
        return tr("Active connections %1: %2 tied with the fewest for their weight, so round robin decided "
                  "between them. ")
                   .arg(list(decision.conns), tied.join(u", "_s)) +
               weighted();
    }
    case BalancingMethod::IpHash:
        return tr("Client %1 -> key %2 (the first three parts of the address) -> hash %3 -> %4.")
                   .arg(QString::fromLatin1(m_client), QString::fromLatin1(decision.key))
                   .arg(decision.hash)
                   .arg(picked) +
               rehashed;
    case BalancingMethod::Hash:
        if (decision.consistent)
            return tr("Key \"%1\" -> crc32 %2 -> the next point on the ring is #%3, which belongs to %4.")
                       .arg(QString::fromUtf8(decision.key), u"0x%1"_s.arg(decision.hash, 8, 16, QLatin1Char('0')))
                       .arg(decision.point)
                       .arg(picked) +
                   rehashed;
        return tr("Key \"%1\" -> hash %2 -> that hash, taken modulo the total weight, lands on %3.")
                   .arg(QString::fromUtf8(decision.key))
                   .arg(decision.hash)
                   .arg(picked) +
               rehashed;
    case BalancingMethod::Random: {
        QStringList drawn;
        for (const int index : decision.draws)
            drawn.append(peer(index));
        if (decision.randomTwo)
            return tr("Drew two servers at random (%1) with active connections %2 and took the less busy one, "
                      "%3.")
                .arg(drawn.join(u", "_s), list(decision.conns), picked);
        return tr("Drew %1 at random, in proportion to the weights.").arg(picked);
    }
    }
    return {};
}

QStringList DecisionExplainer::skips() const
{
    const Decision &decision = m_decision;
    QStringList lines;
    QSet<QString> said;
    // With backups, the primaries were checked first, in order; the first index that does
    // not rise starts the backup list (backup is only allowed with round robin and least_conn).
    bool inBackup = false;
    int previous = -1;
    for (const SkippedPeer &skip : decision.skipped) {
        if (decision.backup && skip.index <= previous)
            inBackup = true;
        previous = skip.index;
        const QString name = nameOf(skip.index, inBackup);
        QString why;
        switch (skip.reason) {
        case SkipReason::Down:
            why = tr("it is marked down");
            break;
        case SkipReason::Draining:
            why = tr("it is draining (takes no new requests)");
            break;
        case SkipReason::Failed:
            why = tr("it failed max_fails times and rests until %1 (fail_timeout)")
                      .arg(QDateTime::fromSecsSinceEpoch(skip.failedUntil).time().toString(u"hh:mm:ss"_s));
            break;
        case SkipReason::MaxConns:
            why = tr("it has max_conns connections already");
            break;
        case SkipReason::Tried:
            why = tr("this request tried it already");
            break;
        }
        const QString line = tr("Skipped %1: %2.").arg(name, why);
        if (!said.contains(line)) {
            said.insert(line);
            lines.append(line);
        }
    }
    return lines;
}

QStringList DecisionExplainer::sentences() const
{
    const Decision &decision = m_decision;
    QStringList lines = skips();
    if (decision.backup)
        lines.append(tr("No primary server could take the request, so a backup server was used."));
    if (decision.picked < 0) {
        lines.append(tr("No server could take the request: the proxy answered 502 itself."));
    } else if (decision.single) {
        lines.append(tr("The pool has a single server, %1: it gets every request, no weighing involved.")
                         .arg(peer(decision.picked)));
    } else if (decision.roundRobinFallback) {
        lines.append(tr("The hash found no available server in 20 tries, so it fell back to round robin."));
        lines.append(weighted());
    } else {
        lines.append(choice());
    }
    return lines;
}

QString DecisionExplainer::briefChoice() const
{
    const Decision &decision = m_decision;
    const QString picked = peer(decision.picked);
    const int before = decision.weightsBefore.value(decision.picked);
    const int subtracted = before - decision.weightsAfter.value(decision.picked);
    const QString rehashed = decision.rehashes > 0 ? tr(" after %n rehash(es)", nullptr, decision.rehashes) : QString();
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        return tr("%1 chosen: highest current weight %2; then %3 subtracted").arg(picked).arg(before).arg(subtracted);
    case BalancingMethod::LeastConn:
        if (decision.ties.size() <= 1)
            return tr("%1 chosen: fewest active connections for its weight (%2)")
                .arg(picked)
                .arg(decision.conns.value(decision.picked));
        return tr("%1 chosen: %2 servers tied at the fewest connections, it had the highest current weight %3; "
                  "then %4 subtracted")
            .arg(picked)
            .arg(decision.ties.size())
            .arg(before)
            .arg(subtracted);
    case BalancingMethod::IpHash:
        return tr("%1 chosen: client %2 -> key %3 -> hash %4%5")
            .arg(picked, QString::fromLatin1(m_client), QString::fromLatin1(decision.key))
            .arg(decision.hash)
            .arg(rehashed);
    case BalancingMethod::Hash:
        if (decision.consistent)
            return tr("%1 chosen: crc32 of \"%2\" is %3, the next ring point is #%4%5")
                .arg(picked, QString::fromUtf8(decision.key), u"0x%1"_s.arg(decision.hash, 8, 16, QLatin1Char('0')))
                .arg(decision.point)
                .arg(rehashed);
        return tr("%1 chosen: key \"%2\" hashes to %3, taken modulo the total weight%4")
            .arg(picked, QString::fromUtf8(decision.key))
            .arg(decision.hash)
            .arg(rehashed);
    case BalancingMethod::Random: {
        if (!decision.randomTwo)
            return tr("%1 chosen: drawn at random, in proportion to the weights").arg(picked);
        QStringList drawn;
        for (const int index : decision.draws)
            drawn.append(peer(index));
        return tr("%1 chosen: of the two drawn (%2) it had no more active connections for its weight %3")
            .arg(picked, drawn.join(u", "_s), list(decision.conns));
    }
    }
    return {};
}

QString DecisionExplainer::briefSkips() const
{
    const int count = int(m_decision.skipped.size());
    if (count == 0)
        return {};
    return tr(" (%n server(s) skipped)", nullptr, count);
}

QString DecisionExplainer::summary() const
{
    const Decision &decision = m_decision;
    if (decision.picked < 0)
        return tr("No server could take the request: the proxy answered 502 itself.");
    QString text;
    if (decision.single)
        text = tr("%1 chosen: it is the only server").arg(peer(decision.picked));
    else if (decision.roundRobinFallback)
        text =
            tr("%1 chosen by round robin: the hash found no available server in 20 tries").arg(peer(decision.picked));
    else
        text = briefChoice();
    if (decision.backup)
        text += tr(", a backup: no primary could take it");
    return text + briefSkips() + u'.';
}

} // namespace lbscope
