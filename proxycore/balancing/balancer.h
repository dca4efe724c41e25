#pragma once

// The balancing interface. A Balancer chooses one peer of a list for one attempt; what is
// common to every nginx method lives here: the eligibility test, the primary-then-backup
// walk, the one-server fast path, and the bookkeeping when an attempt starts and ends.

#include "balancing/balancerstatesnapshot.h"
#include "balancing/decision.h"
#include "balancing/peer.h"

#include <QHostAddress>

#include <memory>

namespace lbscope {

// What a method may need to know about the request.
struct PickInput
{
    QHostAddress client;
    QByteArrayView hashKey;
};

class Balancer
{
public:
    virtual ~Balancer() = default;
    virtual BalancingMethod method() const = 0;
    // What a state snapshot shows beyond the peers: the method's variant, the ring.
    virtual void addMethodState(BalancerStateSnapshot &) const {}

    // Chooses the peer for the next attempt of this request and marks it in use, or returns
    // nullptr when no peer may be used ("no live upstreams"). Fills decision.
    Peer *pick(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision);
    // Ends the current attempt; failed is nginx's NGX_PEER_FAILED.
    static void release(PeerSelection &selection, bool failed, qint64 nowSecs);

    // The balancer for an upstream's method, prepared for its peers (consistent hashing
    // builds its ring from them).
    static std::unique_ptr<Balancer> create(const UpstreamConfig &config, const PeerGroup &group);

protected:
    // Picks from selection.list, or returns nullptr when nothing there is eligible.
    virtual Peer *pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs,
                               Decision &decision) = 0;

    // nginx's test, spec 1.2. Records why a peer was skipped when decision is given.
    static bool isEligible(const Peer &peer, const PeerSelection &selection, qint64 nowSecs, Decision *decision);
    // The add step of smooth weighted round robin for one eligible peer (spec 1.3): its
    // current weight grows by its effective weight, which recovers by 1 towards weight.
    // Returns the effective weight that was added.
    static int addEffectiveWeight(Peer &peer, int &total);
    // Notes in decision.effectiveWeights the effective weight peer had at the add step; the
    // list is made only once one differs from its configured weight (peers: peer's list).
    static void noteEffectiveWeight(Decision &decision, const QList<Peer> &peers, const Peer &peer, int effective);
    // Smooth weighted round robin over the eligible peers of selection.list (spec 1.3).
    static Peer *pickWeighted(PeerSelection &selection, qint64 nowSecs, Decision &decision);
    // After 20 rejected candidates the hash and random methods hand the rest of the
    // request to round robin.
    static Peer *fallBackToRoundRobin(PeerSelection &selection, qint64 nowSecs, Decision &decision);
    // The peer a weighted value w (0 <= w < total weight) falls on, down peers included.
    static Peer &peerAtWeight(PeerList &list, quint32 w);
};

} // namespace lbscope
