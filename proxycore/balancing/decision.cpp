#include "balancing/decision.h"

#include "balancing/peer.h"

namespace lbscope {

namespace {

template <typename List> void appendList(QByteArray &out, const List &values)
{
    out.append('[');
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            out.append(',');
        out.append(QByteArray::number(values[i]));
    }
    out.append(']');
}

const char *reasonText(SkipReason reason)
{
    switch (reason) {
    case SkipReason::Down:
        return "down";
    case SkipReason::Draining:
        return "draining";
    case SkipReason::Failed:
        return "failed";
    case SkipReason::MaxConns:
        return "max_conns";
    case SkipReason::Tried:
        return "tried";
    }
    return "?";
}

QByteArray hex(quint32 value)
{
    return "0x" + QByteArray::number(value, 16).rightJustified(8, '0');
}

QByteArray methodName(const Decision &decision)
{
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        return "rr";
    case BalancingMethod::LeastConn:
        return "least_conn";
    case BalancingMethod::IpHash:
        return "ip_hash";
    case BalancingMethod::Hash:
        return decision.consistent ? "hash consistent" : "hash";
    case BalancingMethod::Random:
        return decision.randomTwo ? "random two" : "random";
    }
    return "?";
}

// "3" or "3 (127.0.0.1:3000)"
QByteArray named(const Decision &decision, int index, bool backup)
{
    const QByteArray name = decision.peerName(index, backup);
    return QByteArray::number(index) + (name.isEmpty() ? QByteArray() : " (" + name + ')');
}

void appendWeights(QByteArray &out, const Decision &decision)
{
    out.append("cw ");
    appendList(out, decision.weightsBefore);
    out.append(" -> pick " + named(decision, decision.picked, decision.backup) + ", cw ");
    appendList(out, decision.weightsAfter);
}

void appendMethodState(QByteArray &out, const Decision &decision)
{
    const QByteArray pick = "pick " + named(decision, decision.picked, decision.backup);
    const QByteArray rehash =
        decision.rehashes > 0 ? " (rehashed " + QByteArray::number(decision.rehashes) + "x)" : QByteArray();
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        appendWeights(out, decision);
        return;
    case BalancingMethod::LeastConn:
        out.append("conns ");
        appendList(out, decision.conns);
        if (decision.ties.size() > 1) {
            out.append(", tie ");
            appendList(out, decision.ties);
            out.append(": ");
            appendWeights(out, decision);
        } else {
            out.append(" -> " + pick);
        }
        return;
    case BalancingMethod::IpHash:
        out.append(decision.key + " -> h " + QByteArray::number(decision.hash) + rehash + " -> " + pick);
        return;
    case BalancingMethod::Hash:
        out.append('"' + decision.key + "\" -> ");
        if (decision.consistent)
            out.append("crc32 " + hex(decision.hash) + " -> point " + QByteArray::number(decision.point) + " (" +
                       hex(decision.pointHash) + ")" + rehash + " -> " + pick);
        else
            out.append("sum " + QByteArray::number(decision.hash) + rehash + " -> " + pick);
        return;
    case BalancingMethod::Random:
        out.append("drew ");
        appendList(out, decision.draws);
        if (decision.randomTwo) {
            out.append(", conns ");
            appendList(out, decision.conns);
        }
        out.append(" -> " + pick);
        return;
    }
}

} // namespace

QByteArray Decision::peerName(int index, bool inBackup) const
{
    if (!peers || index < 0)
        return {};
    return (inBackup ? peers->backup : peers->primary).value(index);
}

QByteArray Decision::describe() const
{
    QByteArray out = methodName(*this) + ": ";
    if (picked < 0)
        out.append("no live upstreams");
    else if (single)
        out.append("single server");
    else if (roundRobinFallback)
        appendWeights(out.append("no eligible peer in 20 tries, rr "), *this);
    else
        appendMethodState(out, *this);
    if (backup)
        out.append(", backup");
    for (const SkippedPeer &skip : skipped) {
        out.append("; skip " + named(*this, skip.index, skip.backup) + ' ' + reasonText(skip.reason));
        if (skip.reason == SkipReason::Failed)
            out.append(" until " + QByteArray::number(skip.failedUntil));
    }
    return out;
}

} // namespace lbscope
