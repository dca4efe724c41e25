// Integration tests of the method comparison over real sockets: two copies of a pool (real
// engines, real demo instances on 127.0.0.1 ephemeral ports) under two methods on the same
// traffic. With one slow instance under concurrent load, least_conn sends it fewer requests
// than round robin; both sides' instances receive the same paths; every port closes when the
// comparison ends or is stopped.

#include "compare/methodcomparison.h"
#include "config/configreader.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

// The main pool's servers are never contacted: each copy runs instances of its own.
ProxyConfig pool(const QString &upstreamExtra = {}, const QString &serverExtra = {})
{
    const QString text = u"upstream photos {\n"_s + upstreamExtra +
                         u"    server 127.0.0.1:3000;\n    server 127.0.0.1:3100 weight=1;\n"
                         "    server 127.0.0.1:3101"_s +
                         serverExtra +
                         u";\n}\nserver {\n    listen 127.0.0.1:8080;\n    access_log /nonexistent/access.log;\n"
                         "    location / {\n        proxy_pass http://photos;\n"
                         "        proxy_set_header X-Real-IP $remote_addr;\n        add_header X-Lesson one;\n"
                         "    }\n}\n"_s;
    ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"compare.conf"_s);
    if (!result.ok())
        qFatal("pool: %s", qPrintable(result.error->toString()));
    return *result.config;
}

MethodChoice choice(BalancingMethod method)
{
    MethodChoice result;
    result.method = method;
    return result;
}

ComparisonSetup slowInstanceSetup(quint64 requests)
{
    ComparisonSetup setup;
    setup.pool = pool();
    setup.methods = {choice(BalancingMethod::RoundRobin), choice(BalancingMethod::LeastConn)};
    setup.knobs = {{}, {}, {100, 0.0, false}}; // 3101 takes 100 ms per request
    setup.plan.mode = TrafficPlan::Mode::Burst;
    setup.plan.count = requests;
    setup.plan.concurrency = 8;
    setup.plan.pathTemplate = u"/photo/{n}/{rand:1-1000}"_s;
    setup.plan.randomSeed = 4242;
    return setup;
}

bool refuses(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(5000);
    return socket.error() == QAbstractSocket::ConnectionRefusedError;
}

// What the generator sends for the plan: {n} counts from 0, {rand} from the plan's seed.
QList<QByteArray> expectedPaths(const TrafficPlan &plan)
{
    QString error;
    const QList<TrafficPlan::PathPart> parts = TrafficPlan::parsePathTemplate(plan.pathTemplate, &error);
    QRandomGenerator random(plan.randomSeed);
    QList<QByteArray> paths;
    for (quint64 n = 0; n < plan.count; ++n)
        paths.append(TrafficPlan::expandPath(parts, n, random));
    std::sort(paths.begin(), paths.end());
    return paths;
}

} // namespace

class TestMethodComparison final : public QObject
{
    Q_OBJECT

private slots:
    void copyConfigurationMovesServersAndKeepsSettings();
    void copyConfigurationRefusesWhatTheMethodCannot();
    void leastConnSpareTheSlowInstance();
    void stopEndsBothSidesAndFreesPorts();
    void refusedStartLeavesNothingRunning();
};

