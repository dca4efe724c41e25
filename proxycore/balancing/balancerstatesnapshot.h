#pragma once

// A copy of one upstream's balancer state as the balancer itself sees it, for a reader in
// another thread (the GUI, at 10 to 20 Hz): weights in play, connections, failures, and for
// `hash ... consistent` the ring. Plain values; taking one never waits for a worker.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace lbscope {

class Balancer;
struct PeerGroup;

struct PeerBalancerState
{
    QByteArray name; // "127.0.0.1:3000"
    QString server;  // the server line's address as written
    bool backup = false;
    int weight = 1; // configured
    int effectiveWeight = 1;
    int currentWeight = 0;
    int conns = 0; // active connections
    int maxConns = 0;
    int fails = 0;
    int maxFails = 1;
    qint64 failedUntil = 0; // epoch seconds; 0: available
    bool down = false;
    bool draining = false;

    friend bool operator==(const PeerBalancerState &, const PeerBalancerState &) = default;
};

// A point of a consistent-hash ring: crc32 value and the primary peer it belongs to.
struct RingPoint
{
    quint32 hash = 0;
    int peer = 0; // index into the primary list (the first peer of its server line)

    friend bool operator==(const RingPoint &, const RingPoint &) = default;
};

struct BalancerStateSnapshot
{
    QString upstream;
    BalancingMethod method = BalancingMethod::RoundRobin;
    bool consistent = false;        // hash ... consistent
    bool randomTwo = false;         // random two
    int worker = -1;                // the worker thread whose state this is; -1: one state shared (zone)
    quint64 generation = 0;         // of the routing table the state belongs to (each edit makes one)
    qint64 takenAtMs = 0;           // epoch milliseconds
    QList<PeerBalancerState> peers; // primary list, then backup list
    QList<RingPoint> ring;          // hash ... consistent only, in ring order; shared, not copied

    // Reads the group and balancer; the caller holds whatever lock guards them.
    static BalancerStateSnapshot capture(const PeerGroup &group, const Balancer &balancer, qint64 nowMs);
};

} // namespace lbscope

Q_DECLARE_METATYPE(lbscope::BalancerStateSnapshot)
