#include "stats/statssnapshot.h"

#include <QTextStream>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// How one kind of figure adds up over the workers and how a reset takes its baseline off.
void addTo(quint64 &sum, const Counter &counter)
{
    sum += read(counter);
}

template <std::size_t N> void addTo(std::array<quint64, N> &sums, const std::array<Counter, N> &counters)
{
    for (std::size_t i = 0; i < N; ++i)
        sums[i] += read(counters[i]);
}

void addTo(StatusCodeCounts &sum, const std::array<Counter, StatusCodeCount> &counters)
{
    for (std::size_t i = 0; i < counters.size(); ++i) {
        if (const quint64 count = read(counters[i]))
            sum.add(FirstStatusCode + int(i), count);
    }
}

void addTo(LatencyCounts &sum, const LatencyHistogram &histogram)
{
    sum.add(histogram);
}

void subtractFrom(quint64 &value, quint64 baseline)
{
    value -= std::min(value, baseline);
}

template <std::size_t N> void subtractFrom(std::array<quint64, N> &values, const std::array<quint64, N> &baseline)
{
    for (std::size_t i = 0; i < N; ++i)
        subtractFrom(values[i], baseline[i]);
}

void subtractFrom(StatusCodeCounts &value, const StatusCodeCounts &baseline)
{
    value.subtract(baseline);
}

void subtractFrom(LatencyCounts &value, const LatencyCounts &baseline)
{
    value.subtract(baseline);
}

void latestOf(qint64 &latest, const std::atomic<qint64> &value)
{
    latest = std::max(latest, value.load(std::memory_order_relaxed));
}

void latestOf(PeerFailure &latest, const std::atomic<quint64> &packed)
{
    const PeerFailure failure = PeerFailure::unpack(packed.load(std::memory_order_relaxed));
    if (failure.atMs > latest.atMs)
        latest = failure;
}

// The rules a field list is made of, each naming a member of the workers' counters and the
// member of the sum it goes to. A reset runs in two passes: forget() sees every figure as it
// was before subtract() takes the baseline off.
struct KeptOnReset
{
    template <typename Sum> static void forget(Sum &, const Sum &) {}
    template <typename Sum> static void subtract(Sum &, const Sum &) {}
};

template <auto From, auto To> struct Summed : KeptOnReset // counts since the reset
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        addTo(sum.*To, counters.*From);
    }
    template <typename Sum> static void subtract(Sum &sum, const Sum &baseline) { subtractFrom(sum.*To, baseline.*To); }
};

template <auto From, auto To> struct NowSummed : KeptOnReset // a gauge: what is, reset or not
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        sum.*To += (counters.*From).load(std::memory_order_relaxed);
    }
};

template <auto From, auto To> struct NowLatest : KeptOnReset // the latest of the workers, reset or not
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        latestOf(sum.*To, counters.*From);
    }
};

template <auto From, auto To> struct NowEarliest : KeptOnReset // the earliest non-zero of the workers
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        const qint64 value = (counters.*From).oldestStartMs();
        if (value != 0 && (sum.*To == 0 || value < sum.*To))
            sum.*To = value;
    }
};

// The latest of the workers since the reset: forgotten while the counter that moves with it
// (Witness) has not moved, for a time alone cannot tell a new event in the same millisecond
// from the one before the reset.
template <auto From, auto To, auto Witness> struct Latest : KeptOnReset
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        latestOf(sum.*To, counters.*From);
    }
    template <typename Sum> static void forget(Sum &sum, const Sum &baseline)
    {
        if (sum.*Witness == baseline.*Witness)
            sum.*To = {};
    }
};

template <typename... Fields> struct FieldList
{
    template <typename Sum, typename Counters> static void add(Sum &sum, const Counters &counters)
    {
        (Fields::add(sum, counters), ...);
    }
    template <typename Sum> static void subtract(Sum &sum, const Sum &baseline)
    {
        (Fields::forget(sum, baseline), ...);
        (Fields::subtract(sum, baseline), ...);
    }
};

