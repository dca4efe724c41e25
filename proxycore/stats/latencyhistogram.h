#pragma once

// Latencies in log-scale buckets: four per doubling of microseconds, so a bucket is at most
// 19% wide, found with one bit scan. One writer (a worker thread) adds; readers merge the
// workers' buckets and read percentiles from the sum.

#include "stats/counter.h"

#include <QList>

#include <array>

namespace lbscope {

class LatencyHistogram
{
public:
    static constexpr int SubBuckets = 4; // per doubling
    static constexpr int Doublings = 28; // up to 2^28 us, about 4.5 minutes
    static constexpr int Buckets = Doublings * SubBuckets;

    void add(qint64 micros);

    static int bucketOf(qint64 micros);
    static qint64 upperBoundMicros(int bucket); // the largest value that falls in a bucket

    std::array<Counter, Buckets> buckets{};
    Counter sumMicros{0};
    Counter maxMicros{0};
};

// Merged buckets of one or more histograms, as plain numbers.
struct LatencyCounts
{
    std::array<quint64, LatencyHistogram::Buckets> buckets{};
    quint64 count = 0;
    quint64 sumMicros = 0;
    quint64 maxMicros = 0;

    void add(const LatencyHistogram &histogram);
    void subtract(const LatencyCounts &baseline);
    // The bucket bound below which `fraction` of the values lie, in milliseconds.
    double percentileMs(double fraction) const;
};

struct LatencySummary
{
    quint64 count = 0;
    double p50Ms = 0;
    double p90Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    double meanMs = 0;

    static LatencySummary from(const LatencyCounts &counts);
};

} // namespace lbscope
