#include "traffic/trafficresults.h"

#include <QMutexLocker>

#include <cmath>

namespace lbscope {

namespace {

// Latencies in a log-linear histogram: exact below 128 us, then 64 buckets per power of two
// (under 1.6% error) up to 2^40 us. Fixed memory per backend however long the run.
constexpr int ExactBuckets = 128;
constexpr int SubBucketBits = 6;
constexpr int SubBuckets = 1 << SubBucketBits;
constexpr int FirstExponent = 7; // log2(ExactBuckets)
constexpr int MaxExponent = 40;
constexpr int BucketCount = ExactBuckets + (MaxExponent - FirstExponent) * SubBuckets;

int bucketOf(qint64 us)
{
    const auto value = quint64(std::clamp<qint64>(us, 0, (Q_INT64_C(1) << MaxExponent) - 1));
    if (value < quint64(ExactBuckets))
        return int(value);
    const int exponent = 63 - qCountLeadingZeroBits(value);
    const int sub = int((value >> (exponent - SubBucketBits)) & (SubBuckets - 1));
    return ExactBuckets + (exponent - FirstExponent) * SubBuckets + sub;
}

qint64 bucketMidpointUs(int bucket)
{
    if (bucket < ExactBuckets)
        return bucket;
    const int exponent = (bucket - ExactBuckets) / SubBuckets + FirstExponent;
    const int sub = (bucket - ExactBuckets) % SubBuckets;
    const qint64 width = Q_INT64_C(1) << (exponent - SubBucketBits);
    return (SubBuckets + sub) * width + width / 2;
}

} // namespace

struct TrafficResults::BackendStats
{
    BackendShare share;
    std::vector<quint64> latency = std::vector<quint64>(BucketCount, 0);
    quint64 responses = 0;

    void add(const TrafficResult &result)
    {
        ++share.count;
        if (result.failed()) {
            ++share.failures;
            return;
        }
        ++responses;
        ++latency[std::size_t(bucketOf(result.latencyUs))];
        switch (result.status / 100) {
        case 2:
            ++share.status2xx;
            break;
        case 3:
            ++share.status3xx;
            break;
        case 4:
            ++share.status4xx;
            break;
        case 5:
            ++share.status5xx;
            break;
        default:
            break;
        }
    }

    double percentileMs(double fraction) const
    {
        if (responses == 0)
            return 0.0;
        const auto rank = std::max<quint64>(1, quint64(std::ceil(fraction * double(responses))));
        quint64 seen = 0;
        for (int bucket = 0; bucket < BucketCount; ++bucket) {
            seen += latency[std::size_t(bucket)];
            if (seen >= rank)
                return double(bucketMidpointUs(bucket)) / 1000.0;
        }
        return 0.0;
    }
};

TrafficResults::TrafficResults(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(1, capacity))
{
    m_clock.start();
}

TrafficResults::~TrafficResults() = default;

void TrafficResults::begin(std::optional<quint64> targetTotal)
{
    QMutexLocker locker(&m_mutex);
    m_counters = TrafficProgress{};
    m_counters.targetTotal = targetTotal.value_or(0);
    m_startNs = m_clock.nsecsElapsed();
    m_endNs = -1;
    m_ring.clear();
    m_head = 0;
    m_backends.clear();
}

void TrafficResults::noteSent()
{
    QMutexLocker locker(&m_mutex);
    ++m_counters.sent;
}

void TrafficResults::noteConnectionOpened()
{
    QMutexLocker locker(&m_mutex);
    ++m_counters.connections;
}

void TrafficResults::record(TrafficResult result)
{
    QMutexLocker locker(&m_mutex);
    ++(result.failed() ? m_counters.failed : m_counters.done);
    auto found = std::find_if(m_backends.begin(), m_backends.end(),
                              [&](const auto &stats) { return stats->share.backend == result.backend; });
    if (found == m_backends.end()) {
        m_backends.push_back(std::make_unique<BackendStats>());
        m_backends.back()->share.backend = result.backend;
        found = m_backends.end() - 1;
    }
    (*found)->add(result);

    ++m_lastId;
    if (m_ring.size() < m_capacity) {
        m_ring.append(std::move(result));
    } else {
        m_ring[m_head] = std::move(result);
        m_head = (m_head + 1) % m_capacity;
    }
}

void TrafficResults::noteCancelled(quint64 count)
{
    QMutexLocker locker(&m_mutex);
    m_counters.cancelled += count;
}

void TrafficResults::finish()
{
    QMutexLocker locker(&m_mutex);
    if (m_endNs < 0)
        m_endNs = m_clock.nsecsElapsed();
}

qint64 TrafficResults::elapsedNsLocked() const
{
    if (m_startNs < 0)
        return 0;
    return (m_endNs >= 0 ? m_endNs : m_clock.nsecsElapsed()) - m_startNs;
}

TrafficProgress TrafficResults::progress() const
{
    QMutexLocker locker(&m_mutex);
    TrafficProgress progress = m_counters;
    progress.inFlight = progress.sent - progress.done - progress.failed - progress.cancelled;
    const qint64 elapsedNs = elapsedNsLocked();
    progress.elapsedMs = elapsedNs / 1'000'000;
    progress.achievedRate = elapsedNs > 0 ? double(progress.done) * 1e9 / double(elapsedNs) : 0.0;
    return progress;
}

quint64 TrafficResults::resultsAfter(quint64 cursor, QList<TrafficResult> *out, qsizetype max) const
{
    QMutexLocker locker(&m_mutex);
    const quint64 oldestId = m_lastId - quint64(m_ring.size()) + 1;
    quint64 id = std::max(cursor + 1, oldestId);
    for (; id <= m_lastId && max > 0; ++id, --max)
        out->append(m_ring[qsizetype((quint64(m_head) + id - oldestId) % quint64(m_capacity))]);
    return std::max(cursor, id - 1);
}

QList<BackendShare> TrafficResults::distribution() const
{
    QMutexLocker locker(&m_mutex);
    const quint64 total = m_counters.done + m_counters.failed;
    QList<BackendShare> rows;
    rows.reserve(qsizetype(m_backends.size()));
    for (const auto &stats : m_backends) {
        BackendShare row = stats->share;
        row.sharePercent = total ? 100.0 * double(row.count) / double(total) : 0.0;
        row.p50Ms = stats->percentileMs(0.50);
        row.p99Ms = stats->percentileMs(0.99);
        rows.append(row);
    }
    return rows;
}

} // namespace lbscope
