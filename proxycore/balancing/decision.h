#pragma once

// Why a request went where it went: the method, the state it looked at, what it skipped.
// A small value that travels with the request into its access record and the trace.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>

#include <memory>

namespace lbscope {

struct PeerNames;

enum class SkipReason : quint8 {
    Down,
    Draining,
    Failed,
    MaxConns,
    Tried
};

struct SkippedPeer
{
    int index = 0;
    SkipReason reason = SkipReason::Down;
    bool backup = false;    // index is in the backup list
    qint64 failedUntil = 0; // whole seconds since the epoch, for Failed
};

struct Decision
{
    BalancingMethod method = BalancingMethod::RoundRobin;
    bool randomTwo = false;
    bool consistent = false;
    int picked = -1;                 // index in its list; -1: no live upstreams
    bool backup = false;             // picked from the backup list
    bool single = false;             // nginx's one-server fast path: no weights involved
    bool roundRobinFallback = false; // a hash or random method gave up after 20 tries

    // Round robin (also least_conn's tie-break and consistent hash's same-server step):
    // current weights after the add step, and after the winner lost the total.
    // Lists rather than inline arrays: a Decision is kept with each of the access log's
    // 100,000 records, and an empty QList costs no more than its pointer.
    QList<int> weightsBefore;
    QList<int> weightsAfter;
    // The effective weight each peer of that list had at the add step (a skipped peer: its
    // own). Empty while every one equals its configured weight, the common case: filled only
    // after failures lowered one, so a pick costs no more than before.
    QList<int> effectiveWeights;
    QList<int> conns; // least_conn, random two: active connections seen
    QList<int> ties;  // least_conn: the peers tied at the lowest load
    QByteArray key;   // ip_hash: "a.b.c"; hash: the evaluated key
    quint32 hash = 0; // ip_hash h, hash's running sum, chash crc32(key)
    int rehashes = 0; // extra rounds because candidates were not eligible
    int point = -1;   // consistent hash: the point hit
    quint32 pointHash = 0;
    QList<int> draws; // random: the peers drawn, in order
    QList<SkippedPeer> skipped;
    // The addresses the indices above refer to: the lists as they were when the pick was
    // made, shared by every decision of that list (one pointer each). Null when unknown.
    std::shared_ptr<const PeerNames> peers;

    // "127.0.0.1:3000" for index in the primary (or backup) list; empty when unknown.
    QByteArray peerName(int index, bool inBackup = false) const;
    QByteArray pickedName() const { return peerName(picked, backup); }

    // One line: "rr: cw [5,1,1] -> pick 0 (127.0.0.1:3000), cw [-2,1,1]"; the addresses
    // only when known.
    QByteArray describe() const;
};

} // namespace lbscope

Q_DECLARE_METATYPE(lbscope::Decision)
