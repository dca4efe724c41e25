#pragma once

// Why a request went where it went: the method, the state it looked at, what it skipped.
// A small value that travels with the request into its access record.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QMetaType>
#include <QVarLengthArray>

namespace lbscope {

enum class SkipReason : quint8 { Down, Failed, MaxConns, Tried };

struct SkippedPeer
{
    int index = 0;
    SkipReason reason = SkipReason::Down;
    qint64 failedUntil = 0; // whole seconds since the epoch, for Failed
};

struct Decision
{
    BalancingMethod method = BalancingMethod::RoundRobin;
    int picked = -1;          // index in its list; -1: no live upstreams
    bool backup = false;      // picked from the backup list
    bool single = false;      // nginx's one-server fast path: no weights involved
    QVarLengthArray<int, 8> weightsBefore; // round robin: current weights after the add step
    QVarLengthArray<int, 8> weightsAfter;  // ... and after the winner lost the total
    QVarLengthArray<SkippedPeer, 4> skipped;

    // "rr: cw [5,1,1] -> pick 0, cw [-2,1,1]"
    QByteArray describe() const;
};

} // namespace lbscope

Q_DECLARE_METATYPE(lbscope::Decision)
