// The charts under the traffic generator's load: series are neither added nor rebuilt, the
// lines hold at most one point per second of the window, and the bars add up to what was
// answered. With LBSCOPE_CHARTS_LOAD_RATE and LBSCOPE_CHARTS_LOAD_SECONDS set it becomes the
// measurement of issue 7 (e.g. 5000 req/s for 60 s): it prints the GUI event loop's lateness
// and the resident memory, and with LBSCOPE_CHARTS_SHOT=FILE.png (LBSCOPE_CHARTS_SHOT_DARK for a
// dark palette) it saves the panel's picture.
// Figures are printed, never asserted: ctest has no timing thresholds.

#include "backendpalette.h"
#include "charts/chartspanel.h"
#include "charts/distributionchart.h"
#include "charts/ratechart.h"
#include "demo/demobackend.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "traffic/trafficgenerator.h"

#include <QBarSet>
#include <QElapsedTimer>
#include <QFile>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <ctime>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

double envNumber(const char *name, double fallback)
{
    bool ok = false;
    const double value = qEnvironmentVariable(name).toDouble(&ok);
    return ok && value > 0 ? value : fallback;
}

qint64 residentKiB()
{
    QFile file(u"/proc/self/statm"_s);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = file.readAll().split(' ');
    return fields.value(1).toLongLong() * 4;
}

qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

double percentile(QList<double> values, double fraction)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[qsizetype(std::min(double(values.size() - 1), fraction * double(values.size())))];
}

} // namespace