void TestMethodComparison::copyConfigurationMovesServersAndKeepsSettings()
{
    QString error;
    MethodChoice hash = choice(BalancingMethod::Hash);
    hash.hashKey = u"$request_uri"_s;
    hash.hashConsistent = true;
    const std::optional<ProxyConfig> copy =
        MethodComparison::copyConfiguration(pool(u"keepalive 4;\n"_s), {}, hash, {40001, 40002, 40003}, &error);
    QVERIFY2(copy, qPrintable(error));
    QCOMPARE(copy->upstreams.size(), 1);
    const UpstreamConfig &upstream = copy->upstreams.first();
    QCOMPARE(upstream.method, BalancingMethod::Hash);
    QCOMPARE(upstream.hashKey, u"$request_uri"_s);
    QVERIFY(upstream.hashConsistent);
    QCOMPARE(upstream.keepalive, 4);
    QCOMPARE(upstream.servers.size(), 3);
    QCOMPARE(upstream.servers[2].address, u"127.0.0.1:40003"_s);
    QCOMPARE(upstream.servers[2].port, quint16(40003));
    QCOMPARE(upstream.servers[1].weight, 1);

    QCOMPARE(copy->servers.size(), 1);
    const ServerConfig &server = copy->servers.first();
    QCOMPARE(server.listens.size(), 1);
    QCOMPARE(server.listens.first().host, u"127.0.0.1"_s);
    QCOMPARE(server.listens.first().port, quint16(0));
    QCOMPARE(server.locations.size(), 1);
    const ResolvedLocation resolved =
        resolveSettings(copy->settings, server.settings, &server.locations.first().settings);
    QVERIFY2(resolved.accessLogs.isEmpty(), "the copies must write no access log files");
    QStringList headers;
    for (const HeaderDirective &header : resolved.addHeaders)
        headers.append(QString::fromLatin1(header.name) + u'=' + header.value);
    QCOMPARE(headers, (QStringList{u"X-Lesson=one"_s, u"X-Upstream-Addr=$upstream_addr"_s}));
    QCOMPARE(resolved.proxySetHeaders.size(), 1);
}

void TestMethodComparison::copyConfigurationRefusesWhatTheMethodCannot()
{
    QString error;
    MethodChoice hash = choice(BalancingMethod::Hash);
    hash.hashKey = u"$request_uri"_s;
    QVERIFY(!MethodComparison::copyConfiguration(pool({}, u" backup"_s), {}, hash, {1, 2, 3}, &error));
    QVERIFY2(error.contains(u"backup"_s), qPrintable(error));
    QVERIFY(!MethodComparison::copyConfiguration(pool(), u"videos"_s, hash, {1, 2, 3}, &error));
    QVERIFY2(error.contains(u"videos"_s), qPrintable(error));
}

void TestMethodComparison::leastConnSpareTheSlowInstance()
{
    constexpr quint64 Requests = 240;
    const ComparisonSetup setup = slowInstanceSetup(Requests);
    MethodComparison comparison;
    QSignalSpy finished(&comparison, &MethodComparison::finished);
    QString error;
    QElapsedTimer clock;
    clock.start();
    QVERIFY2(comparison.start(setup, &error), qPrintable(error));
    qInfo("start (two engines, six instances, two generators): %.1f ms", double(clock.nsecsElapsed()) / 1e6);
    QVERIFY(comparison.isRunning());
    const QList<quint16> ports = comparison.ports();
    QCOMPARE(ports.size(), 2 + 2 * 3);
    QCOMPARE(QSet<quint16>(ports.begin(), ports.end()).size(), ports.size());

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20'000);
    QVERIFY(!comparison.isRunning());
    QVERIFY(comparison.ports().isEmpty());
    for (quint16 port : ports)
        QVERIFY2(refuses(port), qPrintable(u"port %1 is still open"_s.arg(port)));

    const ComparisonSide roundRobin = comparison.side(0);
    const ComparisonSide leastConn = comparison.side(1);
    QCOMPARE(roundRobin.method.text(), u"round robin"_s);
    QCOMPARE(leastConn.method.text(), u"least_conn"_s);
    for (const ComparisonSide &side : {roundRobin, leastConn}) {
        QCOMPARE(side.progress.done, Requests);
        QCOMPARE(side.progress.failed, quint64(0));
        QCOMPARE(side.peerRequests(), Requests);
        QCOMPARE(side.requestTime.count, Requests);
        QCOMPARE(side.backends.size(), 3);
        QCOMPARE(side.backends[2].server, u"127.0.0.1:3101"_s);
        QCOMPARE(side.backends[2].knobs.delayMs, 100);
        QVERIFY(side.receivedPathsComplete);
    }
    // Round robin gives every server its turn, slow or not.
    QCOMPARE(roundRobin.backends[2].counts.requests, Requests / 3);
    QVERIFY2(
        leastConn.backends[2].counts.requests < roundRobin.backends[2].counts.requests,
        qPrintable(u"least_conn sent the slow instance %1, round robin %2"_s.arg(leastConn.backends[2].counts.requests)
                       .arg(roundRobin.backends[2].counts.requests)));

    // The same requests, path for path, arrived at each side's instances.
    QCOMPARE(roundRobin.receivedPaths.size(), qsizetype(Requests));
    QCOMPARE(roundRobin.receivedPaths, leastConn.receivedPaths);
    QCOMPARE(roundRobin.receivedPaths, expectedPaths(setup.plan));

    qInfo("slow instance: round robin %llu, least_conn %llu of %llu; p99 %.1f ms vs %.1f ms",
          roundRobin.backends[2].counts.requests, leastConn.backends[2].counts.requests, Requests,
          roundRobin.requestTime.p99Ms, leastConn.requestTime.p99Ms);
    const ComparisonVerdict verdict = ComparisonVerdict::of(roundRobin, leastConn, true);
    QCOMPARE(verdict.slowServer, 2);
    QCOMPARE(verdict.slowRequests[0], Requests / 3);
    QCOMPARE(verdict.slowRequests[1], leastConn.backends[2].counts.requests);
    QCOMPARE(verdict.sameTraffic, std::optional<bool>(true));
    QCOMPARE(verdict.p99Ms[0], roundRobin.requestTime.p99Ms);
}

