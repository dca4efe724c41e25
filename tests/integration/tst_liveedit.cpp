// Live changes to a running engine: each applies to new requests at once, requests in flight
// finish where they are, invalid changes are refused whole, and under continuous load from
// other threads nothing fails and the counters add up.

#include "liveenginefixture.h"
#include "loadthread.h"

#include <QRandomGenerator>
#include <QTcpServer>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestLiveEdit : public QObject, private LiveEngineFixture
{
    Q_OBJECT

private slots:
    void cleanup()
    {
        m_engine.reset();
        m_backends.clear();
    }

    void addedServerTakesNewRequests()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1}));
        QCOMPARE(upstreamsFor(2), QByteArrayList({address(0), address(1)}));
        QString error;
        QVERIFY2(m_engine->addServer(u"pool"_s, serverAt(m_backends[2]->port()), &error), qPrintable(error));
        QCOMPARE(upstreamsFor(3), QByteArrayList({address(0), address(1), address(2)}));
    }

    void removedServerFinishesWhatItHas()
    {
        QVERIFY(startBackends(2));
        QVERIFY(startEngine({0, 1}));
        HttpTestClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send("GET /sleep/500 HTTP/1.1\r\nHost: t\r\n\r\n"); // goes to the first peer
        QTRY_COMPARE(m_backends[0]->connectionCount(), 1);
        QString error;
        QVERIFY2(m_engine->removeServer(u"pool"_s, serverText(0), &error), qPrintable(error));
        QCOMPARE(upstreamsFor(3), QByteArrayList({address(1), address(1), address(1)}));
        const auto response = slow.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("X-Upstream-Addr"), address(0));
    }

    void weightChangeKeepsTheOtherPeersWeights()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1, 2}));
        QCOMPARE(upstreamsFor(2), QByteArrayList({address(0), address(1)})); // current weights -1,-1,2
        QString error;
        QVERIFY(m_engine->updateServer(u"pool"_s, serverText(0), serverAt(m_backends[0]->port(), 5), &error));
        // The edited peer starts at 0 with its new weight, the others go on from -1 and 2:
        // 5,1,1 over 0,-1,2 gives a c a a a b a (from zero it would be a a b a c a a).
        QCOMPARE(upstreamsFor(7),
                 QByteArrayList({address(0), address(2), address(0), address(0), address(0), address(1), address(0)}));
    }

    void drainingServerTakesNothingNew()
    {
        QVERIFY(startBackends(2));
        QVERIFY(startEngine({0, 1}));
        HttpTestClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send("GET /sleep/300 HTTP/1.1\r\nHost: t\r\n\r\n");
        QTRY_COMPARE(m_backends[0]->connectionCount(), 1);
        QString error;
        QVERIFY(m_engine->setDraining(u"pool"_s, serverText(0), true, &error));
        QCOMPARE(upstreamsFor(2), QByteArrayList({address(1), address(1)}));
        QCOMPARE(slow.readResponse()->status, 200);
        QVERIFY(m_engine->setDraining(u"pool"_s, serverText(0), false, &error));
        QVERIFY(upstreamsFor(2).contains(address(0)));
    }

    void methodSwitchAppliesToNewRequests()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1, 2}));
        QString error;
        QVERIFY(m_engine->setMethod(u"pool"_s, BalancingMethod::Hash, u"$request_uri"_s, false, false, &error));
        const QByteArray first = upstreamFor("/same");
        for (int i = 0; i < 5; ++i)
            QCOMPARE(upstreamFor("/same"), first);
        QVERIFY(m_engine->setMethod(u"pool"_s, BalancingMethod::RoundRobin, {}, false, false, &error));
        QCOMPARE(upstreamsFor(3), QByteArrayList({address(0), address(1), address(2)}));
    }

    void invalidEditsAreRefusedWhole_data()
    {
        QTest::addColumn<int>("edit");
        QTest::addColumn<QString>("message");
        QTest::newRow("weight 0") << 0 << u"invalid parameter \"weight=0\""_s;
        QTest::newRow("backup with ip_hash") << 1 << u"does not support parameter \"backup\""_s;
        QTest::newRow("last server") << 2 << u"no servers in upstream"_s;
        QTest::newRow("unknown upstream") << 3 << u"no upstream \"nope\""_s;
        QTest::newRow("duplicate server") << 4 << u"already has server"_s;
        QTest::newRow("unknown server") << 5 << u"has no server"_s;
        QTest::newRow("hash without key") << 6 << u"hash needs a key"_s;
    }

    void invalidEditsAreRefusedWhole()
    {
        QFETCH(int, edit);
        QFETCH(QString, message);
        QVERIFY(startBackends(1));
        QVERIFY(startEngine({0}, u"    ip_hash;\n"_s));
        const ProxyConfig before = m_engine->configuration();
        QString error;
        bool applied = true;
        UpstreamServer server = serverAt(m_backends[0]->port());
        switch (edit) {
        case 0:
            server.weight = 0;
            applied = m_engine->updateServer(u"pool"_s, server.address, server, &error);
            break;
        case 1:
            server = serverAt(1);
            server.backup = true;
            applied = m_engine->addServer(u"pool"_s, server, &error);
            break;
        case 2:
            applied = m_engine->removeServer(u"pool"_s, server.address, &error);
            break;
        case 3:
            applied = m_engine->addServer(u"nope"_s, serverAt(1), &error);
            break;
        case 4:
            applied = m_engine->addServer(u"pool"_s, server, &error);
            break;
        case 5:
            applied = m_engine->setDraining(u"pool"_s, u"127.0.0.1:1"_s, true, &error);
            break;
        case 6:
            applied = m_engine->setMethod(u"pool"_s, BalancingMethod::Hash, {}, false, false, &error);
            break;
        }
        QVERIFY(!applied);
        QVERIFY2(error.contains(message), qPrintable(error));
        QCOMPARE(m_engine->configuration(), before);
        QCOMPARE(upstreamFor("/"), address(0));
    }

    void reloadKeepsCountersOfServersThatStay()
    {
        QVERIFY(startBackends(3));
        QVERIFY(startEngine({0, 1}));
        upstreamsFor(4);
        const auto config = parse(configText({1, 2}));
        QVERIFY(config);
        QString error;
        QVERIFY2(m_engine->reload(*config, &error), qPrintable(error));
        upstreamsFor(2);
        const TrafficTotals totals = m_engine->totals();
        QCOMPARE(totals.requests, quint64(6));
        QCOMPARE(totals.peers.size(), 2);
        QCOMPARE(totals.peers[0].peer, address(1));
        QCOMPARE(totals.peers[0].requests, quint64(3)); // 2 before the reload, 1 after
        QCOMPARE(totals.peers[1].requests, quint64(1));
    }

    void failedReloadChangesNothing()
    {
        QVERIFY(startBackends(1));
        QVERIFY(startEngine({0}));
        const ProxyConfig before = m_engine->configuration();
        QTcpServer occupied;
        QVERIFY(occupied.listen(QHostAddress::LocalHost, 0));
        auto config = parse(configText({0}));
        QVERIFY(config);
        config->servers[0].listens[0].port = occupied.serverPort();
        QString error;
        QVERIFY(!m_engine->reload(*config, &error));
        QVERIFY2(error.contains(u"bind()"_s), qPrintable(error));
        QCOMPARE(m_engine->configuration(), before);
        QCOMPARE(upstreamFor("/"), address(0));
    }

    // Continuous load from two threads while 100 random edits and 10 reloads land. Every
    // backend stays up, so a correct proxy fails nothing.
    void editsUnderLoad()
    {
        QVERIFY(startBackends(4));
        QVERIFY(startEngine({0, 1, 2}));
        constexpr int perThread = 20'000; // an upper bound; the threads stop when the edits are done
        LoadThread first(m_port, perThread);
        LoadThread second(m_port, perThread);
        QTRY_VERIFY(first.sent() > 10 && second.sent() > 10);

        QRandomGenerator random(20261124);
        const QList<std::pair<BalancingMethod, QString>> methods = {
            {BalancingMethod::RoundRobin, {}},          {BalancingMethod::LeastConn, {}}, {BalancingMethod::IpHash, {}},
            {BalancingMethod::Hash, u"$request_uri"_s}, {BalancingMethod::Random, {}},
        };
        QString error;
        for (int round = 0; round < 110; ++round) {
            const int before = first.sent() + second.sent();
            if (round % 11 == 10) {
                QList<int> subset;
                for (int i = 0; i < 4; ++i) {
                    if (random.bounded(2) || (i == 3 && subset.isEmpty()))
                        subset.append(i);
                }
                const auto config = parse(configText(subset, random.bounded(2) ? u"    least_conn;\n"_s : QString()));
                QVERIFY(config);
                QVERIFY2(m_engine->reload(*config, &error), qPrintable(error));
            } else {
                applyRandomEdit(random, methods);
            }
            // Let traffic flow between edits (bounded: the threads may have stopped).
            [[maybe_unused]] const bool flowed =
                QTest::qWaitFor([&] { return first.sent() + second.sent() >= before + 20; }, 2000);
        }
        first.requestStop();
        second.requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(first.isFinished() && second.isFinished(), 30'000);

        QVERIFY2(first.failures().isEmpty(), first.failures().join('\n').constData());
        QVERIFY2(second.failures().isEmpty(), second.failures().join('\n').constData());
        const int sent = first.sent() + second.sent();
        QCOMPARE(first.ok() + second.ok(), sent);
        QTRY_COMPARE(m_engine->totals().requests, quint64(sent));
        quint64 served = 0;
        for (const auto &backend : m_backends)
            served += backend->requestCount();
        QCOMPARE(served, quint64(sent));
        QCOMPARE(m_engine->totals().responses[1], quint64(sent));
        qInfo("%d requests, 100 edits and 10 reloads, no failure", sent);
    }

private:
    void applyRandomEdit(QRandomGenerator &random, const QList<std::pair<BalancingMethod, QString>> &methods)
    {
        const ProxyConfig config = m_engine->configuration();
        const UpstreamConfig &pool = config.upstreams.first();
        QList<int> present;
        for (int i = 0; i < m_backends.size(); ++i) {
            for (const UpstreamServer &server : pool.servers) {
                if (server.port == m_backends[i]->port())
                    present.append(i);
            }
        }
        const int target = int(random.bounded(m_backends.size()));
        const bool isPresent = present.contains(target);
        int undrained = 0;
        for (const UpstreamServer &server : pool.servers)
            undrained += server.draining ? 0 : 1;
        QString error;
        bool applied = false;
        switch (random.bounded(4)) {
        case 0: // add or remove, keeping one server that takes requests
            if (!isPresent)
                applied = m_engine->addServer(u"pool"_s, serverAt(m_backends[target]->port()), &error);
            else if (undrained > 1)
                applied = m_engine->removeServer(u"pool"_s, serverText(target), &error);
            else
                applied = true;
            break;
        case 1: // weight
            applied = !isPresent ||
                      m_engine->updateServer(u"pool"_s, serverText(target),
                                             serverAt(m_backends[target]->port(), 1 + int(random.bounded(5))), &error);
            break;
        case 2: { // drain or undrain
            const bool drain = random.bounded(2) && undrained > 1;
            applied = !isPresent || m_engine->setDraining(u"pool"_s, serverText(target), drain, &error);
            break;
        }
        default: {
            const auto &[method, key] = methods[random.bounded(methods.size())];
            applied = m_engine->setMethod(u"pool"_s, method, key, random.bounded(2), random.bounded(2), &error);
            break;
        }
        }
        QVERIFY2(applied, qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestLiveEdit)
#include "tst_liveedit.moc"
