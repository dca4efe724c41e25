// The whole window against a real engine on the seed's pool: what a teacher does in the first
// minute, across views (traffic panel -> engine -> poller -> charts, log, server table).

#include "charts/chartspanel.h"
#include "charts/distributionchart.h"
#include "configdocument.h"
#include "demo/demoinstancecard.h"
#include "demo/demologmodel.h"
#include "demo/demopanel.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logs/accesslogfiltermodel.h"
#include "logs/accesslogmodel.h"
#include "logs/logpanel.h"
#include "logs/requestdetailview.h"
#include "mainwindow.h"
#include "sliderdrag.h"
#include "teaching/flowview.h"
#include "teaching/sequencestrip.h"
#include "traffic/trafficgenerator.h"
#include "traffic/trafficpanel.h"
#include "upstream/upstreameditor.h"
#include "upstream/upstreamtablemodel.h"
#include "upstream/weightslider.h"

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DemoPoolFixture> m_pool;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<MainWindow> m_window;

    bool openWindow(const QString &upstreamExtra = {}, const QList<int> &weights = {1, 1, 1})
    {
        m_pool = std::make_unique<DemoPoolFixture>();
        if (!m_pool->start(upstreamExtra, weights))
            return false;
        m_document = std::make_unique<ConfigDocument>(m_pool->engine());
        m_window = std::make_unique<MainWindow>(m_pool->engine(), *m_document);
        m_window->resize(1280, 720);
        m_window->show();
        return QTest::qWaitForWindowExposed(m_window.get());
    }

    QList<qreal> bars() const
    {
        const DistributionChart *chart = m_window->chartsPanel()->distributionChart();
        QList<qreal> values;
        for (int i = 0; i < 3; ++i) {
            const QBarSet *set = chart->barSet(m_pool->peer(i));
            values.append(set ? set->at(i) : -1);
        }
        return values;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup()
    {
        m_window.reset();
        m_document.reset();
        m_pool.reset();
    }

    void sendTenShowsRoundRobinEverywhere()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        TrafficPanel *traffic = m_window->trafficPanel();
        auto *count = traffic->findChild<QSpinBox *>(u"burstCount"_s);
        QVERIFY(count);
        count->setValue(10);
        QTest::mouseClick(traffic->findChild<QPushButton *>(u"sendBurst"_s), Qt::LeftButton);

        QTRY_COMPARE(m_pool->engine().snapshot().proxy.requests, 10u);
        QTRY_COMPARE(bars(), (QList<qreal>{4, 3, 3}));
        AccessLogModel *log = m_window->logPanel()->model();
        QTRY_COMPARE(log->rowCount(), 10);
        // Concurrency 8 may end requests out of order, but the picks follow nginx's round robin:
        // each backend gets every third pick.
        QList<int> perBackend(3, 0);
        for (int row = 0; row < 10; ++row) {
            const QByteArray peer = log->index(row, 0).data(AccessLogModel::PeerRole).toByteArray();
            for (int i = 0; i < 3; ++i)
                perBackend[i] += peer == m_pool->peer(i) ? 1 : 0;
        }
        QCOMPARE(perBackend, (QList<int>{4, 3, 3}));
        QTRY_COMPARE(m_window->sequenceStrip()->count(), 10);

        // Reset counters empties the bars and the strip of picks.
        QPushButton *reset = nullptr;
        for (QPushButton *button : m_window->chartsPanel()->findChildren<QPushButton *>())
            reset = button->text() == u"&Reset counters"_s ? button : reset;
        QVERIFY(reset);
        QTest::mouseClick(reset, Qt::LeftButton);
        QCOMPARE(m_window->sequenceStrip()->count(), 0);
        QTRY_COMPARE(bars(), (QList<qreal>{0, 0, 0}));
    }

    void singleRequestsFollowTheCycleInOrder()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        for (int i = 0; i < 6; ++i) {
            const quint64 before = m_pool->engine().snapshot().proxy.requests;
            QTest::keyClick(m_window.get(), Qt::Key_Space);
            QTRY_COMPARE(m_pool->engine().snapshot().proxy.requests, before + 1);
        }
        AccessLogModel *log = m_window->logPanel()->model();
        QTRY_COMPARE(log->rowCount(), 6);
        for (int row = 0; row < 6; ++row)
            QCOMPARE(log->index(row, 0).data(AccessLogModel::PeerRole).toByteArray(), m_pool->peer(row % 3));
    }

    // Alt+O brings the Flow tab up; it draws the traffic while in front, stops behind another
    // tab, and the window reopens on it.
    void theFlowTabDrawsWhileInFrontAndComesBack()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        auto *views = m_window->findChild<QTabWidget *>();
        QVERIFY(views);
        FlowView *flow = m_window->flowView();
        QVERIFY(!flow->isVisible());
        QTest::keyClick(m_window.get(), Qt::Key_O, Qt::AltModifier);
        QCOMPARE(views->currentWidget(), flow);
        QVERIFY(flow->isVisible());
        QTest::mouseClick(m_window->trafficPanel()->findChild<QPushButton *>(u"sendBurst"_s), Qt::LeftButton);
        QTRY_VERIFY(!flow->drawnDots().isEmpty());
        QVERIFY(flow->isAnimating());
        QCOMPARE(flow->drawnBackends().size(), 3);
        QTest::keyClick(m_window.get(), Qt::Key_C, Qt::AltModifier);
        QVERIFY(!flow->isAnimating());
        QTest::keyClick(m_window.get(), Qt::Key_O, Qt::AltModifier);
        m_window->saveLayout();

        auto reopened = std::make_unique<MainWindow>(m_pool->engine(), *m_document);
        reopened->restoreLayout();
        QCOMPARE(reopened->findChild<QTabWidget *>()->currentWidget(), reopened->flowView());
    }

    void aBackendClickedInTheChartsFiltersTheLog()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        QTest::mouseClick(m_window->trafficPanel()->findChild<QPushButton *>(u"sendBurst"_s), Qt::LeftButton);
        QTRY_COMPARE(m_window->logPanel()->model()->rowCount(), 10);
        emit m_window->chartsPanel()->backendActivated(m_pool->peer(1));
        QTRY_COMPARE(m_window->logPanel()->filterModel()->rowCount(), 3);
    }

    // The Demo panel shows the picked instance's log while it shows, and the access log's
    // detail pane the line the instance logged for a request.
    void theDemoLogFollowsThePickedInstance()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        DemoPanel *demo = m_window->demoPanel();
        QAbstractItemModelTester tester(demo->logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_window->findChild<QDockWidget *>(u"TrafficDock"_s)->raise();
        QTRY_VERIFY(demo->visibleRegion().isEmpty()); // behind the Traffic tab
        QTest::mouseClick(m_window->trafficPanel()->findChild<QPushButton *>(u"sendBurst"_s), Qt::LeftButton);
        QTRY_COMPARE(m_window->logPanel()->model()->rowCount(), 10);
        QCOMPARE(demo->logModel()->rowCount(), 0);
        QCOMPARE(m_window->poller()->lastTick().demoLogInstance, QString());

        m_window->findChild<QDockWidget *>(u"DemoDock"_s)->raise();
        QTRY_VERIFY(!demo->visibleRegion().isEmpty());
        QCOMPARE(demo->logPicker()->currentText(), u"web-client"_s);
        QTRY_COMPARE(demo->logModel()->rowCount(), 4); // the first, fourth, seventh and tenth
        QVERIFY(demo->logModel()->index(3).data().toString().endsWith(u" name=web-client"_s));

        demo->logPicker()->setFocus();
        QTest::keyClick(demo->logPicker(), Qt::Key_Down);
        QCOMPARE(demo->logPicker()->currentText(), u"web-client2"_s);
        QTRY_COMPARE(demo->logModel()->rowCount(), 3);
        for (int row = 0; row < 3; ++row)
            QVERIFY(demo->logModel()->index(row).data().toString().endsWith(u" name=web-client2"_s));

        QTableView *table = m_window->logPanel()->tableView();
        const QModelIndex second = m_window->logPanel()->filterModel()->index(1, AccessLogModel::UriColumn);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(second).center());
        RequestDetailView *detail = m_window->logPanel()->detailView();
        QVERIFY(detail->record());
        const QByteArray peer = AccessLogModel::finalPeer(*detail->record());
        const QString instance = peer == m_pool->peer(0)   ? u"web-client"_s
                                 : peer == m_pool->peer(1) ? u"web-client2"_s
                                                           : u"web-client3"_s;
        const QString text = detail->plainText();
        QVERIFY2(text.contains(u"\"GET / HTTP/1.0\" 200 "_s) && text.trimmed().endsWith(u" name="_s + instance),
                 qPrintable(text));
    }

    void aStoppedInstanceTurnsFailedAndTrafficMoves()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        QTRY_VERIFY(m_window->demoPanel()->card(u"web-client3"_s));
        QTest::mouseClick(m_window->demoPanel()->card(u"web-client3"_s)->stopButton(), Qt::LeftButton);
        QTRY_VERIFY(m_pool->engine().demoInstances()->instances().value(2).crashed);

        TrafficPanel *traffic = m_window->trafficPanel();
        traffic->findChild<QSpinBox *>(u"burstCount"_s)->setValue(12);
        QTest::mouseClick(traffic->findChild<QPushButton *>(u"sendBurst"_s), Qt::LeftButton);
        QTRY_COMPARE(m_pool->engine().snapshot().proxy.requests, 12u);
        // Requests count when they come in, responses when they end: wait for the last one.
        QTRY_COMPARE(m_pool->engine().snapshot().proxy.responses[1], 12u); // every client still got its 200

        UpstreamTableModel *servers = m_window->upstreamEditor()->model();
        const QModelIndex state = servers->index(2, UpstreamTableModel::StateColumn);
        QTRY_COMPARE(PeerState(state.data(UpstreamTableModel::StateRole).toInt()), PeerState::Failed);
        QVERIFY2(state.data(Qt::ToolTipRole).toString().contains(u"refused"_s),
                 qPrintable(state.data(Qt::ToolTipRole).toString()));
        QTRY_COMPARE(bars().value(0) + bars().value(1), 12.0);

        // Start brings it back on the same port.
        QTest::mouseClick(m_window->demoPanel()->card(u"web-client3"_s)->stopButton(), Qt::LeftButton);
        QTRY_VERIFY(!m_pool->engine().demoInstances()->instances().value(2).crashed);
    }

    void fiftyWeightSliderDragsWhileTrafficFlowsFailNothing()
    {
        QVERIFY2(openWindow(), qPrintable(m_pool->error()));
        TrafficPlan plan;
        plan.port = m_pool->proxyPort();
        plan.host = "photos.example.com"_ba;
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 300;
        plan.durationSeconds = 30;
        plan.count = 1500;
        TrafficGenerator generator;
        QString error;
        QVERIFY2(generator.start(plan, &error), qPrintable(error));

        UpstreamEditor *editor = m_window->upstreamEditor();
        UpstreamTableModel *servers = editor->model();
        QTRY_COMPARE(servers->rowCount(), 3);
        QTableView *table = editor->view();
        const QRect cell = table->visualRect(servers->index(1, UpstreamTableModel::AddressColumn));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QSlider *slider = editor->weightSlider()->slider();
        QVERIFY(slider->isVisible());
        QVERIFY(slider->isEnabled());
        QSignalSpy moved(slider, &QSlider::sliderMoved);
        QElapsedTimer clock;
        qint64 slowestDragNs = 0;
        for (int i = 0; i < 50; ++i) {
            // The slider dragged with the mouse: each move applied to the running engine, and
            // requests answered between one drag and the next, so every edit meets traffic in flight.
            const quint64 doneBefore = generator.progress().done;
            const qsizetype movesBefore = moved.size();
            clock.start();
            QVERIFY(dragSliderTo(slider, 2 + i % 9, 3));
            slowestDragNs = std::max(slowestDragNs, clock.nsecsElapsed());
            QVERIFY(moved.size() > movesBefore);
            QCOMPARE(m_pool->engine().configuration().upstreams[0].servers[1].weight, 2 + i % 9);
            QCOMPARE(servers->data(servers->index(1, UpstreamTableModel::WeightColumn)).toInt(), 2 + i % 9);
            QTRY_VERIFY(generator.progress().done > doneBefore);
        }
        QCOMPARE(m_pool->engine().configuration().upstreams[0].servers[1].weight, 2 + 49 % 9);
        // A figure for the log, not a threshold: one drag is a press, three moves (three engine
        // edits) and a release, each with its events processed.
        qInfo("%lld slider moves, slowest drag %.2f ms", qint64(moved.size()), double(slowestDragNs) / 1e6);
        generator.stop();
        QCOMPARE(generator.progress().failed, 0u);
        QVERIFY(generator.progress().done > 100);
        QCOMPARE(m_pool->engine().snapshot().proxy.responses[4], 0u);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
