// The counters' building blocks: latency buckets and percentiles, per-second rates, and the
// access log ring's cursor reads as it wraps.

#include "stats/accesslog.h"
#include "stats/latencyhistogram.h"
#include "stats/rateseries.h"

#include <QTest>

using namespace lbscope;

class TestStats : public QObject
{
    Q_OBJECT

private slots:
    void bucketsCoverEveryValueOnce()
    {
        int previous = 0;
        for (qint64 micros = 0; micros < 100'000; ++micros) {
            const int bucket = LatencyHistogram::bucketOf(micros);
            QVERIFY(bucket == previous || bucket == previous + 1);
            QVERIFY(micros <= LatencyHistogram::upperBoundMicros(bucket));
            if (bucket > 0)
                QVERIFY(micros > LatencyHistogram::upperBoundMicros(bucket - 1));
            previous = bucket;
        }
        QCOMPARE(LatencyHistogram::bucketOf(qint64(1) << 40), LatencyHistogram::Buckets - 1);
    }

    void percentilesStayWithinABucket()
    {
        LatencyHistogram histogram;
        for (int i = 1; i <= 1000; ++i)
            histogram.add(i * 1000); // 1 ms .. 1000 ms
        LatencyCounts counts;
        counts.add(histogram);
        const LatencySummary summary = LatencySummary::from(counts);
        QCOMPARE(summary.count, quint64(1000));
        QCOMPARE(summary.maxMs, 1000.0);
        QVERIFY(summary.p50Ms >= 500 && summary.p50Ms <= 500 * 1.19);
        QVERIFY(summary.p90Ms >= 900 && summary.p90Ms <= 900 * 1.19);
        QVERIFY(summary.p99Ms >= 990 && summary.p99Ms <= 1000);
        QVERIFY(qAbs(summary.meanMs - 500.5) < 0.01);
    }

    void countsSubtractABaseline()
    {
        LatencyHistogram histogram;
        histogram.add(100);
        LatencyCounts baseline;
        baseline.add(histogram);
        histogram.add(5000);
        LatencyCounts now;
        now.add(histogram);
        now.subtract(baseline);
        QCOMPARE(now.count, quint64(1));
        QVERIFY(now.percentileMs(0.5) >= 5.0);
    }

    void rateSeriesCountsBySecond()
    {
        RateSeries series;
        for (int i = 0; i < 3; ++i)
            series.add(1000);
        series.add(1002);
        QList<quint32> values;
        series.addTo(values, 1002, 0);
        QCOMPARE(values.size(), RateSeries::Seconds);
        QCOMPARE(values.last(), 1u);
        QCOMPARE(values[RateSeries::Seconds - 3], 3u);
        QCOMPARE(values[RateSeries::Seconds - 2], 0u);

        QList<quint32> afterReset;
        series.addTo(afterReset, 1002, 1001);
        QCOMPARE(afterReset[RateSeries::Seconds - 3], 0u);

        series.add(1000 + RateSeries::Seconds); // reuses 1000's slot
        QList<quint32> later;
        series.addTo(later, 1000 + RateSeries::Seconds, 0);
        QCOMPARE(later.last(), 1u); // the old second 1000 is not counted again
    }

    void ringWrapsAndReadsByCursor()
    {
        AccessLog log(5);
        for (int i = 0; i < 12; ++i) {
            AccessRecord record;
            record.status = 200 + i;
            log.append(record);
        }
        QCOMPARE(log.lastId(), quint64(12));
        QList<AccessRecord> records;
        quint64 cursor = log.readAfter(0, &records);
        QCOMPARE(cursor, quint64(12));
        QCOMPARE(records.size(), 5); // the 7 oldest fell off
        QCOMPARE(records.first().id, quint64(8));
        QCOMPARE(records.last().status, 211);

        AccessRecord more;
        more.status = 299;
        log.append(more);
        records.clear();
        cursor = log.readAfter(cursor, &records);
        QCOMPARE(cursor, quint64(13));
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.first().status, 299);

        records.clear();
        QCOMPARE(log.readAfter(10, &records, 2), quint64(12));
        QCOMPARE(records.size(), 2);
        records.clear();
        QCOMPARE(log.readAfter(13, &records), quint64(13));
        QVERIFY(records.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStats)
#include "tst_stats.moc"
