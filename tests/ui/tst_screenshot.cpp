// Renders the main window after a short demo run to build/screenshots/main-window.png, the same
// view scripts/screenshot takes of the real window under Xvfb for the README.

#include "charts/chartspanel.h"
#include "charts/distributionchart.h"
#include "charts/latencychart.h"
#include "demo/demofleet.h"
#include "demowindowfixture.h"
#include "livepoller.h"
#include "logs/logpanel.h"
#include "presentationmode.h"
#include "teaching/flowview.h"
#include "teaching/methodcomparisonview.h"
#include "teaching/sequencestrip.h"
#include "traffic/trafficgenerator.h"
#include "upstream/upstreameditor.h"
#include "upstream/upstreamtablemodel.h"
#include "upstream/weightslider.h"

#include <QDir>
#include <QDockWidget>
#include <QImage>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestScreenshot : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear(); // a window as a new user sees it, not in presentation mode
    }

    void windowAfterDemoRun()
    {
        DemoWindowFixture fixture;
        QVERIFY2(fixture.open(), qPrintable(fixture.pool().error()));
        DemoPoolFixture &pool = fixture.pool();
        MainWindow &window = fixture.window();

        // A server picked in the table, its weight raised on the slider, as a class would see it.
        UpstreamEditor *editor = window.upstreamEditor();
        QTRY_COMPARE(editor->model()->rowCount(), 3);
        editor->view()->setFocus();
        editor->view()->setCurrentIndex(editor->model()->index(1, UpstreamTableModel::AddressColumn));
        QSlider *slider = editor->weightSlider()->slider();
        QTest::keyClick(slider, Qt::Key_Right);
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(pool.engine().configuration().upstreams.value(0).servers.value(1).weight, 3);

        TrafficPlan plan;
        plan.port = pool.proxyPort();
        plan.host = "photos.example.com"_ba;
        plan.mode = TrafficPlan::Mode::Burst;
        plan.count = 60;
        plan.pathTemplate = u"/photos/{rand:1-500}"_s;
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        QString error;
        QVERIFY2(generator.start(plan, &error), qPrintable(error));
        QVERIFY(finished.wait(20'000));
        QTRY_COMPARE(window.poller()->lastTick().stats.proxy.requests, 60u);
        // Two more ticks: every view has taken the last numbers.
        const quint64 sequence = window.poller()->lastTick().sequence;
        QTRY_VERIFY(window.poller()->lastTick().sequence >= sequence + 2);

        // The sequence strip above the charts holds the run, and the charts keep two rows.
        QCOMPARE(window.sequenceStrip()->count(), 60);
        QVERIFY(window.sequenceStrip()->isVisible());
        const ChartsPanel *charts = window.chartsPanel();
        qInfo("strip %dx%d, charts %dx%d", window.sequenceStrip()->width(), window.sequenceStrip()->height(),
              charts->width(), charts->height());

        const QImage image = window.grab().toImage();
        QCOMPARE(image.size(), window.size() * window.devicePixelRatio());
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/main-window.png"_s;
        QVERIFY(image.save(path));
        qInfo("saved %s", qPrintable(path));
        QVERIFY(charts->latencyChart()->y() > charts->distributionChart()->geometry().bottom());

        // The other views a class sees: the log with a request selected, and the demo instances.
        auto *views = window.findChild<QTabWidget *>();
        QVERIFY(views);
        views->setCurrentWidget(window.logPanel());
        QTableView *table = window.logPanel()->tableView();
        table->selectRow(table->model()->rowCount() - 1);
        for (QDockWidget *dock : window.findChildren<QDockWidget *>()) {
            if (dock->objectName() == u"DemoDock"_s)
                dock->raise();
        }
        QTRY_VERIFY(window.poller()->lastTick().sequence >= sequence + 4);
        const QString other = dir + u"/main-window-log-demo.png"_s;
        QVERIFY(window.grab().save(other));
        qInfo("saved %s", qPrintable(other));
    }

    // The flow view with one slow instance, for the README: its queue red, the others' dots green.
    void flowViewWithSlowInstance()
    {
        DemoWindowFixture fixture;
        QVERIFY2(fixture.open(), qPrintable(fixture.pool().error()));
        DemoPoolFixture &pool = fixture.pool();
        MainWindow &window = fixture.window();
        auto *views = window.findChild<QTabWidget *>();
        QVERIFY(views);
        views->setCurrentWidget(window.flowView());
        QVERIFY(pool.engine().demoInstances()->setDelayMs(u"web-client2"_s, 2500));

        TrafficPlan plan;
        plan.port = pool.proxyPort();
        plan.host = "photos.example.com"_ba;
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 24;
        plan.durationSeconds = 8;
        plan.count = 200;
        plan.concurrency = 32;
        plan.pathTemplate = u"/photos/{rand:1-500}"_s;
        TrafficGenerator generator;
        QString error;
        QVERIFY2(generator.start(plan, &error), qPrintable(error));
        const FlowView *flow = window.flowView();
        // Long enough for the slow one's queue to fill and its oldest to pass the red mark.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const FlowView::DrawnBackend *slow = flow->drawnBackend(pool.peer(1));
                int slowDots = 0;
                for (const FlowView::DrawnDot &dot : flow->drawnDots())
                    slowDots += dot.peer == pool.peer(1) && !dot.pending ? 1 : 0;
                // Its first answers are in too: they have run the whole delay.
                return slow && slow->inFlight >= 5 && slow->oldestAgeMs >= FlowModel::AgeRedMs && slowDots > 0;
            }(),
            15'000);
        QVERIFY(flow->isAnimating());
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/flow-view.png"_s;
        QVERIFY(window.grab().save(path));
        qInfo("saved %s", qPrintable(path));
        generator.stop();
    }

    // Round robin against least_conn with the last server slow, as the tab starts; then the same
    // in presentation mode, as a projector shows it.
    void windowComparingMethods()
    {
        DemoWindowFixture fixture;
        QVERIFY2(fixture.open(), qPrintable(fixture.pool().error()));
        MainWindow &window = fixture.window();
        MethodComparisonView *compare = window.methodComparison();
        QTRY_VERIFY(compare->startButton()->isEnabled());
        QTest::keyClick(&window, Qt::Key_D, Qt::AltModifier);
        QTRY_VERIFY(compare->isVisible());
        QTest::mouseClick(compare->startButton(), Qt::LeftButton);
        QVERIFY(compare->comparison().isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!compare->comparison().isRunning(), 20'000);
        qInfo("%s", qPrintable(compare->conclusionLabel()->text()));
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/compare-methods.png"_s;
        QVERIFY(window.grab().save(path));
        qInfo("saved %s", qPrintable(path));

        const qreal textSize = compare->conclusionLabel()->font().pointSizeF();
        window.presentationMode()->setEnabled(true);
        QTRY_VERIFY(compare->conclusionLabel()->font().pointSizeF() > textSize);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QString presenting = dir + u"/compare-methods-presentation.png"_s;
        QVERIFY(window.grab().save(presenting));
        qInfo("saved %s", qPrintable(presenting));
        window.presentationMode()->setEnabled(false);
    }
};

QTEST_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
