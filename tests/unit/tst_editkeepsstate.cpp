// An edit of an upstream's server list keeps what the balancer learned about the peers that
// stay: weights in play, active connections, failures (PeerGroup::adoptStates), for every
// method; requests in flight from before the edit release onto the state the new list uses.
// Also the state snapshot a reader gets (BalancerStateSnapshot::capture).

#include "balancerfixture.h"
#include "balancing/balancerstatesnapshot.h"

#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Now = 1000;

// One table's balancer for the upstream; with a previous one, as an edit makes it.
struct Generation : test::BalancerFixture
{
    explicit Generation(const UpstreamConfig &config, const Generation *previous = nullptr)
        : BalancerFixture(config)
    {
        if (previous)
            group.adoptStates(previous->group);
    }

    // Picks for one request and returns the port's last digit ("1" for :18081) or "-"; the
    // request stays in flight in *held when given.
    QString pick(const PickInput &input = {}, PeerSelection *held = nullptr, qint64 now = Now)
    {
        PeerSelection local;
        PeerSelection &selection = held ? *held : local;
        selection.start(group, 0);
        Peer *peer = balancer->pick(selection, input, now, decision);
        if (!peer)
            return u"-"_s;
        if (!held)
            Balancer::release(selection, false, now);
        return QString::number(peer->port - 18080);
    }
    QString picks(int count)
    {
        QString order;
        for (int i = 0; i < count; ++i)
            order += pick();
        return order;
    }
    Peer &peer(const QString &digit) { return group.primary.peers[digit.toInt() - 1]; }

    Decision decision;
};

UpstreamServer serverAt(quint16 port, int weight = 1)
{
    UpstreamServer server;
    server.host = u"127.0.0.1"_s;
    server.port = port;
    server.address = u"127.0.0.1:%1"_s.arg(port);
    server.weight = weight;
    return server;
}

} // namespace

class TestEditKeepsState : public QObject
{
    Q_OBJECT

private slots:
    // 5,1,1 after a a b stands at current weights 1,-4,3; a fourth server joins at 0.
    void roundRobinGoesOnAfterAServerIsAdded()
    {
        UpstreamConfig config = test::upstreamWithWeights({5, 1, 1});
        Generation before(config);
        QCOMPARE(before.picks(3), u"112"_s);
        config.servers.append(serverAt(18084));
        Generation after(config, &before);
        QCOMPARE(after.pick(), u"1"_s);
        QCOMPARE(after.decision.describe(),
                 QByteArray("rr: cw [6,-3,4,1] -> pick 0 (127.0.0.1:18081), cw [-2,-3,4,1]"));
        // Smooth weighted round robin from there (a fresh 5,1,1,1 would go 1 1 2 1 3 1 4 1).
        QCOMPARE(after.picks(7), u"3114112"_s);
    }

    // The edited peer's weights start afresh; the others go on.
    void weightEditRestartsOnlyThatPeersWeights()
    {
        UpstreamConfig config = test::upstreamWithWeights({5, 1, 1});
        Generation before(config);
        QCOMPARE(before.picks(3), u"112"_s);
        config.servers[2].weight = 3;
        Generation after(config, &before);
        QCOMPARE(after.peer(u"1"_s).state, before.peer(u"1"_s).state);
        QCOMPARE(after.peer(u"3"_s).state->currentWeight, 0);
        QCOMPARE(after.peer(u"3"_s).state->effectiveWeight, 3);
        QCOMPARE(after.picks(8), u"13113123"_s); // over 1,-4,0 with weights 5,1,3
    }

    void removedPeerLeavesTheOthersAlone()
    {
        UpstreamConfig config = test::upstreamWithWeights({1, 1, 1});
        Generation before(config);
        QCOMPARE(before.picks(2), u"12"_s); // current weights -1,-1,2
        config.servers.removeAt(0);
        Generation after(config, &before);
        QCOMPARE(after.peer(u"1"_s).port, quint16(18082));
        QCOMPARE(after.peer(u"1"_s).state->currentWeight, -1);
        QCOMPARE(after.peer(u"2"_s).state->currentWeight, 2);
        QCOMPARE(after.picks(4), u"3323"_s);
    }

