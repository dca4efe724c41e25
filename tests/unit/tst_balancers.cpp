// least_conn, ip_hash, hash, hash consistent and random against the spec's worked examples
// and the answers nginx 1.22 gave for the same upstreams (spec sections 2 to 5).

#include "balancerfixture.h"
#include "balancing/consistenthashbalancer.h"

#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

UpstreamConfig upstream(const QList<int> &weights, BalancingMethod method)
{
    return test::upstreamWithWeights(weights, method);
}

struct Pool : test::BalancerFixture
{
    using BalancerFixture::BalancerFixture;

    // Picks for one request and returns the port's last digit ("1" for :18081); the
    // request stays in flight when hold is set.
    QString pick(const PickInput &input, bool hold = false, PeerSelection *held = nullptr)
    {
        PeerSelection local;
        PeerSelection &selection = held ? *held : local;
        selection.start(group, 0);
        Peer *peer = balancer->pick(selection, input, 1000, decision);
        if (!peer)
            return u"-"_s;
        if (!hold)
            Balancer::release(selection, false, 1000);
        return QString::number(peer->port - 18080);
    }

    QString pickKey(const QByteArray &key) { return pick(PickInput{{}, key}); }
    QString pickClient(const QString &address) { return pick(PickInput{QHostAddress(address), {}}); }

    Decision decision;
};

} // namespace

class TestBalancers : public QObject
{
    Q_OBJECT

private slots:
    void ipHashWorkedExamples()
    {
        Pool pool(upstream({1, 1, 1}, BalancingMethod::IpHash));
        QCOMPARE(pool.pickClient(u"192.168.1.10"_s), u"2"_s);
        QCOMPARE(pool.decision.hash, 154u);
        QCOMPARE(pool.pickClient(u"10.0.0.5"_s), u"1"_s);
        QCOMPARE(pool.decision.hash, 2565u);
        QCOMPARE(pool.decision.describe(), QByteArray("ip_hash: 10.0.0 -> h 2565 -> pick 0 (127.0.0.1:18081)"));
    }

    // Verified on nginx 1.22.1: 127.0.k.x gives h = 4040 + k.
    void ipHashOverLoopbackClients()
    {
        Pool pool(upstream({1, 1, 1}, BalancingMethod::IpHash));
        QString order;
        for (int k = 0; k < 12; ++k)
            order += pool.pickClient(u"127.0.%1.9"_s.arg(k));
        QCOMPARE(order, u"312312312312"_s);
        QCOMPARE(pool.pickClient(u"127.0.100.1"_s), u"1"_s);
        QCOMPARE(pool.pickClient(u"127.0.200.1"_s), u"2"_s);
        QCOMPARE(pool.pickClient(u"127.0.255.1"_s), u"3"_s);
        // nginx hashes all 16 bytes of an IPv4-mapped address (tst_nginxrealip sends it as X-Real-IP).
        QCOMPARE(pool.pickClient(u"::ffff:127.0.1.1"_s), u"2"_s);

        Pool weighted(upstream({2, 1, 3}, BalancingMethod::IpHash));
        QCOMPARE(weighted.pickClient(u"127.0.0.1"_s), u"2"_s);
        QCOMPARE(weighted.pickClient(u"127.0.1.1"_s), u"3"_s);
        QCOMPARE(weighted.pickClient(u"127.0.4.1"_s), u"1"_s);
    }

    void ipHashRehashesPastADownPeer()
    {
        UpstreamConfig config = upstream({1, 1, 1}, BalancingMethod::IpHash);
        config.servers[2].down = true;
        Pool pool(config);
        // 127.0.0.x maps to the third peer first (h 4040), then rounds go on from there.
        QCOMPARE(pool.pickClient(u"127.0.0.1"_s), pool.pickClient(u"127.0.0.200"_s));
        QVERIFY(pool.pickClient(u"127.0.0.1"_s) != u"3"_s);
        QVERIFY(pool.decision.rehashes >= 1);
    }

