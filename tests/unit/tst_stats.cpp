// The counters' building blocks: latency buckets and percentiles, per-second rates, the
// access log ring's cursor reads as it wraps, and how the workers' peer counters add up
// and reset.

#include "stats/accesslog.h"
#include "stats/latencyhistogram.h"
#include "stats/rateseries.h"
#include "stats/statssnapshot.h"

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

    void peerCountsAddUpOverWorkers()
    {
        PeerCounters first;
        PeerCounters second;
        first.countResponse(503);
        first.countResponse(404);
        second.countResponse(503);
        second.countResponse(200);
        second.countResponse(999); // its class only
        bump(first.unavailable);
        first.lastSelectedMs.store(1'000);
        second.lastSelectedMs.store(2'000);
        first.countFailure(FailureKind::Refused, 0, 5'000);
        second.countFailure(FailureKind::HttpStatus, 502, 4'000);
        first.active.store(2);
        second.active.store(1);

        PeerCounts counts;
        counts.add(first);
        counts.add(second);
        const QMap<int, quint64> codes{{200, 1}, {404, 1}, {503, 2}};
        QCOMPARE(counts.statusCodes(), codes);
        QCOMPARE(counts.statusCode(503), quint64(2));
        QCOMPARE(counts.statusCode(999), quint64(0));
        QCOMPARE(counts.responses, (std::array<quint64, 5>{0, 1, 0, 1, 3}));
        QCOMPARE(counts.unavailable, quint64(1));
        QCOMPARE(counts.failures, quint64(2));
        QCOMPARE(counts.failuresByKind[std::size_t(FailureKind::Refused)], quint64(1));
        QCOMPARE(counts.failuresByKind[std::size_t(FailureKind::HttpStatus)], quint64(1));
        QCOMPARE(counts.lastSelectedMs, qint64(2'000)); // the latest of the two
        QCOMPARE(counts.lastFailure, (PeerFailure{5'000, FailureKind::Refused, 0}));
        QCOMPARE(describeFailure(counts.lastFailure), u"refused");
        QCOMPARE(counts.active, qint64(3));
    }

    void oldestInFlightFollowsTheAttempts()
    {
        PeerCounters first;
        PeerCounters second;
        InFlightAttempt a, b, c, d;
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(0));
        first.inFlight.append(a, 1'000);
        first.inFlight.append(b, 2'000);
        first.inFlight.append(c, 3'000);
        second.inFlight.append(d, 1'500);
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(1'000));
        PeerCounts counts;
        counts.add(first);
        counts.add(second);
        QCOMPARE(counts.oldestActiveStartMs, qint64(1'000)); // the earliest over the workers

        InFlightList::remove(b); // from the middle: the oldest stays
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(1'000));
        InFlightList::remove(a); // the oldest: the next one is now
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(3'000));
        InFlightList::remove(a); // not in flight any more: nothing happens
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(3'000));
        PeerCounts later;
        later.add(first);
        later.add(second);
        QCOMPARE(later.oldestActiveStartMs, qint64(1'500));
        first.inFlight.append(b, 4'000); // an attempt again, at the end
        InFlightList::remove(c);
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(4'000));
        InFlightList::remove(b);
        InFlightList::remove(d);
        QCOMPARE(first.inFlight.oldestStartMs(), qint64(0));
        PeerCounts none;
        none.add(first);
        none.add(second);
        none.subtract(counts); // a "now" figure: not reset
        QCOMPARE(none.oldestActiveStartMs, qint64(0));
    }

    void resetZeroesEveryPeerFigure()
    {
        PeerCounters worker;
        worker.countResponse(503);
        bump(worker.unavailable);
        bump(worker.requests);
        worker.lastSelectedMs.store(1'000);
        worker.countFailure(FailureKind::Timeout, 0, 1'000);
        worker.active.store(1);
        worker.failedUntil.store(77);
        PeerCounts baseline;
        baseline.add(worker);

        PeerCounts unchanged;
        unchanged.add(worker);
        unchanged.subtract(baseline);
        QCOMPARE(unchanged.statusCodes(), (QMap<int, quint64>{}));
        QCOMPARE(unchanged.responses[4], quint64(0));
        QCOMPARE(unchanged.unavailable, quint64(0));
        QCOMPARE(unchanged.requests, quint64(0));
        QCOMPARE(unchanged.failures, quint64(0));
        QCOMPARE(unchanged.lastSelectedMs, qint64(0)); // not picked since the reset
        QCOMPARE(unchanged.lastFailure, PeerFailure{});
        QCOMPARE(describeFailure(unchanged.lastFailure), QString());
        QCOMPARE(unchanged.active, qint64(1)); // "now" figures are not reset
        QCOMPARE(unchanged.failedUntil, qint64(77));

        worker.countResponse(503);
        worker.countResponse(200);
        bump(worker.requests);
        worker.lastSelectedMs.store(3'000);
        worker.countFailure(FailureKind::HttpStatus, 503, 3'000);
        PeerCounts after;
        after.add(worker);
        after.subtract(baseline);
        QCOMPARE(after.statusCodes(), (QMap<int, quint64>{{200, 1}, {503, 1}}));
        QCOMPARE(after.lastSelectedMs, qint64(3'000));
        QCOMPARE(describeFailure(after.lastFailure), u"http_503");
        QCOMPARE(after.failuresByKind[std::size_t(FailureKind::Timeout)], quint64(0));

        // A pick in the same millisecond as the last one before the reset still counts.
        PeerCounters sameMs;
        bump(sameMs.requests);
        sameMs.lastSelectedMs.store(1'000);
        PeerCounts before;
        before.add(sameMs);
        bump(sameMs.requests);
        PeerCounts since;
        since.add(sameMs);
        since.subtract(before);
        QCOMPARE(since.lastSelectedMs, qint64(1'000));
    }

    void proxyCountsResetAllButConnections()
    {
        WorkerCounters worker;
        bump(worker.requests, 3);
        bump(worker.responses[1], 3);
        worker.countClientError(400);
        worker.connections.store(2);
        ProxyCounts baseline;
        baseline.add(worker);
        bump(worker.requests);
        ProxyCounts now;
        now.add(worker);
        now.subtract(baseline);
        QCOMPARE(now.requests, quint64(1));
        QCOMPARE(now.responses[1], quint64(0));
        QCOMPARE(now.clientErrorTotal(), quint64(0));
        QCOMPARE(now.connections, qint64(2));
    }

    void failurePacksIntoOneWord()
    {
        const qint64 ms = 1'795'508'338'123;
        for (const FailureKind kind : {FailureKind::Refused, FailureKind::Reset, FailureKind::Timeout,
                                       FailureKind::InvalidHeader, FailureKind::HttpStatus}) {
            const PeerFailure failure = PeerFailure::unpack(PeerFailure::pack(ms, kind, 599));
            QCOMPARE(failure, (PeerFailure{ms, kind, 599}));
        }
        QCOMPARE(PeerFailure::unpack(0), PeerFailure{});
    }

    void counterTableNeverReadsOutsideItself()
    {
        PeerCounterTable table;
        QVERIFY(table.ensure(3));
        PeerCounters &spare = table.at(-1);
        QVERIFY(&table.at(0) != &spare);
        QVERIFY(&table.at(1) == &table.at(0) + 1);
        // Slots never made usable, and slots past the maximum, all land in the spare counters.
        QVERIFY(&table.at(PeerCounterTable::BlockSize) == &spare);
        QVERIFY(&table.at(PeerCounterTable::MaxSlots) == &spare);
        QVERIFY(&table.at(std::numeric_limits<int>::max()) == &spare);
        bump(table.at(PeerCounterTable::MaxSlots + 5).requests); // written, read by no one
        QCOMPARE(read(table.at(0).requests), quint64(0));
        QCOMPARE(PeerCounterTable::MaxSlots, 65'536);
    }

    void recordFindsAnyRequestHeader()
    {
        AccessRecord record;
        record.requestHeaders = "Host: a\r\nX-Trace-Id:  t1 \r\nx-trace-id: t2\r\nBad line\r\nEmpty:";
        QCOMPARE(record.requestHeader("x_trace_id"), QByteArray("t1, t2"));
        QCOMPARE(record.requestHeader("HOST"), QByteArray("a"));
        QCOMPARE(record.requestHeader("empty"), QByteArray());
        QCOMPARE(record.requestHeader("missing"), QByteArray());
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
