#pragma once

// The share of new requests each peer should get, as the weights and the peers' states
// predict it: what the distribution chart draws beside what was observed. Pure arithmetic
// over value types, so the GUI and tests can call it without an engine.

#include "config/proxyconfig.h"
#include "stats/statssnapshot.h"

#include <QList>

namespace lbscope {

struct SharePeer
{
    int weight = 1;
    bool backup = false;
    PeerState state = PeerState::Up;
};

struct ExpectedShares
{
    QList<double> shares; // one per peer, in the order given; they add up to 1, or all are 0
    // hash and ip_hash: the shares are the long-run expectation over many distinct keys; a
    // few keys (one client, one URI) can put everything on one peer.
    bool dependsOnKeys = false;
    bool onBackup = false; // no primary peer can take a request: the backups share the load
};

// True for a peer the balancer may pick now: not down, draining or failed.
bool isAvailable(PeerState state);

// Every method spreads by weight over the peers it may pick: round robin exactly, random and
// least_conn in the long run (least_conn when the peers answer equally fast), the hash methods
// over many keys. Backups get nothing while a primary is available. A lone primary without
// backups takes everything unless it is down or draining: nginx never marks it failed.
ExpectedShares expectedShares(BalancingMethod method, const QList<SharePeer> &peers);

// One state per server line of the upstream (its live state, e.g. Failed; Down and Draining
// also follow from the line itself).
ExpectedShares expectedShares(const UpstreamConfig &upstream, const QList<PeerState> &states);

// The peers of an upstream's snapshot, with their live states.
ExpectedShares expectedShares(const UpstreamSnapshot &upstream);

} // namespace lbscope