    void hashWorkedExamples_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("plain");
        QTest::addColumn<QString>("consistent");
        // Answers of nginx 1.22.1 for :18081 w1, :18082 w2, :18083 w1 (spec 3.2).
        QTest::newRow("a") << QByteArray("a") << u"3"_s << u"2"_s;
        QTest::newRow("b") << QByteArray("b") << u"2"_s << u"3"_s;
        QTest::newRow("c") << QByteArray("c") << u"2"_s << u"2"_s;
        QTest::newRow("hello") << QByteArray("hello") << u"1"_s << u"3"_s;
        QTest::newRow("user42") << QByteArray("user42") << u"3"_s << u"2"_s;
        QTest::newRow("foo") << QByteArray("foo") << u"3"_s << u"1"_s;
        QTest::newRow("bar") << QByteArray("bar") << u"3"_s << u"3"_s;
        QTest::newRow("42") << QByteArray("42") << u"1"_s << u"1"_s;
    }

    void hashWorkedExamples()
    {
        QFETCH(QByteArray, key);
        QFETCH(QString, plain);
        QFETCH(QString, consistent);
        UpstreamConfig config = upstream({1, 2, 1}, BalancingMethod::Hash);
        Pool hash(config);
        QCOMPARE(hash.pickKey(key), plain);
        config.hashConsistent = true;
        Pool chash(config);
        QCOMPARE(chash.pickKey(key), consistent);
    }

    void hashRehashesWhenThePeerIsOut()
    {
        UpstreamConfig config = upstream({1, 2, 1}, BalancingMethod::Hash);
        config.servers[2].down = true;
        Pool pool(config);
        QCOMPARE(pool.pickKey("a"), u"1"_s); // crc32("1a") takes it to the first peer
        QCOMPARE(pool.decision.rehashes, 1);
        QCOMPARE(pool.decision.hash, 42472u);
    }

    void consistentHashRing()
    {
        UpstreamConfig config = upstream({1, 2, 1}, BalancingMethod::Hash);
        config.hashConsistent = true;
        PeerGroup group;
        QString error;
        QVERIFY(PeerGroup::build(config, &group, &error));
        const ConsistentHashBalancer ring(group);
        QCOMPARE(ring.points().size(), 640);
        QCOMPARE(ring.points().front().hash, 0x001A38C6u);
        QCOMPARE(ring.points().back().hash, 0xFF19B376u);
        QCOMPARE(ring.points()[147].hash, 0x3632884Bu);

        Pool pool(config);
        QCOMPARE(pool.pickKey("hello"), u"3"_s);
        QCOMPARE(pool.decision.point, 147);
        QCOMPARE(pool.decision.describe(), QByteArray("hash consistent: \"hello\" -> crc32 0x3610a686 -> point 147 "
                                                      "(0x3632884b) -> pick 2 (127.0.0.1:18083)"));
    }

    void consistentHashMovesToTheNextPointWhenOut()
    {
        UpstreamConfig config = upstream({1, 2, 1}, BalancingMethod::Hash);
        config.hashConsistent = true;
        config.servers[2].down = true;
        Pool pool(config);
        const QString next = pool.pickKey("hello");
        QVERIFY(next == u"1"_s || next == u"2"_s);
        QVERIFY(pool.decision.point > 147);
    }

    void emptyKeyFallsBackToRoundRobin()
    {
        Pool pool(upstream({1, 1, 1}, BalancingMethod::Hash));
        QString order;
        for (int i = 0; i < 3; ++i)
            order += pool.pickKey({});
        QCOMPARE(order, u"123"_s);
    }

    void leastConnSequentialIsRoundRobin()
    {
        Pool pool(upstream({5, 1, 1}, BalancingMethod::LeastConn));
        QString order;
        for (int i = 0; i < 7; ++i)
            order += pool.pick({});
        QCOMPARE(order, u"1121311"_s);
    }

    void leastConnPicksTheLeastLoaded()
    {
        Pool pool(upstream({1, 1, 1}, BalancingMethod::LeastConn));
        PeerSelection first;
        PeerSelection second;
        QCOMPARE(pool.pick({}, true, &first), u"1"_s);
        QCOMPARE(pool.pick({}, true, &second), u"2"_s);
        QCOMPARE(pool.pick({}), u"3"_s);
        QCOMPARE(pool.decision.describe(), QByteArray("least_conn: conns [1,1,0] -> pick 2 (127.0.0.1:18083)"));
        Balancer::release(first, false, 1000);
        // 0 conns on the first and the third: round robin between them, where the third is
        // ahead (the first won the opening three-way tie).
        QCOMPARE(pool.pick({}), u"3"_s);
        QCOMPARE(
            pool.decision.describe(),
            QByteArray("least_conn: conns [0,1,0], tie [0,2]: cw [-1,0,3] -> pick 2 (127.0.0.1:18083), cw [-1,0,1]"));
    }

    void leastConnWeighsConnectionsByWeight()
    {
        Pool pool(upstream({3, 1}, BalancingMethod::LeastConn));
        QList<PeerSelection> held(4);
        QString order;
        for (PeerSelection &selection : held)
            order += pool.pick({}, true, &selection);
        // 1: (0,0) tie -> rr; then the 3-weight peer takes load until 1/3 > 0/1 ...
        QCOMPARE(order.count(u'1'), 3);
        QCOMPARE(order.count(u'2'), 1);
    }

    void randomFollowsTheWeights_data()
    {
        QTest::addColumn<bool>("two");
        QTest::newRow("random") << false;
        QTest::newRow("random two") << true;
    }

    void randomFollowsTheWeights()
    {
        QFETCH(bool, two);
        UpstreamConfig config = upstream({1, 2, 3}, BalancingMethod::Random);
        config.randomTwo = two;
        Pool pool(config);
        std::array<int, 3> counts{};
        constexpr int draws = 6000;
        for (int i = 0; i < draws; ++i)
            ++counts[std::size_t(pool.pick({}).toInt() - 1)];
        // One draw is weight-proportional. "two" with no load takes the second of two different
        // draws: P(j) = p_j * sum over i != j of p_i / (1 - p_i).
        const std::array<double, 3> p = {1.0 / 6, 2.0 / 6, 3.0 / 6};
        double chi2 = 0;
        for (std::size_t j = 0; j < counts.size(); ++j) {
            double share = p[j];
            if (two) {
                share = 0;
                for (std::size_t i = 0; i < p.size(); ++i)
                    share += i == j ? 0.0 : p[j] * p[i] / (1 - p[i]);
            }
            const double expected = draws * share;
            chi2 += (counts[j] - expected) * (counts[j] - expected) / expected;
        }
        QVERIFY2(chi2 < 13.82,
                 qPrintable(u"chi2 %1 for %2 %3 %4"_s.arg(chi2).arg(counts[0]).arg(counts[1]).arg(counts[2])));
    }

    void randomTwoAvoidsTheBusierPeer()
    {
        UpstreamConfig config = upstream({1, 1}, BalancingMethod::Random);
        config.randomTwo = true;
        Pool pool(config);
        PeerSelection held;
        const QString busy = pool.pick({}, true, &held);
        for (int i = 0; i < 20; ++i)
            QVERIFY(pool.pick({}) != busy);
    }

    void randomSkipsDownPeers()
    {
        UpstreamConfig config = upstream({1, 1, 1}, BalancingMethod::Random);
        config.servers[1].down = true;
        Pool pool(config);
        for (int i = 0; i < 50; ++i)
            QVERIFY(pool.pick({}) != u"2"_s);
    }
};

QTEST_GUILESS_MAIN(TestBalancers)
#include "tst_balancers.moc"
