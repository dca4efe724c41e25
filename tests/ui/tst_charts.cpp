// The charts against a real engine: the distribution bars count what the backends got and
// mark what the weights predict; the rate and latency lines grow by replacing their points
// in series that stay the same objects; the window, a reset and a removed backend show.

#include "../integration/httptestclient.h"
#include "backendpalette.h"
#include "charts/chartspanel.h"
#include "charts/distributionchart.h"
#include "charts/gappedline.h"
#include "charts/latencychart.h"
#include "charts/ratechart.h"
#include "charts/statuschart.h"
#include "demopoolfixture.h"
#include "livepoller.h"

#include <QBarSet>
#include <QComboBox>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QValueAxis>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

bool sendRequests(quint16 port, int count, const QByteArray &path = "/")
{
    for (int i = 0; i < count; ++i) {
        HttpTestClient client;
        if (!client.connectTo(port))
            return false;
        client.send("GET " + path + " HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n");
        const auto response = client.readResponse();
        if (!response || response->status != 200)
            return false;
    }
    return true;
}

// The bars in pool order: set i carries backend i's count at category i.
QList<double> barValues(const DistributionChart &chart)
{
    QList<double> values;
    for (qsizetype i = 0; i < chart.peers().size(); ++i) {
        const QBarSet *set = chart.barSet(chart.peers()[i]);
        values.append(set ? set->at(int(i)) : -1);
    }
    return values;
}

// The expected markers as shares of the total: their height divided by the bars' sum.
QList<double> markerShares(const DistributionChart &chart)
{
    const QList<double> bars = barValues(chart);
    const double total = std::accumulate(bars.cbegin(), bars.cend(), 0.0);
    QList<double> shares;
    for (const QByteArray &peer : chart.peers()) {
        const QLineSeries *marker = chart.expectedMarker(peer);
        if (!marker || marker->count() != 2 || total == 0)
            return {};
        shares.append(std::round(marker->at(0).y() / total * 1000) / 1000);
    }
    return shares;
}

QList<double> rounded(const QList<double> &shares)
{
    QList<double> result;
    for (double share : shares)
        result.append(std::round(share * 1000) / 1000);
    return result;
}

double highestY(const QLineSeries *series)
{
    double highest = 0;
    for (const QPointF &point : series->points())
        highest = std::max(highest, point.y());
    return highest;
}

struct Window
{
    DemoPoolFixture pool;
    BackendPalette palette;
    std::unique_ptr<LivePoller> poller;
    std::unique_ptr<ChartsPanel> panel;

    bool start(const QList<int> &weights = {1, 1, 1})
    {
        if (!pool.start({}, weights))
            return false;
        poller = std::make_unique<LivePoller>(pool.engine());
        panel = std::make_unique<ChartsPanel>(&palette);
        panel->resize(1200, 600);
        QObject::connect(poller.get(), &LivePoller::ticked, panel.get(), &ChartsPanel::handleTick);
        QObject::connect(panel.get(), &ChartsPanel::resetRequested, panel.get(),
                         [this] { pool.engine().resetStats(); });
        panel->show();
        poller->start(20);
        return true;
    }
};

} // namespace

