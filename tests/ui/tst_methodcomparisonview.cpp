// The "Compare methods" view driven with real clicks against a real main engine: picking two
// methods and pressing Start both fills both sides' distributions (in the main pool's colours)
// and latencies from the copies' own counters, with the sentence for the class; Stop both stops
// both copies and closes their ports; a method the pool cannot run is refused with its reason.
// The main proxy gets none of the comparison's requests.

#include "backendpalette.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "teaching/methodcomparisonview.h"
#include "traffic/trafficdistributionview.h"
#include "upstream/inlinemessage.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// Picks the item with the keyboard, as the other window tests do (Home, then Down).
bool pick(QComboBox *box, const QString &text)
{
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Home);
    for (int step = 0; step < box->count() && box->currentText() != text; ++step)
        QTest::keyClick(box, Qt::Key_Down);
    return box->currentText() == text;
}

// Replaces the spin box's text as a user types it.
void type(QSpinBox *box, int value)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, QString::number(value));
    QTest::keyClick(box, Qt::Key_Tab);
}

bool refuses(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(5000);
    return socket.error() == QAbstractSocket::ConnectionRefusedError;
}

} // namespace

class TestMethodComparisonView : public QObject
{
    Q_OBJECT

    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<MethodComparisonView> view;

        bool start()
        {
            if (!pool.start())
                return false;
            poller = std::make_unique<LivePoller>(pool.engine());
            view = std::make_unique<MethodComparisonView>(&palette);
            QObject::connect(poller.get(), &LivePoller::ticked, view.get(), &MethodComparisonView::handleTick);
            poller->pollNow();
            view->resize(1000, 700);
            view->show();
            return QTest::qWaitForWindowExposed(view.get());
        }
    };

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void startFillsBothSides()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        MethodComparisonView &view = *rig.view;
        // The lesson by default: the last server is the slow one.
        QCOMPARE(view.slowServerBox()->currentText(), rig.pool.host() + u":3101"_s);
        QCOMPARE(view.slowDelayBox()->value(), MethodComparisonView::DefaultSlowDelayMs);
        QVERIFY(view.concurrencyBox()->value() > 1);

        QVERIFY(pick(view.methodBox(0), u"least_conn"_s));
        QVERIFY(pick(view.methodBox(0), u"round robin"_s));
        QVERIFY(pick(view.methodBox(1), u"least_conn"_s));
        type(view.requestsBox(), 150);
        QCOMPARE(view.requestsBox()->value(), 150);

        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QVERIFY2(view.comparison().isRunning(), qPrintable(view.message()->text()));
        QVERIFY(!view.startButton()->isEnabled());
        QVERIFY(view.stopButton()->isEnabled());
        QVERIFY(!view.methodBox(0)->isEnabled());

        QTRY_VERIFY_WITH_TIMEOUT(!view.comparison().isRunning(), 20'000);
        QVERIFY(view.startButton()->isEnabled());
        QVERIFY(!view.stopButton()->isEnabled());
        for (int i = 0; i < MethodComparison::Sides; ++i) {
            const QList<BackendShare> shares = view.distribution(i)->shares();
            QCOMPARE(shares.size(), 3);
            quint64 total = 0;
            for (int b = 0; b < 3; ++b) {
                // The copy's instance is drawn as the main pool's server, in its colour.
                QCOMPARE(shares[b].backend, QString::fromLatin1(rig.pool.peer(b)));
                total += shares[b].count;
            }
            QCOMPARE(total, quint64(150));
            const ComparisonSide side = view.comparison().side(i);
            QCOMPARE(view.latencyLabel(i)->text(),
                     u"p50 %1 ms   p99 %2 ms   max %3 ms"_s.arg(
                         side.requestTime.p50Ms < 10 ? QString::number(side.requestTime.p50Ms, 'f', 1)
                                                     : QString::number(std::llround(side.requestTime.p50Ms)),
                         side.requestTime.p99Ms < 10 ? QString::number(side.requestTime.p99Ms, 'f', 1)
                                                     : QString::number(std::llround(side.requestTime.p99Ms)),
                         side.requestTime.maxMs < 10 ? QString::number(side.requestTime.maxMs, 'f', 1)
                                                     : QString::number(std::llround(side.requestTime.maxMs))));
            QVERIFY2(view.progressLabel(i)->text().startsWith(u"150 of 150 answered"_s),
                     qPrintable(view.progressLabel(i)->text()));
            // The slow server's delay is in each side's latency: over 100 ms at the top.
            QVERIFY(side.requestTime.maxMs >= 100);
        }
        const ComparisonSide roundRobin = view.comparison().side(0);
        const ComparisonSide leastConn = view.comparison().side(1);
        QCOMPARE(roundRobin.backends[2].counts.requests, quint64(50));
        QVERIFY(leastConn.backends[2].counts.requests < 50);
        const QString conclusion = view.conclusionLabel()->text();
        QVERIFY2(conclusion.startsWith(u"least_conn sent the slow %1:3101 "_s.arg(rig.pool.host())) &&
                     conclusion.contains(
                         u"fewer requests than round robin (%1 vs 50)"_s.arg(leastConn.backends[2].counts.requests)),
                 qPrintable(conclusion));
        QVERIFY2(view.trafficLabel()->text().contains(u"same 150 requests, path for path"_s),
                 qPrintable(view.trafficLabel()->text()));

        // The comparison ran on copies: the main proxy saw none of it.
        QCOMPARE(rig.pool.engine().snapshot().proxy.requests, quint64(0));
    }

    void stopStopsBoth()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        MethodComparisonView &view = *rig.view;
        type(view.rateBox(), 100);
        QVERIFY(!view.requestsBox()->isEnabled());
        QVERIFY(view.durationBox()->isEnabled());
        type(view.durationBox(), 60);
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QVERIFY2(view.comparison().isRunning(), qPrintable(view.message()->text()));
        const QList<quint16> ports = view.comparison().ports();
        QCOMPARE(ports.size(), 8);
        QTRY_VERIFY_WITH_TIMEOUT(
            view.comparison().side(0).progress.done >= 5 && view.comparison().side(1).progress.done >= 5, 10'000);
        QTRY_VERIFY(!view.distribution(0)->shares().isEmpty() && !view.distribution(1)->shares().isEmpty());
        QVERIFY(view.conclusionLabel()->text().startsWith(u"So far: "_s));

        QTest::mouseClick(view.stopButton(), Qt::LeftButton);
        QVERIFY(!view.comparison().isRunning());
        QVERIFY(view.startButton()->isEnabled());
        QVERIFY(!view.stopButton()->isEnabled());
        for (quint16 port : ports)
            QVERIFY2(refuses(port), qPrintable(u"port %1 is still open"_s.arg(port)));
        for (int i = 0; i < MethodComparison::Sides; ++i) {
            QVERIFY2(view.progressLabel(i)->text().contains(u"of %1 answered"_s.arg(QLocale().toString(6000))),
                     qPrintable(view.progressLabel(i)->text()));
            QVERIFY(view.comparison().side(i).progress.done < 6000);
        }
        QVERIFY2(view.trafficLabel()->text().startsWith(u"Stopped or cut short"_s),
                 qPrintable(view.trafficLabel()->text()));
    }

    void copiesTakeTheMainKnobs()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        MethodComparisonView &view = *rig.view;
        DemoFleet *fleet = rig.pool.engine().demoInstances();
        QVERIFY(fleet->setDelayMs(u"web-client2"_s, 7));
        QVERIFY(fleet->setErrorRate(u"web-client"_s, 0.25));
        QVERIFY(fleet->stopInstance(u"web-client3"_s));
        // The stop is queued to the instance's thread: the next ticks show it.
        const auto crashedInTick = [&] {
            rig.poller->pollNow();
            return view.setup().knobs.value(2).crashed;
        };
        QTRY_VERIFY(crashedInTick());
        ComparisonSetup setup = view.setup();
        QCOMPARE(setup.knobs.size(), 3);
        QCOMPARE(setup.knobs[0], (DemoKnobs{0, 0.25, false}));
        QCOMPARE(setup.knobs[1], (DemoKnobs{7, 0.0, false}));
        // The slow server's delay is the view's; the crash is the main instance's.
        QCOMPARE(setup.knobs[2], (DemoKnobs{MethodComparisonView::DefaultSlowDelayMs, 0.0, true}));
        QVERIFY(pick(view.slowServerBox(), u"none"_s));
        QVERIFY(!view.slowDelayBox()->isEnabled());
        setup = view.setup();
        QCOMPARE(setup.knobs[2], (DemoKnobs{0, 0.0, true}));
        QCOMPARE(setup.plan.mode, TrafficPlan::Mode::Burst);
        QCOMPARE(setup.plan.count, quint64(MethodComparisonView::DefaultRequests));
        QCOMPARE(setup.plan.concurrency, MethodComparisonView::DefaultConcurrency);
    }

    void closingTheViewFreesTheCopies()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        type(rig.view->rateBox(), 50);
        QTest::mouseClick(rig.view->startButton(), Qt::LeftButton);
        QVERIFY(rig.view->comparison().isRunning());
        const QList<quint16> ports = rig.view->comparison().ports();
        QCOMPARE(ports.size(), 8);
        QTRY_VERIFY(rig.view->comparison().side(1).progress.done > 0);
        rig.view.reset();
        for (quint16 port : ports)
            QVERIFY2(refuses(port), qPrintable(u"port %1 is still open"_s.arg(port)));
    }

    void refusedMethodSaysWhy()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        MethodComparisonView &view = *rig.view;
        // A backup server in the main pool: hash cannot run it, as nginx says.
        UpstreamServer backup = rig.pool.engine().configuration().upstreams.first().servers[2];
        backup.backup = true;
        QString error;
        QVERIFY2(rig.pool.engine().updateServer(u"photos"_s, backup.address, backup, &error), qPrintable(error));
        rig.poller->pollNow();
        QVERIFY(pick(view.methodBox(1), u"hash $request_uri"_s));
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QVERIFY(!view.comparison().isRunning());
        QVERIFY2(view.message()->text().contains(u"hash $request_uri: "_s) &&
                     view.message()->text().contains(u"backup"_s),
                 qPrintable(view.message()->text()));
        QVERIFY(view.comparison().ports().isEmpty());
        // Back to a method that can: it runs.
        QVERIFY(pick(view.methodBox(1), u"least_conn"_s));
        type(view.requestsBox(), 30);
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QVERIFY(view.comparison().isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!view.comparison().isRunning(), 20'000);
        QCOMPARE(view.comparison().side(1).progress.done, quint64(30));
    }
};

QTEST_MAIN(TestMethodComparisonView)

#include "tst_methodcomparisonview.moc"
