#pragma once

// Balancer state of an upstream's servers, as nginx keeps it per worker (see the spec's
// section 1.1): one Peer per resolved address, a primary and a backup list.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QVarLengthArray>

namespace lbscope {

struct Peer
{
    int index = 0;      // position in its list
    QByteArray name;    // "127.0.0.1:3000", as $upstream_addr shows it
    QString serverText; // the server line's address as written
    QHostAddress address;
    quint16 port = 0;
    int weight = 1;
    int effectiveWeight = 1;
    int currentWeight = 0;
    int conns = 0;
    int maxConns = 0;
    int fails = 0;
    int maxFails = 1;
    qint64 failTimeoutSecs = 10;
    qint64 accessed = 0; // whole seconds, as nginx's cached clock
    qint64 checked = 0;
    bool down = false;
    bool draining = false; // takes no new requests; unlike down, not part of nginx's model
    int statsSlot = 0;     // index into the worker's PeerCounters
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

    // Resolves each server line to its addresses (host names through the system resolver,
    // like nginx at load time). Returns false with *error for a name that does not resolve.
    static bool build(const UpstreamConfig &config, PeerGroup *group, QString *error);
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
