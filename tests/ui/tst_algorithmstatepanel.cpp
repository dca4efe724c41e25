// The Algorithm state panel against a real engine and real demo instances: for 100 consecutive
// picks of every method, what its widgets show equals the numbers of the decision trace in the
// access record of that request; and after a server is added, the share of keys that moved is
// about 1/N under hash ... consistent and most of them under plain hash.

#include "../integration/httptestclient.h"
#include "backendpalette.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logrequests.h"
#include "teaching/algorithmstatepanel.h"
#include "teaching/hashringwidget.h"
#include "teaching/hashview.h"
#include "teaching/iphashview.h"
#include "teaching/leastconnview.h"
#include "teaching/randomview.h"
#include "teaching/weightedroundrobinview.h"
#include "traffic/trafficgenerator.h"

#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int Picks = 100;

enum class Traffic {
    OneAtATime, // one keep-alive connection, one request after another
    Clients,    // one connection per request, from 20 simulated client addresses
    Burst       // the generator, several at once: connection counts differ
};

QString text(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text() : u"<none>"_s;
}

QByteArray serverOf(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->data(Qt::UserRole).toByteArray() : QByteArray("<none>");
}

// The winner's server cell is marked; column: where the table has its servers.
bool chosen(const QTableWidget *table, int row, int column = 0)
{
    return table->item(row, column) && table->item(row, column)->text().startsWith(u"\u25b6"_s);
}

QHostAddress simulatedClient(int index)
{
    // ip_hash keys on the first three octets: the second and third vary.
    return QHostAddress(u"127.%1.%2.9"_s.arg(10 + index).arg(1 + (index * 37) % 250));
}

} // namespace

class TestAlgorithmStatePanel : public QObject
{
    Q_OBJECT

    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<AlgorithmStatePanel> panel;

