#pragma once

// What the counters say at one moment, as plain values that any thread may keep: the proxy
// as a whole, and every peer of every upstream with its state. The engine takes one on
// request by adding up its workers' counters, minus what they were at the last reset.

#include "config/proxyconfig.h"
#include "stats/latencyhistogram.h"
#include "stats/peercounters.h"

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QVarLengthArray>

namespace lbscope {

// Exact status codes and how often each was seen, in code order. A peer answers with a few
// codes, so a few entries rather than one per possible code: a snapshot of many peers stays
// small.
class StatusCodeCounts
{
public:
    void add(int code, quint64 count);
    void subtract(const StatusCodeCounts &baseline);
    quint64 count(int code) const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    QMap<int, quint64> toMap() const;

private:
    QVarLengthArray<std::pair<int, quint64>, 4> m_entries;
};

// A peer's counters added up over the workers, as plain numbers. How each one adds up and
// resets is said once, in the field list in statssnapshot.cpp.
struct PeerCounts
{
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    StatusCodeCounts byStatusCode;
    quint64 failures = 0;
    std::array<quint64, FailureKinds> failuresByKind{};
    quint64 unavailable = 0; // times made unavailable: nginx Plus's "unavail"
    quint64 retries = 0;
    quint64 truncated = 0;
    quint64 bytesFromUpstream = 0;
    quint64 bytesToUpstream = 0;
    qint64 active = 0;         // now: not reset
    qint64 failedUntil = 0;    // now: not reset
    qint64 lastSelectedMs = 0; // wall clock; 0: not since the reset
    PeerFailure lastFailure;   // the latest over the workers; none: not since the reset
    LatencyCounts connectTime;
    LatencyCounts headerTime;
    LatencyCounts responseTime;
    // Now, not reset: when the oldest attempt in flight began (wall clock); 0: none in flight.
    qint64 oldestActiveStartMs = 0;

    void add(const PeerCounters &counters);
    void subtract(const PeerCounts &baseline);
    // The exact codes seen, with their counts; codes never seen are left out.
    QMap<int, quint64> statusCodes() const;
    quint64 statusCode(int status) const;
};

struct ProxyCounts
{
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    std::array<quint64, ClientErrorCodes.size()> clientErrors{};
    qint64 connections = 0; // now: not reset
    LatencyCounts requestTime;

    void add(const WorkerCounters &counters);
    void subtract(const ProxyCounts &baseline);
    quint64 clientErrorTotal() const;
};

// "refused", "reset", "timeout", "invalid_header", "http_status"
QLatin1StringView failureKindName(FailureKind kind);
// Why a peer failed, in proxy_next_upstream's words where it has them: "refused",
// "timeout", "http_503", ...; empty for no failure.
QString describeFailure(const PeerFailure &failure);

enum class PeerState {
    Up,
    Down,
    Failed,
    Draining,
    Backup,
    BackupInUse
};
QString peerStateName(PeerState state);

struct PeerSnapshot
{
    QString upstream;
    QByteArray peer; // "127.0.0.1:3000"
    QString server;  // the server line's address as written
    int weight = 1;
    bool backup = false;
    PeerState state = PeerState::Up;
    PeerCounts counts;
    QList<quint32> rate; // requests per second, oldest first, the last one is now

    LatencySummary connectTime() const { return LatencySummary::from(counts.connectTime); }
    LatencySummary headerTime() const { return LatencySummary::from(counts.headerTime); }
    LatencySummary responseTime() const { return LatencySummary::from(counts.responseTime); }
    QMap<int, quint64> statusCodes() const { return counts.statusCodes(); }
};

struct UpstreamSnapshot
{
    QString name;
    BalancingMethod method = BalancingMethod::RoundRobin;
    QString methodText; // "round robin", "hash $request_uri consistent", ...
    QList<PeerSnapshot> peers;
};

struct StatsSnapshot
{
    qint64 takenAtMs = 0; // wall clock
    qint64 sinceMs = 0;   // start or the last reset
    ProxyCounts proxy;
    QList<quint32> rate; // the whole proxy's requests per second
    QList<UpstreamSnapshot> upstreams;

    LatencySummary requestTime() const { return LatencySummary::from(proxy.requestTime); }
    const PeerSnapshot *findPeer(QStringView upstream, QByteArrayView peer) const;
};

QString methodText(const UpstreamConfig &upstream);

// The few numbers a summary needs, per peer.
struct PeerTotals
{
    QString upstream;
    QByteArray peer;
    bool backup = false;
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    quint64 failures = 0;
};

struct TrafficTotals
{
    QList<PeerTotals> peers;
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    quint64 clientErrors = 0;

    static TrafficTotals from(const StatsSnapshot &snapshot);
    // A plain-text table: peer, requests, share, 2xx, 4xx, 5xx, failures.
    QString summaryTable() const;
};

} // namespace lbscope

Q_DECLARE_METATYPE(lbscope::StatsSnapshot)
