// What the weights predict per peer, for each method and the states that take peers out:
// down, draining, failed, and the backups taking over when no primary is left.

#include "balancing/expectedshare.h"

#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

UpstreamConfig upstream(BalancingMethod method, const QList<int> &weights, const QList<bool> &backups = {})
{
    UpstreamConfig config;
    config.name = u"pool"_s;
    config.method = method;
    for (qsizetype i = 0; i < weights.size(); ++i) {
        UpstreamServer server;
        server.address = u"127.0.0.1:%1"_s.arg(3000 + i);
        server.weight = weights[i];
        server.backup = backups.value(i, false);
        config.servers.append(server);
    }
    return config;
}

bool fuzzyEqual(const QList<double> &actual, const QList<double> &expected)
{
    if (actual.size() != expected.size())
        return false;
    for (qsizetype i = 0; i < actual.size(); ++i) {
        if (std::abs(actual[i] - expected[i]) > 1e-9)
            return false;
    }
    return true;
}

QString toText(const QList<double> &shares)
{
    QStringList parts;
    for (double share : shares)
        parts.append(QString::number(share, 'f', 4));
    return parts.join(u", "_s);
}

} // namespace

using States = QList<PeerState>;
using Shares = QList<double>;

class TestExpectedShare : public QObject
{
    Q_OBJECT

private slots:
    void shares_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<QList<int>>("weights");
        QTest::addColumn<QList<bool>>("backups");
        QTest::addColumn<States>("states");
        QTest::addColumn<Shares>("expected");
        QTest::addColumn<bool>("onBackup");

        const auto rr = int(BalancingMethod::RoundRobin);
        const auto up = PeerState::Up;
        const auto failed = PeerState::Failed;
        const auto down = PeerState::Down;
        const auto draining = PeerState::Draining;
        const auto backup = PeerState::Backup;
        const QList<bool> none;
        const QList<bool> lastIsBackup{false, false, true};

        QTest::newRow("rr equal") << rr << QList<int>{1, 1, 1} << none << States{up, up, up}
                                  << Shares{1.0 / 3, 1.0 / 3, 1.0 / 3} << false;
        QTest::newRow("rr 5,1,1") << rr << QList<int>{5, 1, 1} << none << States{up, up, up}
                                  << Shares{5.0 / 7, 1.0 / 7, 1.0 / 7} << false;
        QTest::newRow("rr one down") << rr << QList<int>{5, 1, 1} << none << States{up, down, up}
                                     << Shares{5.0 / 6, 0, 1.0 / 6} << false;
        QTest::newRow("rr one draining") << rr << QList<int>{1, 1, 2} << none << States{draining, up, up}
                                         << Shares{0, 1.0 / 3, 2.0 / 3} << false;
        QTest::newRow("rr one failed") << rr << QList<int>{1, 1, 1} << none << States{up, failed, up}
                                       << Shares{0.5, 0, 0.5} << false;
        QTest::newRow("backup idle") << rr << QList<int>{1, 3, 7} << lastIsBackup << States{up, up, backup}
                                     << Shares{0.25, 0.75, 0} << false;
        QTest::newRow("backup takes over")
            << rr << QList<int>{1, 3, 7} << lastIsBackup << States{failed, down, backup} << Shares{0, 0, 1} << true;
        QTest::newRow("backups share by weight") << rr << QList<int>{1, 1, 3} << QList<bool>{false, true, true}
                                                 << States{failed, backup, backup} << Shares{0, 0.25, 0.75} << true;
        QTest::newRow("backup failed too")
            << rr << QList<int>{1, 1, 1} << lastIsBackup << States{failed, failed, failed} << Shares{0, 0, 0} << false;
        QTest::newRow("all failed, no backup")
            << rr << QList<int>{1, 1} << none << States{failed, failed} << Shares{0, 0} << false;
        QTest::newRow("single failed still serves")
            << rr << QList<int>{4} << none << States{failed} << Shares{1} << false;
        QTest::newRow("single down") << rr << QList<int>{4} << none << States{down} << Shares{0} << false;
        QTest::newRow("least_conn 2,1,1") << int(BalancingMethod::LeastConn) << QList<int>{2, 1, 1} << none
                                          << States{up, up, failed} << Shares{2.0 / 3, 1.0 / 3, 0} << false;
        QTest::newRow("least_conn backup")
            << int(BalancingMethod::LeastConn) << QList<int>{1, 2} << QList<bool>{false, true}
            << States{draining, backup} << Shares{0, 1} << true;
        QTest::newRow("random 3,1") << int(BalancingMethod::Random) << QList<int>{3, 1} << none << States{up, up}
                                    << Shares{0.75, 0.25} << false;
        QTest::newRow("ip_hash one down") << int(BalancingMethod::IpHash) << QList<int>{1, 1, 1} << none
                                          << States{up, up, down} << Shares{0.5, 0.5, 0} << false;
        QTest::newRow("hash 1,2,1") << int(BalancingMethod::Hash) << QList<int>{1, 2, 1} << none << States{up, up, up}
                                    << Shares{0.25, 0.5, 0.25} << false;
    }

    void shares()
    {
        QFETCH(int, method);
        QFETCH(QList<int>, weights);
        QFETCH(QList<bool>, backups);
        QFETCH(States, states);
        QFETCH(Shares, expected);
        QFETCH(bool, onBackup);

        const ExpectedShares result = expectedShares(upstream(BalancingMethod(method), weights, backups), states);
        QVERIFY2(fuzzyEqual(result.shares, expected), qPrintable(toText(result.shares)));
        QCOMPARE(result.onBackup, onBackup);
        const bool keyed =
            BalancingMethod(method) == BalancingMethod::Hash || BalancingMethod(method) == BalancingMethod::IpHash;
        QCOMPARE(result.dependsOnKeys, keyed);
    }

    void configLinesOverrideStates()
    {
        // A server line marked down or drain is out even when the live state has not caught up.
        UpstreamConfig config = upstream(BalancingMethod::RoundRobin, {1, 1, 2});
        config.servers[0].down = true;
        config.servers[1].draining = true;
        const ExpectedShares result = expectedShares(config, {PeerState::Up, PeerState::Up, PeerState::Up});
        QVERIFY(fuzzyEqual(result.shares, {0, 0, 1}));
    }

    void snapshotPeersInOrder()
    {
        UpstreamSnapshot snapshot;
        snapshot.method = BalancingMethod::RoundRobin;
        for (int weight : {2, 2, 4}) {
            PeerSnapshot peer;
            peer.weight = weight;
            snapshot.peers.append(peer);
        }
        snapshot.peers[2].state = PeerState::Failed;
        QVERIFY(fuzzyEqual(expectedShares(snapshot).shares, {0.5, 0.5, 0}));
    }

    void emptyPoolGivesNothing()
    {
        const ExpectedShares result = expectedShares(BalancingMethod::RoundRobin, {});
        QVERIFY(result.shares.isEmpty());
        QVERIFY(!result.onBackup);
    }
};

QTEST_GUILESS_MAIN(TestExpectedShare)
#include "tst_expectedshare.moc"