// Every figure of a peer, once: a new counter is its two declarations and one line here.
using PeerFields = FieldList<
    Summed<&PeerCounters::requests, &PeerCounts::requests>, Summed<&PeerCounters::responses, &PeerCounts::responses>,
    Summed<&PeerCounters::statusCodes, &PeerCounts::byStatusCode>,
    Summed<&PeerCounters::failures, &PeerCounts::failures>,
    Summed<&PeerCounters::failuresByKind, &PeerCounts::failuresByKind>,
    Summed<&PeerCounters::unavailable, &PeerCounts::unavailable>, Summed<&PeerCounters::retries, &PeerCounts::retries>,
    Summed<&PeerCounters::truncated, &PeerCounts::truncated>,
    Summed<&PeerCounters::bytesFromUpstream, &PeerCounts::bytesFromUpstream>,
    Summed<&PeerCounters::bytesToUpstream, &PeerCounts::bytesToUpstream>,
    NowSummed<&PeerCounters::active, &PeerCounts::active>,
    NowLatest<&PeerCounters::failedUntil, &PeerCounts::failedUntil>,
    NowEarliest<&PeerCounters::inFlight, &PeerCounts::oldestActiveStartMs>,
    Latest<&PeerCounters::lastSelectedMs, &PeerCounts::lastSelectedMs, &PeerCounts::requests>,
    Latest<&PeerCounters::lastFailure, &PeerCounts::lastFailure, &PeerCounts::failures>,
    Summed<&PeerCounters::connectTime, &PeerCounts::connectTime>,
    Summed<&PeerCounters::headerTime, &PeerCounts::headerTime>,
    Summed<&PeerCounters::responseTime, &PeerCounts::responseTime>>;

using ProxyFields = FieldList<Summed<&WorkerCounters::requests, &ProxyCounts::requests>,
                              Summed<&WorkerCounters::responses, &ProxyCounts::responses>,
                              Summed<&WorkerCounters::clientErrors, &ProxyCounts::clientErrors>,
                              NowSummed<&WorkerCounters::connections, &ProxyCounts::connections>,
                              Summed<&WorkerCounters::requestTime, &ProxyCounts::requestTime>>;

} // namespace

void PeerCounts::add(const PeerCounters &counters)
{
    PeerFields::add(*this, counters);
}

void PeerCounts::subtract(const PeerCounts &baseline)
{
    PeerFields::subtract(*this, baseline);
}

void StatusCodeCounts::add(int code, quint64 count)
{
    const auto at = std::lower_bound(m_entries.begin(), m_entries.end(), code,
                                     [](const std::pair<int, quint64> &entry, int key) { return entry.first < key; });
    if (at != m_entries.end() && at->first == code)
        at->second += count;
    else
        m_entries.insert(at, {code, count});
}

void StatusCodeCounts::subtract(const StatusCodeCounts &baseline)
{
    for (const auto &[code, count] : baseline.m_entries) {
        for (auto &entry : m_entries) {
            if (entry.first == code)
                entry.second -= std::min(entry.second, count);
        }
    }
    m_entries.removeIf([](const std::pair<int, quint64> &entry) { return entry.second == 0; });
}

quint64 StatusCodeCounts::count(int code) const
{
    for (const auto &[known, count] : m_entries) {
        if (known == code)
            return count;
    }
    return 0;
}

QMap<int, quint64> StatusCodeCounts::toMap() const
{
    QMap<int, quint64> codes;
    for (const auto &[code, count] : m_entries)
        codes.insert(code, count);
    return codes;
}

QMap<int, quint64> PeerCounts::statusCodes() const
{
    return byStatusCode.toMap();
}

quint64 PeerCounts::statusCode(int status) const
{
    return byStatusCode.count(status);
}

void ProxyCounts::add(const WorkerCounters &counters)
{
    ProxyFields::add(*this, counters);
}

void ProxyCounts::subtract(const ProxyCounts &baseline)
{
    ProxyFields::subtract(*this, baseline);
}

QLatin1StringView failureKindName(FailureKind kind)
{
    switch (kind) {
    case FailureKind::Refused:
        return "refused"_L1;
    case FailureKind::Reset:
        return "reset"_L1;
    case FailureKind::Timeout:
        return "timeout"_L1;
    case FailureKind::InvalidHeader:
        return "invalid_header"_L1;
    case FailureKind::HttpStatus:
        return "http_status"_L1;
    }
    return {};
}

QString describeFailure(const PeerFailure &failure)
{
    if (failure.atMs == 0)
        return {};
    if (failure.kind == FailureKind::HttpStatus)
        return u"http_%1"_s.arg(failure.status);
    return failureKindName(failure.kind);
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
