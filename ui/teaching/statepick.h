#pragma once

// One pick as the Algorithm state panel keeps it: the request, the decision of the attempt
// that answered (the engine's trace, as the access record carries it) and the balancer state
// of that request's worker from the tick the record came with.

#include "balancing/balancerstatesnapshot.h"
#include "balancing/decision.h"

#include <QByteArray>
#include <QString>

namespace lbscope {

struct StatePick
{
    quint64 id = 0; // the access record's id
    int worker = -1;
    QByteArray client;
    QByteArray method;
    QByteArray uri;
    QString upstream;
    QByteArray upstreamAddr;
    int status = 0;
    int attempts = 0;  // decisions the record had; decision is the last of them
    Decision decision; // implicitly shared lists: cheap to keep
    BalancerStateSnapshot state;
    bool hasState = false;

    // The address of index in the decision's list (primary or backup, as it picked).
    QByteArray peerName(int index) const { return decision.peerName(index, decision.backup); }
    QByteArray pickedName() const { return decision.pickedName(); }
    // How many peers the list the decision chose from has.
    int peerCount() const;
    // The balancer's own state of the peer called name, or null.
    const PeerBalancerState *peerState(const QByteArray &name) const;
};

} // namespace lbscope
