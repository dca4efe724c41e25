// The flow view against a real engine and real demo instances: dots in the colour of the backend
// that answered, a slow instance's queue and dots turning red, a failure falling in red, lines
// instead of dots at a high rate (wider for the busier backend), and no frame timer while the
// view is hidden behind another tab.

#include "backendpalette.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logrequests.h"
#include "teaching/flowview.h"
#include "traffic/trafficgenerator.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestFlowView : public QObject
{
    Q_OBJECT

    // The view as the window has it: a tab of a QTabWidget, fed by a live poller.
    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<QTabWidget> tabs;
        FlowView *view = nullptr;

        bool start(const QList<int> &weights = {1, 1, 1},
                   DemoPoolFixture::Keepalive keepalive = DemoPoolFixture::Keepalive::Off)
        {
            if (!pool.start(keepalive == DemoPoolFixture::Keepalive::On ? u"keepalive 16;\n"_s : QString(), weights,
                            keepalive))
                return false;
            for (int i = 0; i < 3; ++i)
                palette.numberFor(pool.peer(i));
            poller = std::make_unique<LivePoller>(pool.engine());
            tabs = std::make_unique<QTabWidget>();
            view = new FlowView(&palette);
            tabs->addTab(view, u"Flow"_s);
            tabs->addTab(new QLabel(u"other"_s), u"Other"_s);
            QObject::connect(poller.get(), &LivePoller::ticked, view, &FlowView::handleTick);
            tabs->resize(1280, 600);
            tabs->show();
            poller->start();
            return QTest::qWaitForWindowExposed(tabs.get());
        }

        // Drawn dots of one backend (empty peer: refused at the proxy).
        QList<FlowView::DrawnDot> dotsOf(const QByteArray &peer) const
        {
            QList<FlowView::DrawnDot> result;
            for (const FlowView::DrawnDot &dot : view->drawnDots()) {
                if (dot.peer == peer)
                    result.append(dot);
            }
            return result;
        }
        bool hasDotOf(const QByteArray &peer, bool failed) const
        {
            const QList<FlowView::DrawnDot> dots = dotsOf(peer);
            return std::any_of(dots.cbegin(), dots.cend(), [&](const auto &dot) { return dot.failed == failed; });
        }
        const FlowView::DrawnBackend &backend(int index) const
        {
            static const FlowView::DrawnBackend none;
            const FlowView::DrawnBackend *drawn = view->drawnBackend(pool.peer(index));
            return drawn ? *drawn : none;
        }
    };

    static bool startTraffic(TrafficGenerator &generator, const TrafficPlan &plan)
    {
        QString error;
        if (!generator.start(plan, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return true;
    }

    static TrafficPlan plan(quint16 port)
    {
        TrafficPlan result;
        result.port = port;
        result.host = "photos.example.com"_ba;
        return result;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dotsInTheirBackendsColour()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 6)));
        // Round robin: all three backends get a dot, each in its own colour, none failed.
        QTRY_VERIFY(rig.hasDotOf(rig.pool.peer(0), false) && rig.hasDotOf(rig.pool.peer(1), false) &&
                    rig.hasDotOf(rig.pool.peer(2), false));
        QVERIFY(rig.view->isAnimating());
        QVERIFY(!rig.view->aggregated());
        for (const FlowView::DrawnDot &dot : rig.view->drawnDots()) {
            QVERIFY(!dot.failed);
            QCOMPARE(dot.fill, rig.palette.colorFor(dot.peer));
            QVERIFY(dot.ageMs < FlowModel::AgeYellowMs); // the demo answers at once: still green
            QVERIFY(dot.position.x() >= 0 && dot.position.x() <= rig.view->width());
        }
        QCOMPARE(rig.view->drawnBackends().size(), 3);
        QCOMPARE(rig.backend(1).name, u"web-client2"_s);
        QCOMPARE(rig.backend(1).color, rig.palette.colorFor(rig.pool.peer(1)));
        // Every journey ends: the dots go, and with nothing moving the frame timer stops.
        QTRY_VERIFY(rig.view->drawnDots().isEmpty());
        QTRY_VERIFY(!rig.view->isAnimating());
    }

    void slowInstanceQueuesAndTurnsRed()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        constexpr int DelayMs = 4000; // past AgeRedMs, so its requests go all the way to red
        static_assert(DelayMs > FlowModel::AgeRedMs);
        QVERIFY(rig.pool.engine().demoInstances()->setDelayMs(u"web-client2"_s, DelayMs));
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        TrafficPlan burst = plan(rig.pool.proxyPort());
        burst.mode = TrafficPlan::Mode::Burst;
        burst.count = 9;
        burst.concurrency = 9;
        QVERIFY(startTraffic(generator, burst));

        // Its requests wait at it: a queue from the engine's count, turning red as the oldest ages.
        QTRY_VERIFY(rig.backend(1).inFlight >= 1);
        QVERIFY(rig.backend(1).queueShown >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(rig.backend(1).oldestAgeMs >= FlowModel::AgeRedMs, 10'000);
        QCOMPARE(rig.backend(1).queueColor, FlowModel::ageColor(FlowModel::AgeRedMs));
        QCOMPARE(rig.backend(0).inFlight, 0);
        QCOMPARE(rig.backend(0).queueShown, 0);
        QVERIFY(rig.view->isAnimating());
        // Before any of them has ended (no record yet), their dots wait in front of it, red.
        QTRY_VERIFY([&] {
            const QList<FlowView::DrawnDot> dots = rig.dotsOf(rig.pool.peer(1));
            return std::any_of(dots.cbegin(), dots.cend(), [](const auto &dot) {
                return dot.pending && dot.phase == FlowModel::Phase::Waiting &&
                       dot.ring == FlowModel::ageColor(FlowModel::AgeRedMs);
            });
        }());
        QCOMPARE(rig.pool.engine().snapshot().findPeer(u"photos", rig.pool.peer(1))->counts.responses[1], 0u);

        // When they are answered, their dots show how long they took: red rings at that backend.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<FlowView::DrawnDot> dots = rig.dotsOf(rig.pool.peer(1));
                return std::any_of(dots.cbegin(), dots.cend(), [](const auto &dot) {
                    return dot.ageMs >= FlowModel::AgeRedMs && dot.ring == FlowModel::ageColor(dot.ageMs) &&
                           dot.ring == FlowModel::ageColor(FlowModel::AgeRedMs);
                });
            }(),
            10'000);
        QVERIFY(!finished.isEmpty() || finished.wait(20'000));
        QTRY_COMPARE(rig.backend(1).inFlight, 0);
        QCOMPARE(rig.backend(1).queueShown, 0);
        QCOMPARE(rig.backend(1).oldestAgeMs, 0);
    }

    void failedRequestFallsInRed()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(rig.pool.engine().demoInstances()->setErrorRate(u"web-client3"_s, 1.0));
        HttpTestClient client;
        QVERIFY(client.connectTo(rig.pool.proxyPort()));
        int failures = 0;
        for (int i = 0; i < 3; ++i) {
            client.send("GET /photos/1 HTTP/1.1\r\nHost: photos.example.com\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY(response);
            failures += response->status >= 500 ? 1 : 0;
        }
        QCOMPARE(failures, 1);
        QTRY_VERIFY([&] {
            for (const FlowView::DrawnDot &dot : rig.dotsOf(rig.pool.peer(2))) {
                if (dot.failed && dot.phase == FlowModel::Phase::Falling && dot.fill == FlowModel::failedColor())
                    return true;
            }
            return false;
        }());
        QVERIFY(!rig.hasDotOf(rig.pool.peer(0), true));
        QVERIFY(!rig.hasDotOf(rig.pool.peer(1), true));
    }

    void noLiveUpstreamFallsFromTheProxy()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        for (const QString &name : {u"web-client"_s, u"web-client2"_s, u"web-client3"_s})
            QVERIFY(rig.pool.engine().demoInstances()->stopInstance(name));
        // Every server refuses: 502, then (all failed) "no live upstreams", 502 again.
        HttpTestClient client;
        QVERIFY(client.connectTo(rig.pool.proxyPort()));
        for (int i = 0; i < 2; ++i) {
            client.send("GET / HTTP/1.1\r\nHost: photos.example.com\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 502);
        }
        QTRY_VERIFY(rig.hasDotOf({}, true)); // the second: it never left the proxy
        for (const FlowView::DrawnDot &dot : rig.view->drawnDots()) {
            QVERIFY(dot.failed);
            // On its way to a backend in the backend's colour, falling in red.
            if (dot.phase == FlowModel::Phase::Falling)
                QCOMPARE(dot.fill, FlowModel::failedColor());
        }
    }

    void highRateDrawsLinesByRate()
    {
        Rig rig;
        QVERIFY2(rig.start({5, 1, 1}, DemoPoolFixture::Keepalive::On), qPrintable(rig.pool.error()));
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        TrafficPlan load = plan(rig.pool.proxyPort());
        load.mode = TrafficPlan::Mode::Rate;
        load.rate = 700;
        load.durationSeconds = 3;
        load.count = 2100; // bounded either way
        load.concurrency = 16;
        QVERIFY(startTraffic(generator, load));

        QTRY_VERIFY_WITH_TIMEOUT(rig.view->aggregated(), 10'000);
        QVERIFY(rig.view->model().recordsPerSecond() > FlowModel::AggregateAboveRate);
        // 5:1:1: the first backend's line is the widest once a full second has been counted.
        QTRY_VERIFY_WITH_TIMEOUT(rig.backend(0).rate > 0 && rig.backend(1).rate > 0, 10'000);
        QTRY_VERIFY(rig.backend(0).lineWidth > 2 * rig.backend(1).lineWidth);
        QVERIFY(rig.backend(0).lineWidth > rig.backend(2).lineWidth);
        // No dot per answered request, and never more than the cap.
        QVERIFY(rig.view->drawnDots().size() <= FlowModel::MaxDrawnDots);
        for (const FlowView::DrawnDot &dot : rig.view->drawnDots())
            QVERIFY(dot.failed);
        // Nothing fails here: no frames between ticks, the lines move with each tick.
        QTRY_VERIFY(!rig.view->isAnimating());
        QVERIFY(rig.view->aggregated() || !finished.isEmpty());
        const qint64 frame = rig.view->frameMs();
        QTRY_VERIFY(rig.view->frameMs() > frame);
        QVERIFY(!finished.isEmpty() || finished.wait(20'000));
        // Quiet again: back to a dot per request.
        QTRY_VERIFY_WITH_TIMEOUT(!rig.view->aggregated(), 10'000);
    }

    void frameTimerOnlyWhileOnScreen()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        // A slow instance keeps a queue ageing, so there is always something to animate.
        QVERIFY(rig.pool.engine().demoInstances()->setDelayMs(u"web-client"_s, 3000));
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        TrafficPlan burst = plan(rig.pool.proxyPort());
        burst.mode = TrafficPlan::Mode::Burst;
        burst.count = 3;
        burst.concurrency = 3;
        QVERIFY(startTraffic(generator, burst));
        QTRY_VERIFY(rig.backend(0).inFlight >= 1);
        QVERIFY(rig.view->isAnimating());

        // Behind another tab: stopped at once, and ticks do not start it again.
        rig.tabs->setCurrentIndex(1);
        QVERIFY(!rig.view->isVisible());
        QVERIFY(!rig.view->isAnimating());
        const quint64 sequence = rig.poller->lastTick().sequence;
        QTRY_VERIFY(rig.poller->lastTick().sequence >= sequence + 2);
        QVERIFY(!rig.view->isAnimating());

        // In front again: it runs; the whole window hidden: it stops.
        rig.tabs->setCurrentIndex(0);
        QTRY_VERIFY(rig.view->isAnimating());
        rig.tabs->hide();
        QVERIFY(!rig.view->isAnimating());
        QVERIFY(!finished.isEmpty() || finished.wait(20'000));
    }
};

QTEST_MAIN(TestFlowView)
#include "tst_flowview.moc"