class TestChartsLoad : public QObject
{
    Q_OBJECT

private slots:
    void chartsStayBoundedUnderLoad()
    {
        const double rate = envNumber("LBSCOPE_CHARTS_LOAD_RATE", 300);
        const double seconds = envNumber("LBSCOPE_CHARTS_LOAD_SECONDS", 3);

        DemoPoolFixture pool;
        QVERIFY2(pool.start(), qPrintable(pool.error()));
        // A slow third backend and a few errors on the second, so every chart has something to say.
        DemoFleet *fleet = pool.engine().demoInstances();
        QCOMPARE(fleet->instances().size(), 3);
        QVERIFY(fleet->setDelayMs(u"web-client3"_s, 20));
        QVERIFY(fleet->setErrorRate(u"web-client2"_s, 0.03));

        BackendPalette palette;
        LivePoller poller(pool.engine());
        ChartsPanel panel(&palette);
        panel.resize(1280, 500);
        // What the charts cost the GUI thread per tick, in CPU time (other processes on the machine
        // can stretch wall time, not this).
        QList<double> tickCpuMs;
        // LBSCOPE_CHARTS_LOAD_BASELINE=1: the same run with the charts left out, to tell their
        // memory and time from the engine's and the generator's.
        const bool baseline = qEnvironmentVariableIntValue("LBSCOPE_CHARTS_LOAD_BASELINE") == 1;
        connect(&poller, &LivePoller::ticked, &panel, [&](const LiveTick &tick) {
            if (baseline && !panel.rateChart()->peers().isEmpty())
                return;
            const qint64 before = threadCpuNs();
            panel.handleTick(tick);
            tickCpuMs.append(double(threadCpuNs() - before) / 1e6);
        });
        panel.show();
        poller.start();
        QTRY_COMPARE(panel.rateChart()->peers().size(), 3);
        const qsizetype rateSeries = panel.rateChart()->chart()->series().size();
        const qsizetype barSeries = panel.distributionChart()->chart()->series().size();
        QLineSeries *line = panel.rateChart()->series(pool.peer(0));

        // The event loop's lateness: how late a 10 ms timer fires, all run long.
        QList<double> lateness;
        QElapsedTimer clock;
        clock.start();
        qint64 previous = clock.nsecsElapsed();
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed();
            lateness.append(std::max(0.0, double(now - previous) / 1e6 - 10.0));
            previous = now;
        });
        probe.start(10);

        TrafficPlan plan;
        QString error;
        QVERIFY2(plan.setUrl(u"http://127.0.0.1:%1/"_s.arg(pool.proxyPort()), &error), qPrintable(error));
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = rate;
        plan.durationSeconds = seconds;
        plan.concurrency = std::clamp(int(rate / 20), 16, 512); // the slow backend holds some for 20 ms
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        QVERIFY2(generator.start(plan, &error), qPrintable(error));
        qint64 rssAfterWarmUp = -1;
        QTimer::singleShot(std::min(5000, int(seconds * 500)), this, [&] { rssAfterWarmUp = residentKiB(); });
        // A loaded machine may not keep the rate up: stop what is left a little after the planned end.
        if (!finished.wait(int(seconds * 1000) + 10'000))
            generator.stop();
        const qint64 rssAtEnd = residentKiB();
        probe.stop();

        const TrafficProgress progress = generator.progress();
        QVERIFY(progress.done > 0);
        // Every answered request counted once in the bars, as the engine counted it.
        const quint64 engineRequests = pool.engine().snapshot().proxy.requests;
        auto barTotal = [&] {
            double total = 0;
            const DistributionChart &chart = *panel.distributionChart();
            for (qsizetype i = 0; i < chart.peers().size(); ++i)
                total += chart.barSet(chart.peers()[i])->at(int(i));
            return total;
        };
        if (!baseline) {
            QTRY_COMPARE(barTotal(), double(engineRequests));
            QCOMPARE(panel.rateChart()->chart()->series().size(), rateSeries);
            QCOMPARE(panel.distributionChart()->chart()->series().size(), barSeries);
            QCOMPARE(panel.rateChart()->series(pool.peer(0)), line);
            QVERIFY(line->count() <= panel.windowSeconds());
        }

        qInfo().noquote() << u"load: %1 req/s asked for %2 s, %3 answered (%4/s achieved), %5 failed"_s.arg(rate)
                                 .arg(seconds)
                                 .arg(progress.done)
                                 .arg(progress.achievedRate, 0, 'f', 0)
                                 .arg(progress.failed);
        qInfo().noquote() << u"event loop lateness of a 10 ms timer: p50 %1 ms, p99 %2 ms, max %3 ms over %4 samples"_s
                                 .arg(percentile(lateness, 0.5), 0, 'f', 1)
                                 .arg(percentile(lateness, 0.99), 0, 'f', 1)
                                 .arg(percentile(lateness, 1.0), 0, 'f', 1)
                                 .arg(lateness.size());
        qInfo().noquote() << u"charts' CPU time per tick: p50 %1 ms, p99 %2 ms, max %3 ms over %4 ticks"_s
                                 .arg(percentile(tickCpuMs, 0.5), 0, 'f', 2)
                                 .arg(percentile(tickCpuMs, 0.99), 0, 'f', 2)
                                 .arg(percentile(tickCpuMs, 1.0), 0, 'f', 2)
                                 .arg(tickCpuMs.size());
        qInfo().noquote()
            << u"resident memory: %1 KiB after warm-up, %2 KiB at the end"_s.arg(rssAfterWarmUp).arg(rssAtEnd);
        const QString shot = qEnvironmentVariable("LBSCOPE_CHARTS_SHOT");
        if (!shot.isEmpty())
            QVERIFY(panel.grab().save(shot));
        const QString darkShot = qEnvironmentVariable("LBSCOPE_CHARTS_SHOT_DARK");
        if (!darkShot.isEmpty()) {
            QPalette dark;
            dark.setColor(QPalette::Window, QColor(0x2b2b2b));
            dark.setColor(QPalette::WindowText, QColor(0xe6e6e6));
            dark.setColor(QPalette::Base, QColor(0x1e1e1e));
            dark.setColor(QPalette::Text, QColor(0xe6e6e6));
            dark.setColor(QPalette::Button, QColor(0x3a3a3a));
            dark.setColor(QPalette::ButtonText, QColor(0xe6e6e6));
            panel.setPalette(dark);
            QVERIFY(panel.grab().save(darkShot));
        }
    }
};

QTEST_MAIN(TestChartsLoad)
#include "tst_charts_load.moc"