class TestCharts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void distributionCountsAndExpectedShares()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        QVERIFY(sendRequests(window.pool.proxyPort(), 10));
        DistributionChart &chart = *window.panel->distributionChart();
        QTRY_COMPARE(barValues(chart), (QList<double>{4, 3, 3}));
        QCOMPARE(chart.peers(), (QList<QByteArray>{window.pool.peer(0), window.pool.peer(1), window.pool.peer(2)}));
        QTRY_COMPARE(markerShares(chart), (QList<double>{0.333, 0.333, 0.333}));
        QCOMPARE(rounded(chart.expectedShares()), (QList<double>{0.333, 0.333, 0.333}));
        QVERIFY(!chart.dependsOnKeys());
        // Every backend's bar in its own colour.
        for (const QByteArray &peer : chart.peers())
            QCOMPARE(chart.barSet(peer)->color(), window.palette.colorFor(peer));
    }

    void weightsMoveTheExpectedMarkers()
    {
        Window window;
        QVERIFY2(window.start({5, 1, 1}), qPrintable(window.pool.error()));
        QVERIFY(sendRequests(window.pool.proxyPort(), 7));
        DistributionChart &chart = *window.panel->distributionChart();
        QTRY_COMPARE(barValues(chart), (QList<double>{5, 1, 1}));
        QTRY_COMPARE(markerShares(chart), rounded({5.0 / 7, 1.0 / 7, 1.0 / 7}));
        QCOMPARE(rounded(chart.expectedShares()), rounded({5.0 / 7, 1.0 / 7, 1.0 / 7}));
    }

    void clickingABarActivatesItsBackend()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        QVERIFY(sendRequests(window.pool.proxyPort(), 3));
        DistributionChart &chart = *window.panel->distributionChart();
        QTRY_COMPARE(barValues(chart), (QList<double>{1, 1, 1}));
        QSignalSpy activated(window.panel.get(), &ChartsPanel::backendActivated);
        // The middle of backend 1's bar, at half its height.
        const QPointF inChart = chart.chart()->mapToPosition(QPointF(1, 0.5), chart.chart()->series().first());
        const QPoint inView = chart.mapFromScene(chart.chart()->mapToScene(inChart));
        QTest::mouseClick(chart.viewport(), Qt::LeftButton, {}, inView);
        QTRY_COMPARE(activated.size(), 1);
        QCOMPARE(activated.first().first().toByteArray(), window.pool.peer(1));
    }

    void rateLinesAreReplacedNotRebuilt()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        RateChart &chart = *window.panel->rateChart();
        QTRY_COMPARE(chart.peers().size(), 3);
        QLineSeries *series = chart.series(window.pool.peer(0));
        QVERIFY(series);
        const qsizetype seriesCount = chart.chart()->series().size();
        QSignalSpy replaced(series, &QXYSeries::pointsReplaced);
        QSignalSpy added(series, &QXYSeries::pointAdded);

        QVERIFY(sendRequests(window.pool.proxyPort(), 6));
        // The second the requests went in shows once it is over.
        QTRY_VERIFY_WITH_TIMEOUT(highestY(series) >= 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(replaced.size() >= 2, 5000);
        QCOMPARE(chart.series(window.pool.peer(0)), series);
        QCOMPARE(chart.chart()->series().size(), seriesCount);
        QCOMPARE(added.size(), 0);
        QVERIFY(series->count() <= 60);
        QVERIFY(series->points().last().x() == 0);
        QCOMPARE(chart.valueAxis()->min(), 0.0);
        QVERIFY(chart.valueAxis()->max() >= highestY(series));

        // Each backend's latency line got that second's latency.
        LatencyChart &latency = *window.panel->latencyChart();
        QTRY_VERIFY_WITH_TIMEOUT(!std::isnan(latency.latestP50(window.pool.peer(0))) ||
                                     latency.p50Line(window.pool.peer(0))->legendSeries()->count() > 0,
                                 5000);
        QVERIFY(latency.valueAxis()->min() > 0);
    }

    void windowPickerSetsTheTimeAxes()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        RateChart &rate = *window.panel->rateChart();
        LatencyChart &latency = *window.panel->latencyChart();
        QCOMPARE(rate.timeAxis()->min(), -60.0);
        QCOMPARE(rate.timeAxis()->max(), 0.0);
        QComboBox *picker = window.panel->windowPicker();
        picker->setFocus();
        QTest::keyClick(picker, Qt::Key_Down);
        QCOMPARE(window.panel->windowSeconds(), 300);
        QCOMPARE(rate.timeAxis()->min(), -300.0);
        QCOMPARE(rate.timeAxis()->max(), 0.0);
        QCOMPARE(latency.timeAxis()->min(), -300.0);
        QTest::keyClick(picker, Qt::Key_Down);
        QCOMPARE(latency.timeAxis()->min(), -900.0);
        QCOMPARE(rate.timeAxis()->min(), -900.0);
    }

    void resetClearsEveryChart()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        QVERIFY(sendRequests(window.pool.proxyPort(), 6));
        DistributionChart &bars = *window.panel->distributionChart();
        RateChart &rate = *window.panel->rateChart();
        StatusChart &status = *window.panel->statusChart();
        QTRY_COMPARE(barValues(bars), (QList<double>{2, 2, 2}));
        QTRY_COMPARE(status.classSet(1)->at(0), 2.0); // 2xx of backend 1
        QLineSeries *series = rate.series(window.pool.peer(0));
        QTRY_VERIFY_WITH_TIMEOUT(highestY(series) >= 1, 5000);

        QTest::mouseClick(window.panel->resetButton(), Qt::LeftButton);
        QTRY_COMPARE(barValues(bars), (QList<double>{0, 0, 0}));
        QTRY_COMPARE(status.classSet(1)->at(0), 0.0);
        QTRY_COMPARE(highestY(series), 0.0);
        QCOMPARE(rate.series(window.pool.peer(0)), series);
        LatencyChart &latency = *window.panel->latencyChart();
        QCOMPARE(latency.p50Line(window.pool.peer(0))->legendSeries()->count(), 0);

        // Counting goes on from zero.
        QVERIFY(sendRequests(window.pool.proxyPort(), 3));
        QTRY_COMPARE(barValues(bars), (QList<double>{1, 1, 1}));
    }

    void removedBackendLosesItsSeries()
    {
        Window window;
        QVERIFY2(window.start(), qPrintable(window.pool.error()));
        RateChart &rate = *window.panel->rateChart();
        DistributionChart &bars = *window.panel->distributionChart();
        StatusChart &status = *window.panel->statusChart();
        QTRY_COMPARE(rate.peers().size(), 3);
        const qsizetype rateSeries = rate.chart()->series().size();
        const qsizetype barSeries = bars.chart()->series().size();
        const qsizetype latencySeries = window.panel->latencyChart()->chart()->series().size();

        QString error;
        QVERIFY2(window.pool.engine().removeServer(u"photos"_s, QString::fromLatin1(window.pool.peer(2)), &error),
                 qPrintable(error));
        QTRY_COMPARE(rate.peers().size(), 2);
        QCOMPARE(rate.series(window.pool.peer(2)), nullptr);
        QCOMPARE(rate.chart()->series().size(), rateSeries - 1);
        QCOMPARE(bars.barSet(window.pool.peer(2)), nullptr);
        QCOMPARE(bars.expectedMarker(window.pool.peer(2)), nullptr);
        QCOMPARE(bars.chart()->series().size(), barSeries - 1);
        QCOMPARE(window.panel->latencyChart()->p50Line(window.pool.peer(2)), nullptr);
        QVERIFY(window.panel->latencyChart()->chart()->series().size() < latencySeries);
        QCOMPARE(status.classSet(1)->count(), 2);

        // The two left share the requests.
        QVERIFY(sendRequests(window.pool.proxyPort(), 4));
        QTRY_COMPARE(barValues(bars), (QList<double>{2, 2}));
        QTRY_COMPARE(markerShares(bars), (QList<double>{0.5, 0.5}));
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
