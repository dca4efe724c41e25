// The engine's counters against what the traffic generator saw, request for request:
// 10,000 requests over three backends, one of which refuses every connection.

#include "config/configreader.h"
#include "demo/demofleet.h"
#include "proxy/engine.h"
#include "traffic/trafficgenerator.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace

class TestCountersAddUp : public QObject
{
    Q_OBJECT

private slots:
    void countersMatchTheGenerator()
    {
        const quint16 live1 = freePort();
        const quint16 dead = freePort(); // nothing listens there: connections are refused
        const quint16 live2 = freePort();
        const QString text = u"upstream photos {\n    server 127.0.0.1:%1;\n    server 127.0.0.1:%2 fail_timeout=1s;\n"
                             "    server 127.0.0.1:%3;\n    keepalive 16;\n}\nserver {\n    listen 127.0.0.1:8080;\n"
                             "    location / {\n        proxy_pass http://photos;\n        proxy_http_version 1.1;\n"
                             "        proxy_set_header Connection \"\";\n"
                             "        add_header X-Upstream-Addr $upstream_addr always;\n    }\n}\n"_s.arg(live1)
                                 .arg(dead)
                                 .arg(live2);
        ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"addup.conf"_s);
        QVERIFY(result.ok());
        result.config->servers[0].listens[0].port = 0;

        // The demo fleet starts an instance on every loopback address: take the dead one away.
        ProxyConfig liveOnly = *result.config;
        liveOnly.upstreams[0].servers.removeAt(1);
        Engine engine;
        QString error;
        QVERIFY2(engine.startDemoInstances(liveOnly, &error), qPrintable(error));
        QVERIFY2(engine.start(*result.config, &error), qPrintable(error));

        TrafficPlan plan;
        plan.port = engine.listeningAddresses().first().second;
        plan.pathTemplate = u"/item/{n}"_s;
        plan.mode = TrafficPlan::Mode::Burst;
        plan.count = 10'000;
        plan.concurrency = 8;
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        QVERIFY2(generator.start(plan, &error), qPrintable(error));
        QVERIFY(finished.wait(120'000));

        QList<TrafficResult> results;
        generator.resultsAfter(0, &results);
        QCOMPARE(results.size(), 10'000);
        QHash<QString, quint64> attemptsSeen; // every address in X-Upstream-Addr is one attempt
        quint64 answered = 0;
        for (const TrafficResult &response : std::as_const(results)) {
            QCOMPARE(response.status, 200);
            ++answered;
            for (const QString &address : response.backend.split(u", "_s))
                ++attemptsSeen[address];
        }

        const StatsSnapshot snapshot = engine.snapshot();
        QCOMPARE(snapshot.proxy.requests, answered);
        QCOMPARE(snapshot.proxy.responses[1], answered);
        quint64 attempts = 0;
        for (const PeerSnapshot &peer : snapshot.upstreams.first().peers) {
            QCOMPARE(peer.counts.requests, attemptsSeen.value(QString::fromLatin1(peer.peer)));
            attempts += peer.counts.requests;
        }
        const PeerSnapshot &failing = snapshot.upstreams.first().peers[1];
        QVERIFY(failing.counts.requests > 0);
        QCOMPARE(failing.counts.failures, failing.counts.requests);
        QCOMPARE(failing.counts.failuresByKind[std::size_t(FailureKind::Refused)], failing.counts.requests);
        QCOMPARE(failing.counts.retries, failing.counts.requests);
        QCOMPARE(attempts, answered + failing.counts.requests);
        const quint64 served = snapshot.upstreams.first().peers[0].counts.responses[1] +
                               snapshot.upstreams.first().peers[2].counts.responses[1];
        QCOMPARE(served, answered);
        quint64 demoRequests = 0;
        for (const DemoFleet::Instance &instance : engine.demoInstances()->instances())
            demoRequests += instance.requests;
        QCOMPARE(demoRequests, answered);
    }
};

QTEST_GUILESS_MAIN(TestCountersAddUp)
#include "tst_countersaddup.moc"