    void everyMethodKeepsConnsAndFails_data()
    {
        QTest::addColumn<QList<int>>("weights");
        QTest::addColumn<int>("method");
        QTest::addColumn<bool>("variant"); // hash: consistent; random: two
        const auto rr = int(BalancingMethod::RoundRobin);
        const auto hash = int(BalancingMethod::Hash);
        const auto random = int(BalancingMethod::Random);
        QTest::newRow("round robin") << QList<int>{1, 1, 1} << rr << false;
        QTest::newRow("weighted round robin") << QList<int>{3, 1, 2} << rr << false;
        QTest::newRow("least_conn") << QList<int>{1, 2, 1} << int(BalancingMethod::LeastConn) << false;
        QTest::newRow("ip_hash") << QList<int>{1, 1, 1} << int(BalancingMethod::IpHash) << false;
        QTest::newRow("hash") << QList<int>{1, 1, 1} << hash << false;
        QTest::newRow("hash consistent") << QList<int>{1, 1, 1} << hash << true;
        QTest::newRow("random") << QList<int>{1, 1, 1} << random << false;
        QTest::newRow("random two") << QList<int>{1, 1, 1} << random << true;
    }

    // A request in flight on X, a failure on Y, then a fourth server is added: in the new
    // list X still counts one connection (max_conns=1 keeps it out) and Y stays failed; the
    // old request's release lands on the new list's X.
    void everyMethodKeepsConnsAndFails()
    {
        QFETCH(QList<int>, weights);
        QFETCH(int, method);
        QFETCH(bool, variant);
        UpstreamConfig config = test::upstreamWithWeights(weights, BalancingMethod(method));
        config.hashConsistent = variant && config.method == BalancingMethod::Hash;
        config.randomTwo = variant && config.method == BalancingMethod::Random;
        for (UpstreamServer &server : config.servers) {
            server.maxConns = 1;
            server.failTimeoutMs = 30'000;
        }
        const PickInput first{QHostAddress(u"10.0.1.1"_s), "first"};
        const PickInput second{QHostAddress(u"10.0.2.1"_s), "second"};
        Generation before(config);
        PeerSelection inFlight;
        const QString x = before.pick(first, &inFlight);
        QVERIFY(x != u"-"_s);
        PeerSelection failing;
        const QString y = before.pick(second, &failing);
        QVERIFY(y != u"-"_s && y != x); // x is at max_conns
        Balancer::release(failing, true, Now);
        QVERIFY(before.peer(y).isFailed(Now));

        UpstreamServer added = serverAt(18084);
        added.maxConns = 1;
        config.servers.append(added);
        Generation after(config, &before);
        for (const QString &kept : {u"1"_s, u"2"_s, u"3"_s})
            QCOMPARE(after.peer(kept).state, before.peer(kept).state);
        QCOMPARE(after.peer(x).state->conns, 1);
        QVERIFY(after.peer(y).isFailed(Now + 1));
        for (int i = 0; i < 20; ++i) {
            const QByteArray key = "key" + QByteArray::number(i);
            const PickInput input{QHostAddress(u"10.0.%1.9"_s.arg(i)), key};
            const QString picked = after.pick(input, nullptr, Now + 1);
            QVERIFY2(picked != x && picked != y && picked != u"-"_s, qPrintable(picked));
        }
        Balancer::release(inFlight, false, Now + 1);
        for (const QString &peer : {u"1"_s, u"2"_s, u"3"_s, u"4"_s})
            QCOMPARE(after.peer(peer).state->conns, 0);
    }

