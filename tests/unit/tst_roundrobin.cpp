// Smooth weighted round robin against the worked examples of the spec (section 1.10), which
// were checked against nginx 1.22, plus failure, backup and max_conns bookkeeping.

#include "balancerfixture.h"

#include <QTest>

using namespace lbscope;

namespace {

UpstreamConfig upstream(const QList<int> &weights)
{
    return test::upstreamWithWeights(weights);
}

struct Pool : test::BalancerFixture
{
    using BalancerFixture::BalancerFixture;

    // One whole request that succeeds on its first peer; returns "a", "b", ... or "-".
    QString request(qint64 now = 1000)
    {
        PeerSelection selection;
        selection.start(group, 0);
        Decision decision;
        Peer *peer = balancer->pick(selection, {}, now, decision);
        if (!peer)
            return QStringLiteral("-");
        const QString name = (selection.onBackup ? QStringLiteral("B") : QString()) + QChar(u'a' + peer->index);
        Balancer::release(selection, false, now);
        return name;
    }

    QString requests(int count, qint64 now = 1000)
    {
        QString order;
        for (int i = 0; i < count; ++i)
            order += request(now) + u' ';
        return order.trimmed();
    }
};

} // namespace

class TestRoundRobin : public QObject
{
    Q_OBJECT

private slots:
    void workedExamples_data()
    {
        QTest::addColumn<QList<int>>("weights");
        QTest::addColumn<QString>("order");
        QTest::newRow("A: 5,1,1") << QList<int>{5, 1, 1} << QStringLiteral("a a b a c a a a a b a c a a");
        QTest::newRow("B: 1,1,1") << QList<int>{1, 1, 1} << QStringLiteral("a b c a b c a b c a b c a b");
        QTest::newRow("C: 3,2") << QList<int>{3, 2} << QStringLiteral("a b a b a a b a b a a b a b");
        QTest::newRow("2,1") << QList<int>{2, 1} << QStringLiteral("a b a a b a a b a a b a a b");
    }

    void workedExamples()
    {
        QFETCH(QList<int>, weights);
        QFETCH(QString, order);
        Pool pool(upstream(weights));
        QCOMPARE(pool.requests(14), order);
    }

    void decisionShowsTheWeights()
    {
        Pool pool(upstream({5, 1, 1}));
        PeerSelection selection;
        selection.start(pool.group, 0);
        Decision decision;
        pool.balancer->pick(selection, {}, 1000, decision);
        QCOMPARE(decision.describe(), QByteArray("rr: cw [5,1,1] -> pick 0 (127.0.0.1:18081), cw [-2,1,1]"));
    }

    void downPeerIsSkippedButKeepsItsWeightInTheTotal()
    {
        UpstreamConfig config = upstream({1, 1, 1});
        config.servers[1].down = true;
        Pool pool(config);
        QCOMPARE(pool.requests(6), QStringLiteral("a c a c a c"));
        QCOMPARE(pool.group.primary.totalWeight, 3);
        QCOMPARE(pool.group.primary.tries, 2);
    }

    // Spec 1.5, verified on nginx 1.22.1: A weight=4 max_fails=2, B weight 1, A refusing
    // the first request only.
    void failureLowersTheEffectiveWeight()
    {
        UpstreamConfig config = upstream({4, 1});
        config.servers[0].maxFails = 2;
        config.servers[0].failTimeoutMs = 30'000;
        Pool pool(config);
        PeerSelection selection;
        selection.start(pool.group, 0);
        Decision decision;
        Peer *first = pool.balancer->pick(selection, {}, 1000, decision);
        QCOMPARE(first->index, 0);
        Balancer::release(selection, true, 1000);
        Peer *retry = pool.balancer->pick(selection, {}, 1000, decision);
        QCOMPARE(retry->index, 1);
        Balancer::release(selection, false, 1000);
        QCOMPARE(pool.requests(12), QStringLiteral("b a a a b a a a a b a a"));
    }

