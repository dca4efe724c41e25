// What an edit of a running engine keeps and what it does not block: balancer state of the
// peers an edit does not touch (round robin's place, fail windows, active connections under
// max_conns, with and without a zone), afresh only on reload and method switch; readers
// that keep answering while edits land, also from a slot connected directly to
// configurationChanged; and the balancer state snapshots.

#include "liveenginefixture.h"

#include <QTest>
#include <QThread>

#include <atomic>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

const BalancerStateSnapshot *stateOf(const QList<BalancerStateSnapshot> &states, const QString &upstream)
{
    for (const BalancerStateSnapshot &state : states) {
        if (state.upstream == upstream)
            return &state;
    }
    return nullptr;
}

} // namespace

class TestEngineEdits : public QObject, private LiveEngineFixture
{
    Q_OBJECT

    QList<int> currentWeights()
    {
        const QList<BalancerStateSnapshot> states = m_engine->balancerStates();
        const BalancerStateSnapshot *pool = stateOf(states, u"pool"_s);
        QList<int> weights;
        if (pool) {
            for (const PeerBalancerState &peer : pool->peers)
                weights.append(peer.currentWeight);
        }
        return weights;
    }

    // The active connections of every peer, added up over the states (one per worker or
    // one shared).
    QList<int> conns()
    {
        QList<int> total;
        for (const BalancerStateSnapshot &state : m_engine->balancerStates()) {
            total.resize(std::max(total.size(), state.peers.size()));
            for (qsizetype i = 0; i < state.peers.size(); ++i)
                total[i] += state.peers[i].conns;
        }
        return total;
    }

    PeerState stateOfPeer(int backend)
    {
        const StatsSnapshot snapshot = m_engine->snapshot();
        for (const PeerSnapshot &peer : snapshot.upstreams.first().peers) {
            if (peer.peer == address(backend))
                return peer.state;
        }
        return PeerState::Down;
    }

private slots:
    void cleanup()
    {
        m_engine.reset();
        m_backends.clear();
    }

    // 5,1,1 after a a b stands at 1,-4,3; the added server joins at 0 and the sequence goes
    // on from there (a fresh 5,1,1,1 would go a a b a c a d a).
    void roundRobinGoesOnAcrossAnAddedServer()
    {
        QVERIFY(startBackends(4));
        QVERIFY(startEngineWith(configText({0, 1, 2}, {}, {u"weight=5"_s})));
        QCOMPARE(upstreamsFor(3), QByteArrayList({address(0), address(0), address(1)}));
        QTRY_COMPARE(currentWeights(), QList<int>({1, -4, 3}));
        QString error;
        QVERIFY2(m_engine->addServer(u"pool"_s, serverAt(m_backends[3]->port()), &error), qPrintable(error));
        QCOMPARE(upstreamsFor(8), QByteArrayList({address(0), address(2), address(0), address(0), address(3),
                                                  address(0), address(0), address(1)}));
    }

    // The first server refuses once and is out for 30 s; an edit of another server keeps it
    // out even though it listens again.
    void failedPeerStaysFailedAcrossAnEditOfAnother()
    {
        QVERIFY(startBackends(3));
        const QString params = u"max_fails=1 fail_timeout=30s"_s;
        QVERIFY(startEngineWith(configText({0, 1, 2}, {}, {params, params, params})));
        m_backends[0]->setCrashed(true);
        QCOMPARE(upstreamFor("/"), address(0) + ", " + address(1));
        m_backends[0]->setCrashed(false);
        QTRY_COMPARE(stateOfPeer(0), PeerState::Failed);
        QString error;
        UpstreamServer heavier = serverAt(m_backends[2]->port(), 3);
        heavier.maxFails = 1;
        heavier.failTimeoutMs = 30'000;
        QVERIFY2(m_engine->updateServer(u"pool"_s, serverText(2), heavier, &error), qPrintable(error));
        for (const QByteArray &upstream : upstreamsFor(8))
            QVERIFY2(!upstream.contains(address(0)), upstream.constData());
        QCOMPARE(stateOfPeer(0), PeerState::Failed);
        QTRY_VERIFY(m_engine->balancerStates().value(0).peers.value(0).failedUntil > 0);
        QCOMPARE(m_engine->balancerStates().first().peers.first().fails, 1);
    }

    void maxConnsHoldsAcrossEdits_data()
    {
        QTest::addColumn<QString>("upstreamExtra");
        QTest::addColumn<QString>("main");
        QTest::newRow("one worker") << QString() << QString();
        QTest::newRow("zone, two workers") << u"    zone pool 64k;\n"_s << u"worker_processes 2;\n"_s;
    }