        bool start(const QString &extra, const QList<int> &weights)
        {
            if (!pool.start(extra, weights))
                return false;
            poller = std::make_unique<LivePoller>(pool.engine());
            panel = std::make_unique<AlgorithmStatePanel>(&palette);
            QObject::connect(poller.get(), &LivePoller::ticked, panel.get(), &AlgorithmStatePanel::handleTick);
            panel->resize(1100, 560);
            panel->show();
            return QTest::qWaitForWindowExposed(panel.get());
        }
        int held()
        {
            poller->pollNow();
            return int(panel->historyIds().size());
        }
    };

    static bool send(Rig &rig, Traffic traffic, const QByteArrayList &paths)
    {
        const quint16 port = rig.pool.proxyPort();
        if (traffic == Traffic::OneAtATime)
            return sendRequests(port, paths);
        if (traffic == Traffic::Clients) {
            for (int i = 0; i < paths.size(); ++i) {
                HttpTestClient client;
                if (!client.connectTo(port, simulatedClient(i % 20)))
                    return false;
                client.send("GET " + paths[i] + " HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n");
                const auto response = client.readResponse();
                if (!response || response->status != 200)
                    return false;
            }
            return true;
        }
        TrafficPlan plan;
        plan.port = port;
        plan.host = "photos.example.com"_ba;
        plan.mode = TrafficPlan::Mode::Burst;
        plan.count = quint64(paths.size());
        plan.concurrency = 6;
        plan.pathTemplate = u"/photos/{rand:1-500}"_s;
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        QString error;
        if (!generator.start(plan, &error))
            return false;
        return finished.wait(20'000) && generator.progress().failed == 0;
    }

    static QList<AccessRecord> records(Rig &rig)
    {
        QList<AccessRecord> out;
        rig.pool.engine().accessLog().readAfter(0, &out);
        return out;
    }

    // The weights table shows the decision's current weights before and after, the effective
    // weights (configured while the engine's list is empty), the winner and the total.
    static void checkWeights(const QTableWidget *table, const AccessRecord &record, const QList<int> &weights)
    {
        const Decision &decision = record.decisions.last();
        QCOMPARE(table->rowCount(), int(weights.size()) + 1);
        for (int row = 0; row < weights.size(); ++row) {
            QCOMPARE(text(table, row, WeightedRoundRobinView::WeightColumn), QString::number(weights[row]));
            const int effective =
                decision.effectiveWeights.isEmpty() ? weights[row] : decision.effectiveWeights.value(row);
            QCOMPARE(text(table, row, WeightedRoundRobinView::EffectiveColumn), QString::number(effective));
            QCOMPARE(text(table, row, WeightedRoundRobinView::BeforeColumn),
                     QString::number(decision.weightsBefore.value(row)));
            QCOMPARE(text(table, row, WeightedRoundRobinView::AfterColumn),
                     QString::number(decision.weightsAfter.value(row)));
            QCOMPARE(chosen(table, row), row == decision.picked);
            QCOMPARE(serverOf(table, row, WeightedRoundRobinView::ServerColumn), decision.peerName(row));
        }
        const int total = decision.weightsBefore.value(decision.picked) - decision.weightsAfter.value(decision.picked);
        QCOMPARE(text(table, int(weights.size()), WeightedRoundRobinView::EffectiveColumn), QString::number(total));
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void showsTheDecisionOfEachPick_data()
    {
        QTest::addColumn<QString>("extra");
        QTest::addColumn<QList<int>>("weights");
        QTest::addColumn<int>("traffic");
        QTest::addColumn<bool>("distinctPaths");
        QTest::newRow("round robin 5:1:1") << QString() << QList<int>{5, 1, 1} << int(Traffic::OneAtATime) << false;
        QTest::newRow("least_conn") << u"    least_conn;\n"_s << QList<int>{2, 1, 1} << int(Traffic::Burst) << false;
        QTest::newRow("ip_hash") << u"    ip_hash;\n"_s << QList<int>{1, 1, 1} << int(Traffic::Clients) << false;
        QTest::newRow("hash") << u"    hash $request_uri;\n"_s << QList<int>{1, 1, 1} << int(Traffic::OneAtATime)
                              << true;
        QTest::newRow("hash consistent") << u"    hash $request_uri consistent;\n"_s << QList<int>{1, 2, 1}
                                         << int(Traffic::OneAtATime) << true;
        QTest::newRow("random") << u"    random;\n"_s << QList<int>{3, 1, 1} << int(Traffic::OneAtATime) << false;
        QTest::newRow("random two") << u"    random two;\n"_s << QList<int>{1, 1, 1} << int(Traffic::Burst) << false;
    }

    void showsTheDecisionOfEachPick()
    {
        QFETCH(QString, extra);
        QFETCH(QList<int>, weights);
        QFETCH(int, traffic);
        QFETCH(bool, distinctPaths);
        Rig rig;
        QVERIFY2(rig.start(extra, weights), qPrintable(rig.pool.error()));
        QByteArrayList paths;
        for (int i = 0; i < Picks; ++i)
            paths.append(distinctPaths ? "/photos/" + QByteArray::number(i % 40) : QByteArray("/photos/7"));
        QVERIFY(send(rig, Traffic(traffic), paths));
        QTRY_COMPARE(rig.held(), Picks);
        const QList<AccessRecord> log = records(rig);
        QCOMPARE(log.size(), Picks);
        QCOMPARE(rig.panel->historyIds().constLast(), log.constLast().id);
        QCOMPARE(rig.panel->shownId(), log.constLast().id); // it follows the newest pick

        AlgorithmStatePanel &panel = *rig.panel;
        QHash<QByteArray, QByteArray> clientBackends;
        int busy = 0; // picks that saw a connection in flight
        for (const AccessRecord &record : log) {
            const QList<int> &seen = record.decisions.last().conns;
            busy += std::any_of(seen.cbegin(), seen.cend(), [](int conns) { return conns > 0; }) ? 1 : 0;
            QCOMPARE(record.decisions.size(), 1);
            const Decision &decision = record.decisions.last();
            QVERIFY(decision.picked >= 0);
            const QByteArray picked = decision.pickedName();
            QCOMPARE(picked, record.upstreamAddr);
            QVERIFY(panel.showRecord(record.id));
            QCOMPARE(panel.shownId(), record.id);
            QVERIFY(panel.headerLabel()->text().contains(u"#%1 "_s.arg(record.id)));
            QVERIFY(panel.headerLabel()->text().contains(QString::fromLatin1(record.uri)));
            QVERIFY2(panel.sentenceLabel()->text().startsWith(QString::fromLatin1(picked)),
                     qPrintable(panel.sentenceLabel()->text()));
            QVERIFY(panel.workerLabel()->text().isEmpty()); // one worker: nothing to say
            switch (decision.method) {
            case BalancingMethod::RoundRobin:
                QCOMPARE(panel.views()->currentWidget(), panel.roundRobinView());
                checkWeights(panel.roundRobinView()->table(), record, weights);
                break;
            case BalancingMethod::LeastConn: {
                QCOMPARE(panel.views()->currentWidget(), panel.leastConnView());
                const QTableWidget *table = panel.leastConnView()->table();
                QCOMPARE(table->rowCount(), int(weights.size()));
                for (int row = 0; row < weights.size(); ++row) {
                    QCOMPARE(text(table, row, LeastConnView::ConnsColumn), QString::number(decision.conns.value(row)));
                    QCOMPARE(text(table, row, LeastConnView::WeightColumn), QString::number(weights[row]));
                    QCOMPARE(text(table, row, LeastConnView::LoadColumn),
                             u"%1/%2"_s.arg(decision.conns.value(row)).arg(weights[row]));
                    QCOMPARE(chosen(table, row), row == decision.picked);
                    const bool tied = decision.ties.size() > 1 && decision.ties.contains(row);
                    QCOMPARE(text(table, row, LeastConnView::StateColumn).contains(u"tied"_s), tied);
                }
                const bool tie = decision.ties.size() > 1;
                QCOMPARE(panel.leastConnView()->tieBreak()->isVisible(), tie);
                if (tie)
                    checkWeights(panel.leastConnView()->tieBreak()->table(), record, weights);
                break;
            }
            case BalancingMethod::IpHash: {
                QCOMPARE(panel.views()->currentWidget(), panel.ipHashView());
                const IpHashView *view = panel.ipHashView();
                QCOMPARE(view->keyLabel()->text(), QString::fromLatin1(decision.key));
                QVERIFY(view->hashLabel()->text().startsWith(QString::number(decision.hash)));
                QVERIFY(view->pickLabel()->text().endsWith(QString::fromLatin1(picked)));
                QVERIFY(decision.key.count('.') == 2 &&
                        record.clientAddress.startsWith(QByteArray(decision.key + '.')));
                clientBackends.insert(record.clientAddress, picked);
                break;
            }
            case BalancingMethod::Hash: {
                QCOMPARE(panel.views()->currentWidget(), panel.hashView());
                const HashView *view = panel.hashView();
                QCOMPARE(decision.key, record.uri);
                QCOMPARE(view->keyLabel()->text(), u"\"%1\""_s.arg(QString::fromLatin1(decision.key)));
                QVERIFY(view->pickLabel()->text().endsWith(QString::fromLatin1(picked)));
                const HashRingWidget *ring = view->ring();
                QCOMPARE(ring->isVisible(), decision.consistent);
                if (decision.consistent) {
                    QVERIFY(view->hashLabel()->text().contains(u"0x%1"_s.arg(decision.hash, 8, 16, QLatin1Char('0'))));
                    QVERIFY(view->pointLabel()->text().startsWith(u"#%1 "_s.arg(decision.point)));
                    QCOMPARE(ring->pointCount(), rig.pool.engine().balancerStates().value(0).ring.size());
                    QVERIFY(ring->pointCount() > 0);
                    QCOMPARE(ring->markedHash(), decision.hash);
                    QCOMPARE(ring->markedPoint(), decision.point);
                    QCOMPARE(ring->markedOwner(), picked); // the engine's ring agrees with its pick
                } else {
                    QVERIFY(view->hashLabel()->text().startsWith(QString::number(decision.hash)));
                }
                break;
            }
            case BalancingMethod::Random: {
                QCOMPARE(panel.views()->currentWidget(), panel.randomView());
                const RandomView *view = panel.randomView();
                const QTableWidget *table = view->drawsTable();
                QCOMPARE(table->rowCount(), int(decision.draws.size()));
                for (int row = 0; row < decision.draws.size(); ++row) {
                    QCOMPARE(serverOf(table, row, RandomView::ServerColumn), decision.peerName(decision.draws[row]));
                    QCOMPARE(chosen(table, row, RandomView::ServerColumn),
                             row == decision.draws.lastIndexOf(decision.picked));
                }
                QVERIFY(view->winnerLabel()->text().endsWith(QString::fromLatin1(picked)));
                QCOMPARE(view->connsLabel()->isVisible(), decision.randomTwo);
                if (decision.randomTwo) {
                    QCOMPARE(decision.conns.size(), 2);
                    QVERIFY(view->connsLabel()->text().endsWith(
                        u"%1 vs %2"_s.arg(decision.conns[0]).arg(decision.conns[1])));
                }
                break;
            }
            }
        }
        qInfo("%d of %d picks saw other requests in flight", busy, Picks);
        // What a class sees of the last pick, for a look: build/screenshots/state-panel-<method>.png.
        QVERIFY(panel.showRecord(log.constLast().id));
        QCoreApplication::sendPostedEvents(); // the layout takes the new sentence's height
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        QString tag = QString::fromLatin1(QTest::currentDataTag());
        QVERIFY(panel.grab().save(dir + u"/state-panel-"_s + tag.replace(u' ', u'-').remove(u':') + u".png"_s));
        if (!clientBackends.isEmpty()) {
            // The table of clients grew to every client seen, each with the backend it got.
            const QTableWidget *table = rig.panel->ipHashView()->clientTable();
            QCOMPARE(table->rowCount(), clientBackends.size());
            for (int row = 0; row < table->rowCount(); ++row) {
                const QByteArray client = text(table, row, IpHashView::ClientColumn).toLatin1();
                QCOMPARE(serverOf(table, row, IpHashView::BackendColumn), clientBackends.value(client));
            }
        }
    }

    void stepsBackToAnEarlierPick()
    {
        Rig rig;
        QVERIFY2(rig.start({}, {5, 1, 1}), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 7)));
        QTRY_COMPARE(rig.held(), 7);
        // Chosen in the list of recent picks (newest first): the third request's state.
        QListWidget *history = rig.panel->historyList();
        QCOMPARE(history->count(), 7);
        history->setCurrentRow(4);
        QCOMPARE(rig.panel->shownId(), 3u);
        QVERIFY(!rig.panel->followsNewest());
        const QList<AccessRecord> log = records(rig);
        checkWeights(rig.panel->roundRobinView()->table(), log[2], {5, 1, 1});
        // A new pick does not take the view away; Newest comes back to following.
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 1)));
        QTRY_COMPARE(rig.held(), 8);
        QCOMPARE(rig.panel->shownId(), 3u);
        QTest::mouseClick(rig.panel->findChild<QPushButton *>(u"newestPick"_s), Qt::LeftButton);
        QCOMPARE(rig.panel->shownId(), 8u);
        QCOMPARE(history->currentRow(), 0);
    }

    void effectiveWeightsAfterAFailure()
    {
        // A server that refuses: its effective weight drops and climbs back, as the engine says.
        Rig rig;
        QVERIFY2(rig.start({}, {5, 1, 1}), qPrintable(rig.pool.error()));
        DemoFleet *fleet = rig.pool.engine().demoInstances();
        QVERIFY(fleet);
        QString instance;
        for (const DemoFleet::Instance &each : fleet->instances()) {
            if (each.port == DemoPoolFixture::Ports[0])
                instance = each.name;
        }
        QString error;
        QVERIFY2(fleet->stopInstance(instance, &error), qPrintable(error));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 4)));
        QTRY_COMPARE(rig.held(), 4);
        const QList<AccessRecord> log = records(rig);
        bool lowered = false;
        bool anySkipped = false;
        for (const AccessRecord &record : log) {
            QVERIFY(rig.panel->showRecord(record.id));
            checkWeights(rig.panel->roundRobinView()->table(), record, {5, 1, 1});
            const Decision &decision = record.decisions.last();
            lowered = lowered || !decision.effectiveWeights.isEmpty();
            // A skipped server is marked in its row and said in words.
            const bool skipped = !decision.skipped.isEmpty();
            anySkipped = anySkipped || skipped;
            QCOMPARE(rig.panel->skipsLabel()->isVisible(), skipped);
            for (const SkippedPeer &skip : decision.skipped) {
                QCOMPARE(text(rig.panel->roundRobinView()->table(), skip.index, WeightedRoundRobinView::StateColumn)
                             .startsWith(u"skipped"_s),
                         true);
                QVERIFY(rig.panel->skipsLabel()->text().contains(QString::fromLatin1(decision.peerName(skip.index))));
            }
        }
        QVERIFY(lowered);
        QVERIFY(anySkipped);
    }

    void saysWhichWorkersStateItShows()
    {
        Rig rig;
        QVERIFY2(rig.start({}, {5, 1, 1}), qPrintable(rig.pool.error()));
        // Two workers, each with its own round-robin state (no zone): a restart, as nginx needs.
        Engine &engine = rig.pool.engine();
        ProxyConfig config = engine.configuration();
        config.workerProcesses = 2;
        config.servers[0].listens[0].port = 0;
        engine.stop();
        QString error;
        QVERIFY2(engine.start(config, &error), qPrintable(error));
        // One connection per request: the listener hands connections to the workers in turn.
        QVERIFY(send(rig, Traffic::Clients, repeated("/photos/7", 20)));
        QTRY_COMPARE(rig.held(), 20);
        QSet<int> workers;
        for (const AccessRecord &record : records(rig)) {
            QVERIFY(record.worker == 0 || record.worker == 1);
            workers.insert(record.worker);
            QVERIFY(rig.panel->showRecord(record.id));
            QVERIFY2(rig.panel->workerLabel()->text().startsWith(u"Worker %1 of 2 "_s.arg(record.worker + 1)),
                     qPrintable(rig.panel->workerLabel()->text()));
            QCOMPARE(rig.panel->shownPick()->state.worker, record.worker);
            checkWeights(rig.panel->roundRobinView()->table(), record, {5, 1, 1});
        }
        QCOMPARE(workers.size(), 2);
    }

    void keysMovedWhenAServerIsAdded_data()
    {
        QTest::addColumn<bool>("consistent");
        QTest::newRow("hash consistent") << true;
        QTest::newRow("plain hash") << false;
    }

    void keysMovedWhenAServerIsAdded()
    {
        QFETCH(bool, consistent);
        constexpr int Keys = 150;
        Rig rig;
        QVERIFY2(
            rig.start(consistent ? u"    hash $request_uri consistent;\n"_s : u"    hash $request_uri;\n"_s, {1, 1, 1}),
            qPrintable(rig.pool.error()));
        Engine &engine = rig.pool.engine();
        const QString upstream = u"photos"_s;
        const QString third = QString::fromLatin1(rig.pool.peer(2));
        QString error;
        QVERIFY2(engine.removeServer(upstream, third, &error), qPrintable(error));
        QByteArrayList paths;
        for (int i = 0; i < Keys; ++i)
            paths.append("/photos/" + QByteArray::number(i));
        QVERIFY(sendRequests(rig.pool.proxyPort(), paths));
        QTRY_COMPARE(rig.panel->hashView()->moves().keysKnown() + 0 * rig.held(), Keys);
        QVERIFY(!rig.panel->hashView()->moves().changed());

        UpstreamServer server;
        server.address = third;
        server.host = rig.pool.host();
        server.port = DemoPoolFixture::Ports[2];
        QVERIFY2(engine.addServer(upstream, server, &error), qPrintable(error));
        QVERIFY(sendRequests(rig.pool.proxyPort(), paths));
        QTRY_COMPARE(rig.panel->hashView()->moves().keysSeenAgain() + 0 * rig.held(), Keys);
        const KeyMoveTracker &moves = rig.panel->hashView()->moves();
        QCOMPARE(moves.serversBefore(), 2);
        QCOMPARE(moves.serversAfter(), 3);
        // The panel says what it counted from the decisions.
        QVERIFY2(rig.panel->hashView()->movedLabel()->text().startsWith(
                     u"%1 of %2 keys moved"_s.arg(moves.keysMoved()).arg(Keys)),
                 qPrintable(rig.panel->hashView()->movedLabel()->text()));
        // And what it counted is what the access log says: each key's server before and after.
        QHash<QByteArray, QByteArray> before;
        int moved = 0;
        const QList<AccessRecord> log = records(rig);
        QCOMPARE(log.size(), 2 * Keys);
        for (int i = 0; i < Keys; ++i)
            before.insert(log[i].uri, log[i].upstreamAddr);
        for (int i = Keys; i < 2 * Keys; ++i)
            moved += before.value(log[i].uri) != log[i].upstreamAddr ? 1 : 0;
        QCOMPARE(moves.keysMoved(), moved);
        const double share = double(moved) / Keys;
        qInfo("%s: %d of %d keys moved (%.0f%%)", consistent ? "consistent" : "plain", moved, Keys, 100 * share);
        if (consistent) // about 1/3: only the keys the new server takes over
            QVERIFY2(share > 0.12 && share < 0.55, qPrintable(QString::number(share)));
        else // about 2/3: hash modulo a new total sends most keys elsewhere
            QVERIFY2(share > 0.5, qPrintable(QString::number(share)));
    }
};

QTEST_MAIN(TestAlgorithmStatePanel)
#include "tst_algorithmstatepanel.moc"
