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

    // Only the followed instance's log is read, its newest lines at most, and each line once.
    void followsOneDemoLog()
    {
        DemoPoolFixture pool;
        QVERIFY2(pool.start(), qPrintable(pool.error()));
        LivePoller poller(pool.engine());
        QVERIFY(sendRequests(pool.proxyPort(), 6)); // round robin: two for each instance
        poller.pollNow();
        QVERIFY(poller.lastTick().demoLog.isEmpty());

        poller.setFollowedDemoLog(u"web-client2"_s);
        QTRY_COMPARE(pool.engine().demoInstances()->instances().value(1).requests, 2u); // logged once written
        poller.pollNow();
        QCOMPARE(poller.lastTick().demoLogInstance, u"web-client2"_s);
        QVERIFY(poller.lastTick().demoLogReset);
        QCOMPARE(poller.lastTick().demoLog.size(), 2);
        for (const DemoLogEntry &entry : poller.lastTick().demoLog)
            QVERIFY2(entry.line.endsWith(u" name=web-client2"_s), qPrintable(entry.line));

        QVERIFY(sendRequests(pool.proxyPort(), 3));
        QTRY_COMPARE(pool.engine().demoInstances()->instances().value(1).requests, 3u);
        poller.pollNow();
        QVERIFY(!poller.lastTick().demoLogReset);
        QCOMPARE(poller.lastTick().demoLog.size(), 1);
        QCOMPARE(poller.lastTick().demoLog[0].sequence, 3u);

        // Far behind: only the newest lines, and the view is told to start afresh.
        const int many = 3 * int(LivePoller::MaxDemoLogLinesPerTick) + 30;
        QVERIFY(sendRequests(pool.proxyPort(), many));
        const quint64 newest = 3 + quint64(many) / 3;
        QTRY_COMPARE(pool.engine().demoInstances()->instances().value(1).requests, newest);
        poller.pollNow();
        QVERIFY(poller.lastTick().demoLogReset);
        QCOMPARE(poller.lastTick().demoLog.size(), LivePoller::MaxDemoLogLinesPerTick);
        QCOMPARE(poller.lastTick().demoLog.last().sequence, newest);

        poller.setFollowedDemoLog({});
        QVERIFY(sendRequests(pool.proxyPort(), 3));
        poller.pollNow();
        QVERIFY(poller.lastTick().demoLog.isEmpty());
    }

    // The line an instance logged for a request is found from the proxy's record of it.
    void demoLineOfAProxiedRequest()
    {
        DemoPoolFixture pool;
        QVERIFY2(pool.start(), qPrintable(pool.error()));
        QVERIFY(sendRequests(pool.proxyPort(), 4, "/photos/7?size=big"_ba));
        QTRY_COMPARE(pool.engine().accessLog().lastId(), 4u);
        const AccessRecord record = lastRecord(pool);
        // The instance logs its answer once written, which may be just after the proxy logged it.
        QString line;
        QTRY_VERIFY((line = pool.engine().demoInstances()->lineFor(record), !line.isEmpty()));
        QVERIFY2(line.contains(u"\"GET /photos/7?size=big HTTP/1.0\" 200 "_s), qPrintable(line));
        QVERIFY2(line.endsWith(u" name=web-client"_s), qPrintable(line)); // the fourth went to the first
        AccessRecord unknown = record;
        unknown.upstreamLocalPort = 1;
        QVERIFY(pool.engine().demoInstances()->lineFor(unknown).isEmpty());
    }

private:
    static AccessRecord lastRecord(DemoPoolFixture &pool)
    {
        QList<AccessRecord> records;
        pool.engine().accessLog().readAfter(pool.engine().accessLog().lastId() - 1, &records);
        return records.value(0);
    }

    // count requests for path, one after another on keep-alive connections (a new one every
    // 500, below keepalive_requests).
    static bool sendRequests(quint16 port, int count, const QByteArray &path = "/"_ba)
    {
        for (int sent = 0; sent < count;) {
            HttpTestClient client;
            if (!client.connectTo(port))
                return false;
            for (const int end = std::min(count, sent + 500); sent < end; ++sent) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: photos.example.com\r\n\r\n");
                const auto response = client.readResponse();
                if (!response || response->status != 200)
                    return false;
            }
        }
        return true;
    }
};

QTEST_MAIN(TestLivePoller)
#include "tst_livepoller.moc"