    // The decision carries effective weights only while one is below its weight, so the
    // common case costs nothing; after the failure above they climb back 2, 3, 4.
    void decisionCarriesEffectiveWeightsOnlyWhileLowered()
    {
        UpstreamConfig config = upstream({4, 1});
        config.servers[0].maxFails = 2;
        config.servers[0].failTimeoutMs = 30'000;
        Pool pool(config);
        PeerSelection selection;
        selection.start(pool.group, 0);
        Decision decision;
        pool.balancer->pick(selection, {}, 1000, decision);
        QVERIFY(decision.effectiveWeights.isEmpty());
        Balancer::release(selection, true, 1000);
        pool.balancer->pick(selection, {}, 1000, decision); // the retry: A was tried, its own value
        QCOMPARE(decision.effectiveWeights, (QList<int>{2, 1}));
        Balancer::release(selection, false, 1000);
        QList<QList<int>> seen;
        for (int i = 0; i < 4; ++i) {
            PeerSelection next;
            next.start(pool.group, 0);
            pool.balancer->pick(next, {}, 1000, decision);
            seen.append(decision.effectiveWeights);
            Balancer::release(next, false, 1000);
        }
        QCOMPARE(seen, (QList<QList<int>>{{2, 1}, {3, 1}, {}, {}}));
    }

    void failedPeerWaitsForFailTimeoutThenGetsOneProbe()
    {
        UpstreamConfig config = upstream({1, 1});
        Pool pool(config); // max_fails=1 fail_timeout=10s
        PeerSelection selection;
        selection.start(pool.group, 0);
        Decision decision;
        QCOMPARE(pool.balancer->pick(selection, {}, 1000, decision)->index, 0);
        Balancer::release(selection, true, 1000);
        QCOMPARE(pool.requests(3, 1005), QStringLiteral("b b b"));
        QCOMPARE(pool.requests(1, 1010), QStringLiteral("b")); // still inside second T + fail_timeout
        // After the window the peer gets exactly one probe, whatever the weights say.
        PeerSelection probe;
        int probes = 0;
        for (int i = 0; i < 6; ++i) {
            PeerSelection selection;
            selection.start(pool.group, 0);
            Peer *peer = pool.balancer->pick(selection, {}, 1011, decision);
            if (peer->index == 0) {
                ++probes;
                probe = selection;
                continue; // the probe stays in flight
            }
            Balancer::release(selection, false, 1011);
        }
        QCOMPARE(probes, 1);
        Balancer::release(probe, false, 1011);
        QCOMPARE(pool.group.primary.peers[0].state->fails, 0);
    }

    void backupServesWhenEveryPrimaryIsOut()
    {
        UpstreamConfig config = upstream({1, 1, 1});
        config.servers[2].backup = true;
        Pool pool(config);
        for (Peer &peer : pool.group.primary.peers) {
            peer.state->fails = 1;
            peer.state->checked = 1000;
        }
        QCOMPARE(pool.requests(2, 1001), QStringLiteral("Ba Ba"));
    }

    void noLivePeerGivesNothing()
    {
        UpstreamConfig config = upstream({1, 1});
        config.servers[0].down = true;
        config.servers[1].down = true;
        Pool pool(config);
        QCOMPARE(pool.request(), QStringLiteral("-"));
    }

    void maxConnsLimitsConcurrentPicks()
    {
        UpstreamConfig config = upstream({1, 1});
        config.servers[0].maxConns = 1;
        Pool pool(config);
        PeerSelection held;
        held.start(pool.group, 0);
        Decision decision;
        QCOMPARE(pool.balancer->pick(held, {}, 1000, decision)->index, 0);
        QCOMPARE(pool.requests(3), QStringLiteral("b b b"));
        QCOMPARE(decision.skipped.size(), 0);
    }

    void singleServerIsNeverTakenOut()
    {
        Pool pool(upstream({1}));
        for (int i = 0; i < 3; ++i) {
            PeerSelection selection;
            selection.start(pool.group, 0);
            Decision decision;
            QVERIFY(pool.balancer->pick(selection, {}, 1000, decision));
            Balancer::release(selection, true, 1000);
            QCOMPARE(selection.triesLeft, 0);
        }
        QCOMPARE(pool.group.primary.peers[0].state->fails, 0);
    }

    void retriesAreCappedByNextUpstreamTries()
    {
        Pool pool(upstream({1, 1, 1}));
        PeerSelection selection;
        selection.start(pool.group, 2);
        QCOMPARE(selection.triesLeft, 2);
        selection.start(pool.group, 0);
        QCOMPARE(selection.triesLeft, 3);
    }
};

QTEST_GUILESS_MAIN(TestRoundRobin)
#include "tst_roundrobin.moc"