void TestMethodComparison::stopEndsBothSidesAndFreesPorts()
{
    ComparisonSetup setup = slowInstanceSetup(0);
    setup.plan.mode = TrafficPlan::Mode::Rate;
    setup.plan.rate = 200;
    setup.plan.count = 100'000; // far more than the test waits for
    MethodComparison comparison;
    QSignalSpy finished(&comparison, &MethodComparison::finished);
    QString error;
    QVERIFY2(comparison.start(setup, &error), qPrintable(error));
    const QList<quint16> ports = comparison.ports();
    QTRY_VERIFY_WITH_TIMEOUT(comparison.side(0).progress.done >= 10 && comparison.side(1).progress.done >= 10, 10'000);
    QVERIFY(comparison.side(0).peerRequests() > 0);

    QElapsedTimer clock;
    clock.start();
    comparison.stop();
    qInfo("stop (traffic, engines and instances freed): %.1f ms", double(clock.nsecsElapsed()) / 1e6);
    QCOMPARE(finished.size(), 1);
    QVERIFY(!comparison.isRunning());
    QVERIFY(comparison.ports().isEmpty());
    for (quint16 port : ports)
        QVERIFY2(refuses(port), qPrintable(u"port %1 is still open"_s.arg(port)));
    for (int i = 0; i < MethodComparison::Sides; ++i) {
        const ComparisonSide side = comparison.side(i);
        QVERIFY(side.progress.done >= 10);
        QCOMPARE(side.progress.inFlight, quint64(0));
        QVERIFY(side.peerRequests() >= side.progress.done);
    }
    // A stopped run has no verdict on the traffic: the sides stopped at different requests.
    QVERIFY(!ComparisonVerdict::of(comparison.side(0), comparison.side(1), false).sameTraffic);

    // It can run again at once.
    QVERIFY2(comparison.start(slowInstanceSetup(30), &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 20'000);
    QCOMPARE(comparison.side(1).progress.done, quint64(30));
}

void TestMethodComparison::refusedStartLeavesNothingRunning()
{
    ComparisonSetup setup = slowInstanceSetup(10);
    setup.pool = pool({}, u" backup"_s);
    setup.methods[1] = choice(BalancingMethod::Hash);
    setup.methods[1].hashKey = u"$request_uri"_s;
    MethodComparison comparison;
    QString error;
    QVERIFY(!comparison.start(setup, &error));
    QVERIFY2(error.startsWith(u"hash $request_uri: "_s) && error.contains(u"backup"_s), qPrintable(error));
    QVERIFY(!comparison.isRunning());
    QVERIFY(comparison.ports().isEmpty());

    setup = slowInstanceSetup(10);
    setup.plan.concurrency = -1;
    QVERIFY(!comparison.start(setup, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!comparison.isRunning());
}

QTEST_GUILESS_MAIN(TestMethodComparison)

#include "tst_methodcomparison.moc"
