#include "stats/statssnapshot.h"

#include <QTextStream>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

template <std::size_t N> void addAll(std::array<quint64, N> &sum, const std::array<Counter, N> &counters)
{
    for (std::size_t i = 0; i < N; ++i)
        sum[i] += read(counters[i]);
}

template <std::size_t N> void subtractAll(std::array<quint64, N> &values, const std::array<quint64, N> &baseline)
{
    for (std::size_t i = 0; i < N; ++i)
        values[i] -= std::min(values[i], baseline[i]);
}

void subtractOne(quint64 &value, quint64 baseline)
{
    value -= std::min(value, baseline);
}

} // namespace

void PeerCounts::add(const PeerCounters &counters)
{
    requests += read(counters.requests);
    addAll(responses, counters.responses);
    failures += read(counters.failures);
    addAll(failuresByKind, counters.failuresByKind);
    retries += read(counters.retries);
    truncated += read(counters.truncated);
    bytesFromUpstream += read(counters.bytesFromUpstream);
    bytesToUpstream += read(counters.bytesToUpstream);
    active += counters.active.load(std::memory_order_relaxed);
    failedUntil = std::max(failedUntil, counters.failedUntil.load(std::memory_order_relaxed));
    connectTime.add(counters.connectTime);
    headerTime.add(counters.headerTime);
    responseTime.add(counters.responseTime);
}

void PeerCounts::subtract(const PeerCounts &baseline)
{
    subtractOne(requests, baseline.requests);
    subtractAll(responses, baseline.responses);
    subtractOne(failures, baseline.failures);
    subtractAll(failuresByKind, baseline.failuresByKind);
    subtractOne(retries, baseline.retries);
    subtractOne(truncated, baseline.truncated);
    subtractOne(bytesFromUpstream, baseline.bytesFromUpstream);
    subtractOne(bytesToUpstream, baseline.bytesToUpstream);
    connectTime.subtract(baseline.connectTime);
    headerTime.subtract(baseline.headerTime);
    responseTime.subtract(baseline.responseTime);
}

void ProxyCounts::add(const WorkerCounters &counters)
{
    requests += read(counters.requests);
    addAll(responses, counters.responses);
    addAll(clientErrors, counters.clientErrors);
    connections += counters.connections.load(std::memory_order_relaxed);
    requestTime.add(counters.requestTime);
}

void ProxyCounts::subtract(const ProxyCounts &baseline)
{
    subtractOne(requests, baseline.requests);
    subtractAll(responses, baseline.responses);
    subtractAll(clientErrors, baseline.clientErrors);
    requestTime.subtract(baseline.requestTime);
}

quint64 ProxyCounts::clientErrorTotal() const
{
    quint64 total = 0;
    for (quint64 count : clientErrors)
        total += count;
    return total;
}

QString peerStateName(PeerState state)
{
    switch (state) {
    case PeerState::Up:
        return u"up"_s;
    case PeerState::Down:
        return u"down"_s;
    case PeerState::Failed:
        return u"failed"_s;
    case PeerState::Draining:
        return u"draining"_s;
    case PeerState::Backup:
        return u"backup"_s;
    case PeerState::BackupInUse:
        return u"backup in use"_s;
    }
    return {};
}

const PeerSnapshot *StatsSnapshot::findPeer(QStringView upstream, QByteArrayView peer) const
{
    for (const UpstreamSnapshot &candidate : upstreams) {
        if (candidate.name != upstream)
            continue;
        for (const PeerSnapshot &snapshot : candidate.peers) {
            if (snapshot.peer == peer)
                return &snapshot;
        }
    }
    return nullptr;
}

QString methodText(const UpstreamConfig &upstream)
{
    switch (upstream.method) {
    case BalancingMethod::RoundRobin:
        return u"round robin"_s;
    case BalancingMethod::LeastConn:
        return u"least_conn"_s;
    case BalancingMethod::IpHash:
        return u"ip_hash"_s;
    case BalancingMethod::Hash:
        return u"hash "_s + upstream.hashKey + (upstream.hashConsistent ? u" consistent"_s : QString());
    case BalancingMethod::Random:
        return upstream.randomTwo ? u"random two"_s : u"random"_s;
    }
    return {};
}

TrafficTotals TrafficTotals::from(const StatsSnapshot &snapshot)
{
    TrafficTotals totals;
    totals.requests = snapshot.proxy.requests;
    totals.responses = snapshot.proxy.responses;
    totals.clientErrors = snapshot.proxy.clientErrorTotal();
    for (const UpstreamSnapshot &upstream : snapshot.upstreams) {
        for (const PeerSnapshot &peer : upstream.peers) {
            totals.peers.append(PeerTotals{upstream.name, peer.peer, peer.backup, peer.counts.requests,
                                           peer.counts.responses, peer.counts.failures});
        }
    }
    return totals;
}

QString TrafficTotals::summaryTable() const
{
    QString text;
    QTextStream out(&text);
    quint64 picked = 0;
    for (const PeerTotals &peer : peers)
        picked += peer.requests;
    out << qSetFieldWidth(0) << u"%1 requests, %2 client errors\n"_s.arg(requests).arg(clientErrors);
    out << u"%1 %2 %3 %4 %5 %6 %7 %8\n"_s.arg(u"upstream"_s, -10)
               .arg(u"peer"_s, -22)
               .arg(u"requests"_s, 9)
               .arg(u"share"_s, 7)
               .arg(u"2xx"_s, 8)
               .arg(u"4xx"_s, 8)
               .arg(u"5xx"_s, 8)
               .arg(u"failures"_s, 9);
    for (const PeerTotals &peer : peers) {
        const double share = picked ? 100.0 * double(peer.requests) / double(picked) : 0.0;
        out << u"%1 %2 %3 %4 %5 %6 %7 %8\n"_s.arg(peer.upstream, -10)
                   .arg(QString::fromLatin1(peer.peer) + (peer.backup ? u" (backup)"_s : QString()), -22)
                   .arg(peer.requests, 9)
                   .arg(u"%1%"_s.arg(share, 0, 'f', 1), 7)
                   .arg(peer.responses[1], 8)
                   .arg(peer.responses[3], 8)
                   .arg(peer.responses[4], 8)
                   .arg(peer.failures, 9);
    }
    return text;
}

} // namespace lbscope