    void snapshotShowsTheBalancersView()
    {
        UpstreamConfig config = test::upstreamWithWeights({5, 1, 1});
        config.servers[0].maxConns = 4;
        Generation pool(config);
        QCOMPARE(pool.picks(3), u"112"_s);
        PeerSelection held;
        QCOMPARE(pool.pick({}, &held), u"1"_s); // 1,-4,3 + 5,1,1: the first wins, -1,-3,4
        const BalancerStateSnapshot busy = BalancerStateSnapshot::capture(pool.group, *pool.balancer, Now * 1000);
        QCOMPARE(busy.peers[0].conns, 1);
        Balancer::release(held, true, Now); // it fails: out until Now + 10
        const BalancerStateSnapshot snapshot = BalancerStateSnapshot::capture(pool.group, *pool.balancer, Now * 1000);
        QCOMPARE(snapshot.upstream, u"pool"_s);
        QCOMPARE(snapshot.method, BalancingMethod::RoundRobin);
        QCOMPARE(snapshot.peers.size(), 3);
        QCOMPARE(snapshot.ring.size(), 0);
        const PeerBalancerState &first = snapshot.peers[0];
        QCOMPARE(first.name, QByteArray("127.0.0.1:18081"));
        QCOMPARE(first.server, u"127.0.0.1:18081"_s);
        QVERIFY(!first.backup);
        QCOMPARE(first.weight, 5);
        QCOMPARE(first.effectiveWeight, 0); // a failure takes weight / max_fails off
        QCOMPARE(first.currentWeight, -1);
        QCOMPARE(first.conns, 0);
        QCOMPARE(first.maxConns, 4);
        QCOMPARE(first.fails, 1);
        QCOMPARE(first.maxFails, 1);
        QCOMPARE(first.failedUntil, Now + 10);
        QCOMPARE(snapshot.peers[1].currentWeight, -3);
        QCOMPARE(snapshot.peers[2].currentWeight, 4);
        QCOMPARE(snapshot.peers[1].effectiveWeight, 1);
        QCOMPARE(snapshot.peers[1].failedUntil, 0);
        const BalancerStateSnapshot later =
            BalancerStateSnapshot::capture(pool.group, *pool.balancer, (Now + 11) * 1000);
        QCOMPARE(later.peers[0].failedUntil, 0); // the window is over
    }

    void consistentRingHas160PointsPerWeightUnit()
    {
        UpstreamConfig config = test::upstreamWithWeights({1, 2, 1}, BalancingMethod::Hash);
        config.hashKey = u"$request_uri"_s;
        config.hashConsistent = true;
        Generation pool(config);
        const BalancerStateSnapshot snapshot = BalancerStateSnapshot::capture(pool.group, *pool.balancer, Now * 1000);
        QVERIFY(snapshot.consistent);
        QCOMPARE(snapshot.ring.size(), 160 * (1 + 2 + 1));
        QList<int> perPeer(3);
        for (qsizetype i = 0; i < snapshot.ring.size(); ++i) {
            if (i > 0)
                QVERIFY(snapshot.ring[i - 1].hash < snapshot.ring[i].hash);
            ++perPeer[snapshot.ring[i].peer];
        }
        QCOMPARE(perPeer, QList<int>({160, 320, 160}));
        QCOMPARE(snapshot.ring[147].hash, 0x3632884Bu);
    }

    // After the list changed, a decision still names the peers of the list it was made on.
    void decisionNamesItsPeersAfterAnEdit()
    {
        UpstreamConfig config = test::upstreamWithWeights({1, 1});
        config.servers[0].down = true;
        Generation before(config);
        QCOMPARE(before.pick(), u"2"_s);
        const Decision decision = before.decision;
        config.servers.removeAt(0);
        Generation after(config, &before);
        QCOMPARE(decision.pickedName(), QByteArray("127.0.0.1:18082"));
        QCOMPARE(decision.peerName(decision.skipped.first().index), QByteArray("127.0.0.1:18081"));
        QCOMPARE(decision.describe(),
                 QByteArray("rr: cw [0,1] -> pick 1 (127.0.0.1:18082), cw [0,0]; skip 0 (127.0.0.1:18081) down"));
        QCOMPARE(after.pick(), u"2"_s);
        QCOMPARE(after.decision.pickedName(), QByteArray("127.0.0.1:18082"));
    }
};

QTEST_GUILESS_MAIN(TestEditKeepsState)
#include "tst_editkeepsstate.moc"
