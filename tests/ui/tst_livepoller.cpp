// The poller hands every view one tick with the snapshot, the new access records and, when it
// changed, the configuration; records are handed out once each, in order.

#include "../integration/httptestclient.h"
#include "demopoolfixture.h"
#include "livepoller.h"

#include <QSignalSpy>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestLivePoller : public QObject
{
    Q_OBJECT

private slots:
    void recordsArriveOnceInOrder()
    {
        DemoPoolFixture pool;
        QVERIFY2(pool.start(), qPrintable(pool.error()));
        LivePoller poller(pool.engine());
        QList<quint64> ids;
        int configTicks = 0;
        connect(&poller, &LivePoller::ticked, this, [&](const LiveTick &tick) {
            for (const AccessRecord &record : tick.records)
                ids.append(record.id);
            configTicks += tick.configChanged ? 1 : 0;
            QCOMPARE(tick.skippedRecords, 0u);
        });
        poller.start(20);

        for (int i = 0; i < 6; ++i) {
            HttpTestClient client;
            QVERIFY(client.connectTo(pool.proxyPort()));
            client.send("GET / HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
        }
        QTRY_COMPARE(ids.size(), 6);
        QCOMPARE(ids, (QList<quint64>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(configTicks, 1);
        QCOMPARE(poller.lastTick().stats.proxy.requests, 6u);
        QCOMPARE(poller.lastTick().config.upstreams.value(0).servers.size(), 3);
    }

    void configurationChangesAreAnnounced()
    {
        DemoPoolFixture pool;
        QVERIFY2(pool.start(), qPrintable(pool.error()));
        LivePoller poller(pool.engine());
        poller.pollNow();
        QVERIFY(poller.lastTick().configChanged);
        poller.pollNow();
        QVERIFY(!poller.lastTick().configChanged);

        UpstreamServer server = pool.engine().configuration().upstreams[0].servers[1];
        server.weight = 4;
        QString error;
        QVERIFY2(pool.engine().updateServer(u"photos"_s, server.address, server, &error), qPrintable(error));
        poller.pollNow();
        QVERIFY(poller.lastTick().configChanged);
        QCOMPARE(poller.lastTick().config.upstreams[0].servers[1].weight, 4);
    }
};

QTEST_MAIN(TestLivePoller)
#include "tst_livepoller.moc"
