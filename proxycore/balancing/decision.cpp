#include "balancing/decision.h"

namespace lbscope {

namespace {

void appendList(QByteArray &out, const QVarLengthArray<int, 8> &values)
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
    case SkipReason::Failed:
        return "failed";
    case SkipReason::MaxConns:
        return "max_conns";
    case SkipReason::Tried:
        return "tried";
    }
    return "?";
}

} // namespace

QByteArray Decision::describe() const
{
    QByteArray out = "rr: ";
    if (picked < 0) {
        out.append("no live upstreams");
    } else if (single) {
        out.append("single server");
    } else {
        out.append("cw ");
        appendList(out, weightsBefore);
        out.append(" -> pick " + QByteArray::number(picked) + ", cw ");
        appendList(out, weightsAfter);
    }
    if (backup)
        out.append(", backup");
    for (const SkippedPeer &skip : skipped) {
        out.append("; skip " + QByteArray::number(skip.index) + ' ' + reasonText(skip.reason));
        if (skip.reason == SkipReason::Failed)
            out.append(" until " + QByteArray::number(skip.failedUntil));
    }
    return out;
}

} // namespace lbscope