    // A slow request holds the first server (max_conns=1) while edits land: no other
    // request goes there until it is done, and the count goes back to exactly zero.
    void maxConnsHoldsAcrossEdits()
    {
        QFETCH(QString, upstreamExtra);
        QFETCH(QString, main);
        QVERIFY(startBackends(3));
        const QString params = u"max_conns=1"_s;
        QVERIFY(startEngineWith(configText({0, 1}, upstreamExtra, {params, params}, main)));
        HttpTestClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send("GET /sleep/1500 HTTP/1.1\r\nHost: t\r\n\r\n"); // the first pick: backend 0
        QTRY_COMPARE(m_backends[0]->connectionCount(), 1);
        QTRY_COMPARE(conns().value(0), 1);

        QString error;
        UpstreamServer edited = serverAt(m_backends[1]->port(), 2);
        edited.maxConns = 1;
        QVERIFY2(m_engine->updateServer(u"pool"_s, serverText(1), edited, &error), qPrintable(error));
        UpstreamServer added = serverAt(m_backends[2]->port());
        added.maxConns = 1;
        QVERIFY2(m_engine->addServer(u"pool"_s, added, &error), qPrintable(error));
        QVERIFY2(m_engine->setDraining(u"pool"_s, serverText(2), false, &error), qPrintable(error));
        const QByteArrayList during = upstreamsFor(6);
        for (const QByteArray &upstream : during)
            QVERIFY2(upstream == address(1) || upstream == address(2), upstream.constData());
        QCOMPARE(conns().value(0), 1); // the slow one, carried over three edits

        const auto response = slow.readResponse();
        QVERIFY(response);
        QCOMPARE(response->header("X-Upstream-Addr"), address(0));
        QTRY_COMPARE(conns(), QList<int>({0, 0, 0}));
        QVERIFY(upstreamsFor(3).contains(address(0)));
        QTRY_COMPARE(conns(), QList<int>({0, 0, 0}));
    }

