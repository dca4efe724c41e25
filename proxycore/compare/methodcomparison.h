#pragma once

// Two balancing methods on the same traffic: two private copies of one upstream pool, each its
// own Engine in front of its own demo instances on 127.0.0.1 ephemeral ports, the same servers
// (weights, flags) and the same demo knobs, differing only in the method; two TrafficGenerators
// with one TrafficPlan (one random seed, so {rand} paths match) started together. Neither copy
// shares a socket, a thread or a counter with the other or with the main proxy, so one side's
// slow requests cannot hold up the other's and the main proxy's figures stay as they were.
//
// Lives in the caller's thread (the GUI's); start() is the only call that waits (for the
// instances and listeners to bind). Read side() on a timer: it takes each copy's
// StatsSnapshot, which is cheap; nothing is signalled per request. When both runs have ended
// (and each copy has counted its last request) or stop() is called, the copies are stopped and
// freed, their ports closed; the final figures stay readable until the next start().

#include "config/proxyconfig.h"
#include "demo/demoknobs.h"
#include "stats/latencyhistogram.h"
#include "stats/statssnapshot.h"
#include "traffic/trafficplan.h"
#include "traffic/trafficresults.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <memory>
#include <optional>

namespace lbscope {

class DemoFleet;
class Engine;
class TrafficGenerator;

// The method one side runs: the UpstreamConfig fields that say it.
struct MethodChoice
{
    BalancingMethod method = BalancingMethod::RoundRobin;
    QString hashKey; // hash only
    bool hashConsistent = false;
    bool randomTwo = false;

    // "round robin", "least_conn", "hash $request_uri consistent", ... (as the engine names it)
    QString text() const;
    void applyTo(UpstreamConfig &upstream) const;

    friend bool operator==(const MethodChoice &, const MethodChoice &) = default;
};

struct ComparisonSetup
{
    ProxyConfig pool; // the main engine's configuration(); only the chosen upstream is copied
    QString upstream; // its name; empty: the first upstream
    std::array<MethodChoice, 2> methods;
    // What each copy's instance is set to, as the main instances' knobs are: one per server of
    // the upstream, in order; missing ones have no delay and no errors.
    QList<DemoKnobs> knobs;
    // Address and port are each copy's own; randomSeed 0: one is chosen for both sides.
    TrafficPlan plan;
};

// One server of the pool as one side saw it.
struct ComparisonBackend
{
    QString server;      // the main pool's address as written ("127.0.0.1:3101"), in server order
    QByteArray copyPeer; // the copy's peer for it, "127.0.0.1:41234"
    DemoKnobs knobs;
    PeerCounts counts;         // from the copy's StatsSnapshot
    double sharePercent = 0.0; // of the requests sent to any server of this side

    LatencySummary responseTime() const { return LatencySummary::from(counts.responseTime); }
};

struct ComparisonSide
{
    MethodChoice method;
    QList<ComparisonBackend> backends;
    TrafficProgress progress;   // what the side's generator saw
    LatencySummary requestTime; // the copy proxy's $request_time over the run
    // What the side's demo instances received, sorted; taken when the run ends, complete only
    // when no instance logged more than its log keeps.
    QList<QByteArray> receivedPaths;
    bool receivedPathsComplete = false;

    quint64 peerRequests() const; // attempts sent to any server
};

// The sentence a class needs: the server with the largest delay (when one is slower than the
// rest) and how many requests each side sent it; the p99 of each side. Numbers only; the words
// are the view's.
struct ComparisonVerdict
{
    int slowServer = -1; // index in backends; -1: no server is slower than the others
    std::array<quint64, 2> slowRequests{};
    std::array<double, 2> p99Ms{};
    // Both sides' instances received the same requests (the same sorted paths); nullopt when
    // that cannot be told (a run still going, or more requests than the logs keep).
    std::optional<bool> sameTraffic;

    static ComparisonVerdict of(const ComparisonSide &left, const ComparisonSide &right, bool runOver);
};

class MethodComparison final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MethodComparison)

public:
    static constexpr int Sides = 2;
    // After both runs end, how long to wait at most for a copy to count its last requests
    // (it counts a request when the exchange ends, which can be just after the client read it).
    static constexpr int SettleTimeoutMs = 2000;
    static constexpr int SettlePollMs = 20;
    static constexpr qsizetype CopyAccessLogCapacity = 1024; // nobody reads it; kept small

    explicit MethodComparison(QObject *parent = nullptr);
    ~MethodComparison() override;

    // Builds both copies and starts both runs. false with *error (and nothing left running)
    // when the pool has no such upstream, a method does not fit it (hash with backup servers),
    // the plan is invalid or a port cannot be bound.
    bool start(const ComparisonSetup &setup, QString *error);
    // Stops both runs (in-flight requests count as cancelled) and frees both copies.
    void stop();
    // Between start() and the copies being freed.
    bool isRunning() const { return m_running; }

    // Live while running (one snapshot per copy), the final figures afterwards.
    ComparisonSide side(int index) const;
    // The copies' listening ports, proxies first then instances; empty when none runs.
    QList<quint16> ports() const;

    // The configuration one copy runs: the upstream's servers moved to 127.0.0.1:instancePorts
    // (one per server, in order) under `method`, behind a server on 127.0.0.1:0 whose one
    // location proxies to it with the main pool's settings for it (headers, timeouts,
    // proxy_next_upstream), adds X-Upstream-Addr and writes no access log.
    static std::optional<ProxyConfig> copyConfiguration(const ProxyConfig &pool, const QString &upstream,
                                                        const MethodChoice &method, const QList<quint16> &instancePorts,
                                                        QString *error);

signals:
    // Both runs are over and the copies freed (after the last requests, or stop()).
    void finished();

private:
    struct Copy;

    bool startCopy(Copy &copy, const UpstreamConfig &upstream, const ComparisonSetup &setup, int index, QString *error);
    ComparisonSide readSide(const Copy &copy) const;
    void handleRunFinished();
    void checkSettled();
    void finish();
    void freeCopies();

    std::array<std::unique_ptr<Copy>, 2> m_copies;
    std::array<ComparisonSide, 2> m_final;
    bool m_running = false;
    QTimer m_settleTimer;
    QElapsedTimer m_settleClock;
};

} // namespace lbscope
