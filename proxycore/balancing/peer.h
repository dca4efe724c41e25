#pragma once

// Balancer state of an upstream's servers, as nginx keeps it per worker (see the spec's
// section 1.1): one Peer per resolved address, a primary and a backup list. What traffic
// teaches the balancer about a peer (weights in play, connections, failures) lives in a
// PeerLiveState of its own, so an edit of the server list can hand it to the new list: requests
// in flight then release where new ones pick.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QVarLengthArray>

#include <memory>

namespace lbscope {

struct PeerLiveState
{
    int effectiveWeight = 1;
    int currentWeight = 0;
    int conns = 0;
    int fails = 0;
    qint64 accessed = 0; // whole seconds, as nginx's cached clock
    qint64 checked = 0;
};

struct Peer
{
    int index = 0;      // position in its list
    QByteArray name;    // "127.0.0.1:3000", as $upstream_addr shows it
    QString serverText; // the server line's address as written
    QHostAddress address;
    quint16 port = 0;
    int weight = 1;
    int maxConns = 0;
    int maxFails = 1;
    qint64 failTimeoutSecs = 10;
    bool down = false;
    bool draining = false;                // takes no new requests; unlike down, not part of nginx's model
    int statsSlot = 0;                    // index into the worker's PeerCounters
    std::shared_ptr<PeerLiveState> state; // never null in a built group

    // nginx's "failed" test: max_fails reached within fail_timeout.
    bool isFailed(qint64 nowSecs) const
    {
        return maxFails > 0 && state->fails >= maxFails && nowSecs - state->checked <= failTimeoutSecs;
    }
    // Until when (epoch seconds) the peer is out for failures; 0 when it is available.
    qint64 failedUntil(qint64 nowSecs) const { return isFailed(nowSecs) ? state->checked + failTimeoutSecs : 0; }
};

// The peers' addresses in list order, so a Decision (which names peers by index) can name
// them after the list changed. Immutable; one per group.
struct PeerNames
{
    QList<QByteArray> primary;
    QList<QByteArray> backup;
};

struct PeerList
{
    QList<Peer> peers;
    int totalWeight = 0; // down peers included, as nginx counts it
    int tries = 0;       // peers not down

    bool isEmpty() const { return peers.isEmpty(); }
};

struct PeerGroup
{
    QString upstreamName;
    PeerList primary;
    PeerList backup;
    bool single = false; // one primary address and no backup: nginx's fast path
    std::shared_ptr<const PeerNames> names;

    // Resolves each server line to its addresses (host names through the system resolver,
    // like nginx at load time). Returns false with *error for a name that does not resolve.
    // Every peer gets a fresh state.
    static bool build(const UpstreamConfig &config, PeerGroup *group, QString *error);
    // A copy of a group shares its peers' states until it calls one of these. Fresh states
    // (and a names list of its own, so picks in different threads share no reference count).
    void makeStatesOwn();
    // Takes over the states of previous's peers with the same address (its conns, fails,
    // weights in play); a peer whose weight changed starts its weights afresh (keeping conns
    // and fails), a new peer starts afresh. Not thread-safe on previous: hold its lock.
    void adoptStates(const PeerGroup &previous);
    // An implicit upstream: proxy_pass http://HOST:PORT without an upstream block.
    static bool buildImplicit(const QString &host, quint16 port, PeerGroup *group, QString *error);
};

// One request's walk over a group: which list it is on, which peers it has tried.
class PeerSelection
{
public:
    void start(PeerGroup &group, int nextUpstreamTries);

    PeerGroup *group = nullptr;
    PeerList *list = nullptr;
    bool onBackup = false;
    int triesLeft = 0;
    Peer *current = nullptr;

    // Method state for one request, kept across its retries as nginx keeps it in the
    // request's peer data.
    quint32 hash = 0;    // ip_hash: h; hash: the running sum; consistent: the point
    int rehash = 0;      // hash: rounds so far
    int methodTries = 0; // rejected candidates, for nginx's limit of 20
    bool hashStarted = false;
    bool roundRobinFallback = false;

    bool tried(int index) const { return m_tried[index / 64] & (quint64{1} << (index % 64)); }
    void markTried(int index) { m_tried[index / 64] |= quint64{1} << (index % 64); }
    void switchToBackup();

private:
    void clearTried();
    QVarLengthArray<quint64, 2> m_tried;
};

} // namespace lbscope