    void methodSwitchAndReloadStartAfresh()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1, 2}));
        QCOMPARE(upstreamsFor(2), QByteArrayList({address(0), address(1)}));
        QString error;
        // The same method again changes nothing: round robin goes on with the third.
        QVERIFY(m_engine->setMethod(u"pool"_s, BalancingMethod::RoundRobin, {}, false, false, &error));
        QCOMPARE(upstreamFor("/"), address(2));
        QVERIFY(m_engine->setMethod(u"pool"_s, BalancingMethod::LeastConn, {}, false, false, &error));
        QCOMPARE(upstreamsFor(3), QByteArrayList({address(0), address(1), address(2)})); // from zero
        QCOMPARE(upstreamFor("/"), address(0));
        const auto config = parse(configText({0, 1, 2}, u"    least_conn;\n"_s));
        QVERIFY(config);
        QVERIFY2(m_engine->reload(*config, &error), qPrintable(error));
        QCOMPARE(upstreamFor("/"), address(0)); // carried over it would be the second
    }

    // A reload forgets fail windows, in the balancer and in what the snapshot says.
    void reloadForgetsFailures()
    {
        QVERIFY(startBackends(2));
        QVERIFY(startEngineWith(configText({0, 1}, {}, {u"fail_timeout=30s"_s})));
        m_backends[0]->setCrashed(true);
        QCOMPARE(upstreamFor("/"), address(0) + ", " + address(1));
        QTRY_COMPARE(stateOfPeer(0), PeerState::Failed);
        const auto config = parse(configText({0, 1}, {}, {u"fail_timeout=30s"_s}));
        QVERIFY(config);
        QString error;
        QVERIFY2(m_engine->reload(*config, &error), qPrintable(error));
        QTRY_COMPARE(stateOfPeer(0), PeerState::Up);
        QTRY_COMPARE(m_engine->balancerStates().first().peers.first().fails, 0);
    }

    // A slot connected directly runs in the editing thread while the edit completes: it may
    // ask the engine anything.
    void directlyConnectedSlotMayAskTheEngine()
    {
        QVERIFY(startBackends(2));
        QVERIFY(startEngine({0}));
        int calls = 0;
        qsizetype servers = 0;
        qsizetype peers = 0;
        connect(
            m_engine.get(), &Engine::configurationChanged, this,
            [&] {
                ++calls;
                servers = m_engine->configuration().upstreams.first().servers.size();
                peers = m_engine->snapshot().upstreams.first().peers.size();
                m_engine->balancerStates();
            },
            Qt::DirectConnection);
        QString error;
        QVERIFY2(m_engine->addServer(u"pool"_s, serverAt(m_backends[1]->port()), &error), qPrintable(error));
        QCOMPARE(calls, 1);
        QCOMPARE(servers, 2);
        QCOMPARE(peers, 2);
        const auto config = parse(configText({1}));
        QVERIFY(config);
        QVERIFY2(m_engine->reload(*config, &error), qPrintable(error));
        QCOMPARE(calls, 2);
        QCOMPARE(servers, 1);
    }

    // Another thread keeps reading while 300 edits land under traffic; every read answers
    // with the upstream.
    void readersAnswerWhileEditsApply()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1, 2}));
        std::atomic<bool> done{false};
        std::atomic<int> reads{0};
        std::atomic<int> bad{0};
        std::unique_ptr<QThread> reader(QThread::create([&] {
            for (int i = 0; i < 1'000'000 && !done.load(); ++i) {
                const StatsSnapshot snapshot = m_engine->snapshot();
                if (snapshot.upstreams.size() != 1 || snapshot.upstreams.first().peers.size() != 3)
                    ++bad;
                if (m_engine->balancerStates().isEmpty() || m_engine->configuration().upstreams.isEmpty())
                    ++bad;
                ++reads;
            }
        }));
        reader->start();
        // The edits must meet a running reader: 300 of them can be over before its thread is scheduled.
        QTRY_VERIFY_WITH_TIMEOUT(reads.load() > 0, 10'000);
        QString error;
        for (int i = 0; i < 300; ++i) {
            const int backend = i % 3;
            QVERIFY2(m_engine->updateServer(u"pool"_s, serverText(backend),
                                            serverAt(m_backends[backend]->port(), 1 + i % 7), &error),
                     qPrintable(error));
            if (i % 30 == 0)
                QVERIFY(!upstreamFor("/").startsWith("no "));
        }
        done = true;
        QVERIFY(reader->wait(30'000));
        QVERIFY(reads.load() > 0);
        QCOMPARE(bad.load(), 0);
        qInfo("%d reads during 300 edits", reads.load());
    }

    void balancerStatesShowEachWorkerOrTheZone_data()
    {
        QTest::addColumn<QString>("upstreamExtra");
        QTest::addColumn<QList<int>>("workers");
        QTest::newRow("two workers") << QString() << QList<int>{0, 1};
        QTest::newRow("zone") << u"    zone pool 64k;\n"_s << QList<int>{-1};
    }

    void balancerStatesShowEachWorkerOrTheZone()
    {
        QFETCH(QString, upstreamExtra);
        QFETCH(QList<int>, workers);
        QVERIFY(startBackends(2));
        QVERIFY(startEngineWith(
            configText({0, 1}, upstreamExtra, {u"weight=3 max_conns=5"_s}, u"worker_processes 2;\n"_s)));
        QList<int> seen;
        QTRY_VERIFY((seen.clear(), [&] {
            for (const BalancerStateSnapshot &state : m_engine->balancerStates())
                seen.append(state.worker);
            return seen == workers;
        }()));
        const BalancerStateSnapshot state = m_engine->balancerStates().first();
        QCOMPARE(state.upstream, u"pool"_s);
        QCOMPARE(state.method, BalancingMethod::RoundRobin);
        QCOMPARE(state.peers.size(), 2);
        QCOMPARE(state.peers[0].name, address(0));
        QCOMPARE(state.peers[0].weight, 3);
        QCOMPARE(state.peers[0].maxConns, 5);
        QCOMPARE(state.peers[1].server, serverText(1));
        const quint64 generation = state.generation;
        QString error;
        QVERIFY(m_engine->setDraining(u"pool"_s, serverText(1), true, &error));
        QTRY_VERIFY(m_engine->balancerStates().first().generation > generation);
        QVERIFY(m_engine->balancerStates().first().peers[1].draining);
    }

    void consistentRingInTheState()
    {
        QVERIFY(startBackends(2));
        QVERIFY(startEngineWith(configText({0, 1}, u"    hash $request_uri consistent;\n"_s, {u"weight=2"_s})));
        QTRY_VERIFY(!m_engine->balancerStates().isEmpty());
        const BalancerStateSnapshot state = m_engine->balancerStates().first();
        QVERIFY(state.consistent);
        QCOMPARE(state.ring.size(), 160 * 3);
        m_engine->stop();
        QVERIFY(m_engine->balancerStates().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEngineEdits)
#include "tst_engineedits.moc"
