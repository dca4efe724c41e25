#include "stats/latencyhistogram.h"

#include <bit>

namespace lbscope {

int LatencyHistogram::bucketOf(qint64 micros)
{
    if (micros < SubBuckets)
        return int(std::max<qint64>(micros, 0));
    const int exponent = std::bit_width(quint64(micros)) - 1; // >= 2
    const int sub = int((quint64(micros) >> (exponent - 2)) & (SubBuckets - 1));
    return std::min(exponent * SubBuckets + sub - (2 * SubBuckets - SubBuckets), Buckets - 1);
}

qint64 LatencyHistogram::upperBoundMicros(int bucket)
{
    if (bucket < SubBuckets)
        return bucket;
    const int index = bucket + SubBuckets; // undo the offset bucketOf applied
    const int exponent = index / SubBuckets;
    const int sub = index % SubBuckets;
    return ((qint64(SubBuckets + sub + 1)) << (exponent - 2)) - 1;
}

void LatencyHistogram::add(qint64 micros)
{
    micros = std::max<qint64>(micros, 0);
    bump(buckets[std::size_t(bucketOf(micros))]);
    bump(sumMicros, quint64(micros));
    if (quint64(micros) > read(maxMicros))
        maxMicros.store(quint64(micros), std::memory_order_relaxed);
}

void LatencyCounts::add(const LatencyHistogram &histogram)
{
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const quint64 n = read(histogram.buckets[i]);
        buckets[i] += n;
        count += n;
    }
    sumMicros += read(histogram.sumMicros);
    maxMicros = std::max(maxMicros, read(histogram.maxMicros));
}

void LatencyCounts::subtract(const LatencyCounts &baseline)
{
    for (std::size_t i = 0; i < buckets.size(); ++i)
        buckets[i] -= std::min(buckets[i], baseline.buckets[i]);
    count -= std::min(count, baseline.count);
    sumMicros -= std::min(sumMicros, baseline.sumMicros);
    // The maximum cannot be taken back: after a reset it is the largest bucket still counted.
    if (baseline.count > 0) {
        maxMicros = 0;
        for (int i = int(buckets.size()) - 1; i >= 0; --i) {
            if (buckets[std::size_t(i)] > 0) {
                maxMicros = quint64(LatencyHistogram::upperBoundMicros(i));
                break;
            }
        }
    }
}

double LatencyCounts::percentileMs(double fraction) const
{
    if (count == 0)
        return 0;
    const auto target = quint64(std::max(1.0, fraction * double(count) + 0.5));
    quint64 seen = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        seen += buckets[i];
        if (seen >= target) {
            const auto bound = quint64(LatencyHistogram::upperBoundMicros(int(i)));
            return double(std::min(bound, maxMicros)) / 1000.0;
        }
    }
    return double(maxMicros) / 1000.0;
}

LatencySummary LatencySummary::from(const LatencyCounts &counts)
{
    LatencySummary summary;
    summary.count = counts.count;
    summary.p50Ms = counts.percentileMs(0.50);
    summary.p90Ms = counts.percentileMs(0.90);
    summary.p99Ms = counts.percentileMs(0.99);
    summary.maxMs = double(counts.maxMicros) / 1000.0;
    summary.meanMs = counts.count ? double(counts.sumMicros) / double(counts.count) / 1000.0 : 0.0;
    return summary;
}

} // namespace lbscope
