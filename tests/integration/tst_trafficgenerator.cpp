// The traffic generator on loopback: against demo backends directly, through the engine,
// and against a scripted server that answers with exact bytes; then `lbscope fire` as a
// process. The demo backends and the scripted server live in this thread, so every wait
// runs the event loop (QSignalSpy::wait, QTRY_*), never blocks it.

#include "config/configreader.h"
#include "demo/demobackend.h"
#include "proxy/engine.h"
#include "traffic/trafficgenerator.h"
#include "traffic/trafficplan.h"
#include "traffic/trafficresults.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

const QString lbscopeBinary = QStringLiteral(LBSCOPE_BINARY_DIR "/app/lbscope");

// A server that answers every request with exactly the bytes it is given, and counts the
// connections and requests it sees.
class ScriptedServer
{
public:
    QByteArray response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend: scripted\r\n\r\nok";
    bool closeAfterResponse = false;
    bool silent = false;   // reads requests, never answers
    qsizetype splitAt = 0; // >0: the response goes out in two writes, 20 ms apart
    int connections = 0;
    QList<QByteArray> heads;

    ScriptedServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] { accept(); });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString url() const { return u"http://127.0.0.1:%1/"_s.arg(port()); }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            ++connections;
            auto buffer = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                buffer->append(socket->readAll());
                serve(socket, *buffer);
            });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void serve(QTcpSocket *socket, QByteArray &buffer)
    {
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer.left(end + 4);
            const QRegularExpression lengthHeader(u"(?i)\r\ncontent-length: *(\\d+)"_s);
            const auto match = lengthHeader.match(QString::fromLatin1(head));
            const qsizetype total = head.size() + (match.hasMatch() ? match.captured(1).toLongLong() : 0);
            if (buffer.size() < total)
                return;
            buffer.remove(0, total);
            heads.append(head);
            if (!silent)
                answer(socket);
        }
    }

    void answer(QTcpSocket *socket)
    {
        const qsizetype first = splitAt > 0 ? splitAt : response.size();
        socket->write(response.left(first));
        const QByteArray rest = response.mid(first);
        const bool close = closeAfterResponse;
        const auto finish = [socket, rest, close] {
            socket->write(rest);
            if (close)
                socket->disconnectFromHost();
        };
        if (rest.isEmpty())
            finish();
        else
            QTimer::singleShot(20, socket, finish);
    }

    QTcpServer m_server;
};

TrafficPlan planFor(const QString &url)
{
    TrafficPlan plan;
    QString error;
    if (!plan.setUrl(url, &error))
        qWarning() << error;
    return plan;
}

TrafficPlan burst(const QString &url, quint64 count, int concurrency)
{
    TrafficPlan plan = planFor(url);
    plan.mode = TrafficPlan::Mode::Burst;
    plan.count = count;
    plan.concurrency = concurrency;
    return plan;
}

bool runToEnd(TrafficGenerator &generator, const TrafficPlan &plan, int timeoutMs = 60'000)
{
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QString error;
    if (!generator.start(plan, &error)) {
        qWarning() << "start failed:" << error;
        return false;
    }
    return finished.wait(timeoutMs);
}

QList<TrafficResult> allResults(const TrafficGenerator &generator)
{
    QList<TrafficResult> results;
    generator.resultsAfter(0, &results);
    return results;
}

const BackendShare *findShare(const QList<BackendShare> &rows, const QString &backend)
{
    for (const BackendShare &row : rows) {
        if (row.backend == backend)
            return &row;
    }
    return nullptr;
}

// Every log line's request path, from the demo's combined log format.
QStringList loggedPaths(const DemoBackend &backend)
{
    QStringList paths;
    const QRegularExpression request(u"\"[A-Z]+ (\\S+) HTTP/"_s);
    for (const QString &line : backend.recentLog())
        paths.append(request.match(line).captured(1));
    return paths;
}

} // namespace

class TestTrafficGenerator : public QObject
{
    Q_OBJECT

private:
    QList<std::shared_ptr<DemoBackend>> m_backends;
    std::unique_ptr<Engine> m_engine;
    quint16 m_proxyPort = 0;

    void startBackends(int count, int delayMs = 0)
    {
        m_backends.clear();
        for (int i = 0; i < count; ++i) {
            auto backend = std::make_shared<DemoBackend>();
            DemoBackend::Options options;
            options.name = i == 0 ? u"web-client"_s : u"web-client%1"_s.arg(i + 1);
            options.delayMs = delayMs;
            QString error;
            QVERIFY2(backend->start(options, &error), qPrintable(error));
            m_backends.append(backend);
        }
    }

    bool startProxy(const QString &method = {})
    {
        QString servers;
        for (const auto &backend : std::as_const(m_backends))
            servers += u"    server 127.0.0.1:%1;\n"_s.arg(backend->port());
        const QString text = u"upstream photos {\n"_s + method + servers +
                             u"}\nserver {\n    listen 127.0.0.1:8080;\n    location / {\n"
                             "        proxy_pass http://photos;\n"
                             "        add_header X-Upstream-Addr $upstream_addr always;\n    }\n}\n"_s;
        const ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"traffic.conf"_s);
        if (!result.ok()) {
            qWarning() << result.error->toString();
            return false;
        }
        ProxyConfig config = *result.config;
        config.servers[0].listens[0].port = 0;
        m_engine = std::make_unique<Engine>();
        QString error;
        if (!m_engine->start(config, &error)) {
            qWarning() << error;
            return false;
        }
        m_proxyPort = m_engine->listeningAddresses().first().second;
        return true;
    }

    QString proxyUrl(const QString &path = u"/"_s) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_proxyPort).arg(path);
    }

    QString backendUrl(int index, const QString &path = u"/"_s) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_backends[index]->port()).arg(path);
    }

    QString peer(int index) const { return u"127.0.0.1:%1"_s.arg(m_backends[index]->port()); }

    const PeerTotals *peerTotals(const TrafficTotals &totals, const QString &address) const
    {
        for (const PeerTotals &peer : totals.peers) {
            if (QString::fromLatin1(peer.peer) == address)
                return &peer;
        }
        return nullptr;
    }

private slots:
    void cleanup()
    {
        m_engine.reset();
        m_backends.clear();
    }

    // ---- TrafficPlan -------------------------------------------------------------------

    void urlsParse_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<QString>("path");
        QTest::newRow("full") << u"http://127.0.0.1:8080/photos/1"_s << u"127.0.0.1"_s << 8080
                              << QByteArray("127.0.0.1:8080") << u"/photos/1"_s;
        QTest::newRow("no path") << u"http://127.0.0.1:8080"_s << u"127.0.0.1"_s << 8080 << QByteArray("127.0.0.1:8080")
                                 << u"/"_s;
        QTest::newRow("default port") << u"HTTP://localhost/a?b=1"_s << u"127.0.0.1"_s << 80 << QByteArray("localhost")
                                      << u"/a?b=1"_s;
        QTest::newRow("query only") << u"http://127.0.0.2:81?x"_s << u"127.0.0.2"_s << 81 << QByteArray("127.0.0.2:81")
                                    << u"/?x"_s;
        QTest::newRow("fragment") << u"http://127.0.0.1:81/p#top"_s << u"127.0.0.1"_s << 81
                                  << QByteArray("127.0.0.1:81") << u"/p"_s;
        QTest::newRow("ipv6") << u"http://[::1]:9000/x"_s << u"::1"_s << 9000 << QByteArray("[::1]:9000") << u"/x"_s;
        QTest::newRow("template") << u"http://127.0.0.1:81/p/{n}"_s << u"127.0.0.1"_s << 81
                                  << QByteArray("127.0.0.1:81") << u"/p/{n}"_s;
    }

    void urlsParse()
    {
        QFETCH(QString, url);
        TrafficPlan plan;
        QString error;
        QFETCH(QString, address);
        QFETCH(int, port);
        QFETCH(QByteArray, host);
        QFETCH(QString, path);
        QVERIFY2(plan.setUrl(url, &error), qPrintable(error));
        QCOMPARE(plan.address, QHostAddress(address));
        QCOMPARE(int(plan.port), port);
        QCOMPARE(plan.host, host);
        QCOMPARE(plan.hostHeader(), host);
        QCOMPARE(plan.pathTemplate, path);
        QCOMPARE(plan.validate(), QString());
    }

    void badUrlsAreRefused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::newRow("https") << u"https://127.0.0.1/"_s << u"only http://"_s;
        QTest::newRow("no scheme") << u"127.0.0.1:8080"_s << u"not a URL"_s;
        QTest::newRow("name") << u"http://example.com/"_s << u"not an IP address"_s;
        QTest::newRow("port 0") << u"http://127.0.0.1:0/"_s << u"bad port"_s;
        QTest::newRow("port too big") << u"http://127.0.0.1:65536/"_s << u"bad port"_s;
        QTest::newRow("port text") << u"http://127.0.0.1:ab/"_s << u"bad port"_s;
        QTest::newRow("user") << u"http://me@127.0.0.1/"_s << u"user information"_s;
        QTest::newRow("empty host") << u"http:///x"_s << u"no host"_s;
    }

    void badUrlsAreRefused()
    {
        QFETCH(QString, url);
        QFETCH(QString, message);
        TrafficPlan plan;
        QString error;
        QVERIFY(!plan.setUrl(url, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void validationNamesTheProblem_data()
    {
        QTest::addColumn<std::function<void(TrafficPlan &)>>("change");
        QTest::addColumn<QString>("message");
        using Change = std::function<void(TrafficPlan &)>;
        QTest::newRow("method") << Change([](TrafficPlan &p) { p.method = "G T"; }) << u"not an HTTP method"_s;
        QTest::newRow("relative path") << Change([](TrafficPlan &p) { p.pathTemplate = u"photos"_s; })
                                       << u"must start with /"_s;
        QTest::newRow("space") << Change([](TrafficPlan &p) { p.pathTemplate = u"/a b"_s; }) << u"percent"_s;
        QTest::newRow("unknown placeholder")
            << Change([](TrafficPlan &p) { p.pathTemplate = u"/{x}"_s; }) << u"unknown placeholder {x}"_s;
        QTest::newRow("unclosed") << Change([](TrafficPlan &p) { p.pathTemplate = u"/{n"_s; }) << u"not closed"_s;
        QTest::newRow("reversed range") << Change([](TrafficPlan &p) { p.pathTemplate = u"/{rand:5-1}"_s; })
                                        << u"{rand:A-B}"_s;
        QTest::newRow("bad range") << Change([](TrafficPlan &p) { p.pathTemplate = u"/{rand:a-b}"_s; })
                                   << u"{rand:A-B}"_s;
        QTest::newRow("empty burst") << Change([](TrafficPlan &p) { p.mode = TrafficPlan::Mode::Burst; })
                                     << u"at least 1"_s;
        QTest::newRow("zero rate") << Change([](TrafficPlan &p) { p.mode = TrafficPlan::Mode::Rate; }) << u"rate"_s;
        QTest::newRow("negative duration") << Change([](TrafficPlan &p) {
            p.mode = TrafficPlan::Mode::Rate;
            p.rate = 10;
            p.durationSeconds = -1;
        }) << u"duration"_s;
        QTest::newRow("concurrency") << Change([](TrafficPlan &p) { p.concurrency = -1; }) << u"concurrency"_s;
        QTest::newRow("too many clients")
            << Change([](TrafficPlan &p) { p.simulatedClients = 65'537; }) << u"simulated clients"_s;
        QTest::newRow("clients need loopback") << Change([](TrafficPlan &p) {
            p.simulatedClients = 2;
            p.address = QHostAddress(u"10.0.0.1"_s);
        }) << u"loopback"_s;
        QTest::newRow("host header") << Change([](TrafficPlan &p) { p.headers.emplaceBack("Host", "x"); }) << u"Host"_s;
        QTest::newRow("connection header")
            << Change([](TrafficPlan &p) { p.headers.emplaceBack("connection", "x"); }) << u"keep-alive"_s;
        QTest::newRow("header injection")
            << Change([](TrafficPlan &p) { p.headers.emplaceBack("X-A", "1\r\nX-B: 2"); }) << u"line breaks"_s;
        QTest::newRow("header name") << Change([](TrafficPlan &p) { p.headers.emplaceBack("X A", "1"); })
                                     << u"not a header name"_s;
        QTest::newRow("body") << Change([](TrafficPlan &p) { p.bodySize = -1; }) << u"body size"_s;
        QTest::newRow("timeout") << Change([](TrafficPlan &p) { p.timeoutMs = 0; }) << u"timeout"_s;
        QTest::newRow("port") << Change([](TrafficPlan &p) { p.port = 0; }) << u"port"_s;
    }

    void validationNamesTheProblem()
    {
        QFETCH(std::function<void(TrafficPlan &)>, change);
        QFETCH(QString, message);
        TrafficPlan plan;
        QCOMPARE(plan.validate(), QString());
        change(plan);
        const QString error = plan.validate();
        QVERIFY2(error.contains(message), qPrintable(error));
        TrafficGenerator generator;
        QString startError;
        QVERIFY(!generator.start(plan, &startError));
        QCOMPARE(startError, error);
    }

    void pathTemplatesExpand()
    {
        QString error;
        const auto parts = TrafficPlan::parsePathTemplate(u"/photos/{n}/v{rand:3-5}.jpg?x={n}"_s, &error);
        QVERIFY2(!parts.isEmpty(), qPrintable(error));
        QRandomGenerator random(7);
        QSet<QByteArray> seen;
        for (int i = 0; i < 200; ++i) {
            const QByteArray path = TrafficPlan::expandPath(parts, 41, random);
            const QRegularExpression expected(u"^/photos/41/v[345]\\.jpg\\?x=41$"_s);
            QVERIFY2(expected.match(QString::fromLatin1(path)).hasMatch(), path.constData());
            seen.insert(path);
        }
        QCOMPARE(seen.size(), 3); // every value of the range comes up
        QCOMPARE(TrafficPlan::expandPath(TrafficPlan::parsePathTemplate(u"/plain"_s, &error), 9, random),
                 QByteArray("/plain"));
    }

    void totalsFollowTheMode()
    {
        TrafficPlan plan;
        QCOMPARE(plan.totalRequests(), std::optional<quint64>(1));
        QCOMPARE(plan.effectiveConcurrency(), 1);
        plan.mode = TrafficPlan::Mode::Burst;
        plan.count = 300;
        QCOMPARE(plan.totalRequests(), std::optional<quint64>(300));
        QCOMPARE(plan.effectiveConcurrency(), 8);
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 1000;
        plan.durationSeconds = 3;
        plan.count = 0;
        QCOMPARE(plan.totalRequests(), std::optional<quint64>(3000));
        plan.rate = 3;
        plan.durationSeconds = 0.5;
        QCOMPARE(plan.totalRequests(), std::optional<quint64>(2)); // due at 0 s and 0.33 s
        plan.count = 1;
        QCOMPARE(plan.totalRequests(), std::optional<quint64>(1));
        plan.durationSeconds = 0;
        plan.count = 0;
        QCOMPARE(plan.totalRequests(), std::nullopt);
    }

    void simulatedClientAddressesAreDistinctToIpHash()
    {
        QSet<quint32> prefixes;
        for (int i = 0; i < TrafficPlan::MaxSimulatedClients; ++i) {
            bool ok = false;
            const quint32 ip = TrafficPlan::clientAddress(i).toIPv4Address(&ok);
            QVERIFY(ok);
            QCOMPARE(ip >> 24, 127U);
            QVERIFY(ip != 0x7fffffffU);
            QCOMPARE(ip & 0xffU, 1U);
            prefixes.insert(ip >> 8);
        }
        QCOMPARE(prefixes.size(), TrafficPlan::MaxSimulatedClients);
        QCOMPARE(TrafficPlan::clientAddress(0).toString(), u"127.0.0.1"_s);
        QCOMPARE(TrafficPlan::clientAddress(257).toString(), u"127.1.1.1"_s);
    }

    // ---- TrafficResults ----------------------------------------------------------------

    void resultsRingKeepsTheNewestAndCursorsGoOn()
    {
        TrafficResults results(3);
        results.begin(5);
        for (quint64 i = 0; i < 5; ++i)
            results.record(TrafficResult{i, {}, 200, u"a"_s, 1000, {}});
        QList<TrafficResult> out;
        QCOMPARE(results.resultsAfter(0, &out), quint64(5));
        QCOMPARE(out.size(), 3);
        QCOMPARE(out.first().sequence, quint64(2));
        QCOMPARE(out.last().sequence, quint64(4));
        out.clear();
        QCOMPARE(results.resultsAfter(3, &out, 1), quint64(4));
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.first().sequence, quint64(3));

        results.begin(std::nullopt); // a new run: the ring empties, the cursor goes on
        out.clear();
        QCOMPARE(results.resultsAfter(5, &out), quint64(5));
        QVERIFY(out.isEmpty());
        results.record(TrafficResult{0, {}, 404, u"b"_s, 10, {}});
        QCOMPARE(results.resultsAfter(5, &out), quint64(6));
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.first().status, 404);
        QCOMPARE(results.distribution().size(), 1);
    }

    void distributionCountsClassesAndPercentiles()
    {
        TrafficResults results;
        results.begin(std::nullopt);
        for (int i = 1; i <= 1000; ++i)
            results.record(TrafficResult{quint64(i), {}, i % 10 == 0 ? 503 : 200, u"a"_s, i * 100, {}});
        for (int i = 0; i < 30; ++i)
            results.record(TrafficResult{quint64(i), {}, 302, u"b"_s, 5, {}});
        results.record(TrafficResult{0, {}, 0, {}, 0, u"refused"_s});
        const QList<BackendShare> rows = results.distribution();
        QCOMPARE(rows.size(), 3);
        const BackendShare &a = rows[0];
        QCOMPARE(a.backend, u"a"_s);
        QCOMPARE(a.count, quint64(1000));
        QCOMPARE(a.status2xx, quint64(900));
        QCOMPARE(a.status5xx, quint64(100));
        QVERIFY2(qAbs(a.p50Ms - 50.0) < 1.0, qPrintable(QString::number(a.p50Ms)));
        QVERIFY2(qAbs(a.p99Ms - 99.0) < 2.0, qPrintable(QString::number(a.p99Ms)));
        QVERIFY(qAbs(a.sharePercent - 100.0 * 1000 / 1031) < 0.01);
        QCOMPARE(rows[1].status3xx, quint64(30));
        QCOMPARE(rows[1].p50Ms, 0.005);
        QCOMPARE(rows[2].backend, QString());
        QCOMPARE(rows[2].failures, quint64(1));
        const TrafficProgress progress = results.progress();
        QCOMPARE(progress.done, quint64(1030));
        QCOMPARE(progress.failed, quint64(1));
    }

    // ---- Against demo backends directly ------------------------------------------------

    void singleRequest()
    {
        startBackends(1);
        TrafficGenerator generator;
        QVERIFY(!generator.isRunning());
        QVERIFY(runToEnd(generator, planFor(backendUrl(0, u"/hello"_s))));
        QVERIFY(!generator.isRunning());
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.sent, quint64(1));
        QCOMPARE(progress.done, quint64(1));
        QCOMPARE(progress.failed, quint64(0));
        QCOMPARE(progress.inFlight, quint64(0));
        QCOMPARE(progress.targetTotal, quint64(1));
        const QList<TrafficResult> results = allResults(generator);
        QCOMPARE(results.size(), 1);
        QCOMPARE(results[0].sequence, quint64(0));
        QCOMPARE(results[0].status, 200);
        QCOMPARE(results[0].backend, u"web-client"_s);
        QCOMPARE(results[0].client, QHostAddress(QHostAddress::LocalHost));
        QVERIFY(results[0].latencyUs > 0);
        QVERIFY(results[0].error.isEmpty());
        QCOMPARE(loggedPaths(*m_backends[0]), QStringList{u"/hello"_s});
    }

    void pathTemplateCountsAndRandomizes()
    {
        startBackends(1);
        TrafficGenerator generator;
        QVERIFY(runToEnd(generator, burst(backendUrl(0, u"/photos/{n}"_s), 5, 1)));
        QCOMPARE(loggedPaths(*m_backends[0]),
                 QStringList({u"/photos/0"_s, u"/photos/1"_s, u"/photos/2"_s, u"/photos/3"_s, u"/photos/4"_s}));

        startBackends(1);
        QVERIFY(runToEnd(generator, burst(backendUrl(0, u"/r/{rand:10-12}"_s), 60, 4)));
        const QStringList paths = loggedPaths(*m_backends[0]);
        QCOMPARE(paths.size(), 60);
        const QSet<QString> distinct(paths.cbegin(), paths.cend());
        QVERIFY(distinct.size() >= 2);
        QVERIFY(distinct.size() <= 3);
        for (const QString &path : distinct)
            QVERIFY2(QStringList({u"/r/10"_s, u"/r/11"_s, u"/r/12"_s}).contains(path), qPrintable(path));
    }

    void aSeedRepeatsTheRandomPaths()
    {
        TrafficGenerator generator;
        QStringList runs[2];
        for (QStringList &paths : runs) {
            startBackends(1);
            TrafficPlan plan = burst(backendUrl(0, u"/r/{rand:1-1000}"_s), 20, 1);
            plan.randomSeed = 42;
            QVERIFY(runToEnd(generator, plan));
            paths = loggedPaths(*m_backends[0]);
        }
        QCOMPARE(runs[0].size(), 20);
        QCOMPARE(runs[1], runs[0]);
        QVERIFY(QSet<QString>(runs[0].cbegin(), runs[0].cend()).size() > 1);
    }

    void headAndLargeBodiesAreFramed()
    {
        startBackends(1);
        TrafficGenerator generator;
        for (const QString &path : {u"/bytes/300000"_s, u"/chunked/300000"_s}) {
            QVERIFY(runToEnd(generator, burst(backendUrl(0, path), 20, 3)));
            QCOMPARE(generator.progress().done, quint64(20));
            QCOMPARE(generator.progress().failed, quint64(0));
            QVERIFY2(generator.progress().connections <= 3, qPrintable(path));
        }
        TrafficPlan head = burst(backendUrl(0, u"/bytes/5000"_s), 5, 1);
        head.method = "HEAD";
        QVERIFY(runToEnd(generator, head));
        QCOMPARE(generator.progress().done, quint64(5));
        QCOMPARE(generator.progress().connections, quint64(1)); // no body was waited for
    }

    void stopMidBurstCancelsInFlight()
    {
        startBackends(1, 2000); // every answer takes 2 s
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        QString error;
        QVERIFY(generator.start(burst(backendUrl(0), 1000, 8), &error));
        QTRY_COMPARE(generator.progress().inFlight, quint64(8));
        generator.stop();
        QVERIFY(!generator.isRunning());
        QCOMPARE(finished.size(), 1);
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.sent, quint64(8));
        QCOMPARE(progress.cancelled, quint64(8));
        QCOMPARE(progress.failed, quint64(0));
        QCOMPARE(progress.inFlight, quint64(0));
        QTRY_COMPARE(m_backends[0]->connectionCount(), 0); // the connections were closed
        QCOMPARE(finished.size(), 1);                      // and finished() came once
    }

    // ---- Against a scripted server: framing and connection handling --------------------

    void framing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<bool>("serverCloses");
        QTest::addColumn<int>("splitAt");
        QTest::addColumn<int>("connections"); // for 5 requests, one at a time
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("backend");
        const auto row = [](const char *name, const char *method, const char *response, bool serverCloses, int splitAt,
                            int connections, int status, const QString &backend) {
            QTest::newRow(name) << QByteArray(method) << QByteArray(response) << serverCloses << splitAt << connections
                                << status << backend;
        };
        row("content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Backend: a\r\n\r\nhello", false, 0, 1,
            200, u"a"_s);
        row("chunked", "GET",
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Backend: b\r\n\r\n"
            "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n",
            false, 0, 1, 201, u"b"_s);
        row("close-delimited", "GET", "HTTP/1.1 200 OK\r\nX-Backend: c\r\n\r\nuntil the end", true, 0, 5, 200, u"c"_s);
        row("head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Backend: d\r\n\r\n", false, 0, 1, 200,
            u"d"_s);
        row("204", "GET", "HTTP/1.1 204 No Content\r\nX-Backend: e\r\n\r\n", false, 0, 1, 204, u"e"_s);
        row("server says close", "GET", "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", true,
            0, 5, 503, QString());
        row("http/1.0 without keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", true, 0, 5, 200,
            QString());
        row("100 continue first", "GET",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend: f\r\n\r\nok", false, 0, 1,
            200, u"f"_s);
        row("upstream addr wins", "GET",
            "HTTP/1.1 200 OK\r\nX-Backend: g\r\nX-Upstream-Addr:  10.0.0.7:80 \r\nContent-Length: 0\r\n\r\n", false, 0,
            1, 200, u"10.0.0.7:80"_s);
        // The head arrives in two reads: the first part must still be there when it completes.
        row("head split across reads", "GET",
            "HTTP/1.1 200 OK\r\nX-Pad: 123456\r\nX-Backend: split\r\nContent-Length: 2\r\n\r\nok", false, 20, 1, 200,
            u"split"_s);
    }

    void framing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, response);
        QFETCH(bool, serverCloses);
        QFETCH(int, splitAt);
        QFETCH(int, connections);
        QFETCH(int, status);
        QFETCH(QString, backend);
        ScriptedServer server;
        server.response = response;
        server.closeAfterResponse = serverCloses;
        server.splitAt = splitAt;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        TrafficPlan plan = burst(server.url(), 5, 1);
        plan.method = method;
        QVERIFY(runToEnd(generator, plan));
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.done, quint64(5));
        QCOMPARE(progress.failed, quint64(0));
        QCOMPARE(server.heads.size(), 5);
        QCOMPARE(server.connections, connections);
        QCOMPARE(progress.connections, quint64(connections));
        for (const TrafficResult &result : allResults(generator)) {
            QCOMPARE(result.status, status);
            QCOMPARE(result.backend, backend);
        }
    }

    void keepAliveReusesConnections()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        QVERIFY(runToEnd(generator, burst(server.url(), 200, 4)));
        QCOMPARE(generator.progress().done, quint64(200));
        QCOMPARE(server.heads.size(), 200);
        QVERIFY2(server.connections <= 4, qPrintable(QString::number(server.connections)));
        QCOMPARE(generator.progress().connections, quint64(server.connections));
        QVERIFY(!server.heads.first().contains("Connection: close"));
        QVERIFY(server.heads.first().startsWith("GET / HTTP/1.1\r\nHost: 127.0.0.1:"));
    }

    void withoutKeepAliveEveryRequestHasItsConnection()
    {
        ScriptedServer server;
        server.response = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
        server.closeAfterResponse = true;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        TrafficPlan plan = burst(server.url(), 200, 4);
        plan.keepAlive = false;
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(generator.progress().done, quint64(200));
        QCOMPARE(generator.progress().failed, quint64(0));
        QCOMPARE(server.connections, 200);
        QCOMPARE(generator.progress().connections, quint64(200));
        for (const QByteArray &head : std::as_const(server.heads))
            QVERIFY(head.contains("\r\nConnection: close\r\n"));
    }

    void requestHeadCarriesHostHeadersAndBody()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        TrafficPlan plan = burst(server.url(), 3, 1);
        plan.method = "POST";
        plan.host = "photos.example.com";
        plan.headers = {{"X-Trace", "abc"}, {"User-Agent", "tester"}};
        plan.bodySize = 1000;
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(generator.progress().done, quint64(3));
        QCOMPARE(server.heads.size(), 3); // each body was read whole, or the next head would not parse
        QCOMPARE(server.heads.first(), QByteArray("POST / HTTP/1.1\r\nHost: photos.example.com\r\nX-Trace: abc\r\n"
                                                  "User-Agent: tester\r\nContent-Length: 1000\r\n\r\n"));
    }

    // The nginx twin pairs LB Scope's and nginx's records by this header.
    void sequenceHeaderNumbersEveryRequestFromItsBase()
    {
        ScriptedServer server;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        TrafficPlan plan = burst(server.url(), 3, 1);
        plan.pathTemplate = u"/p/{n}"_s;
        plan.sequenceHeaderBase = 1000;
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(server.heads.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const QByteArray expected =
                "GET /p/" + QByteArray::number(i) +
                " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(server.port()) +
                "\r\nUser-Agent: lbscope-traffic\r\nX-LBScope-Seq: " + QByteArray::number(1000 + i) + "\r\n\r\n";
            QCOMPARE(server.heads[i], expected);
        }

        server.heads.clear();
        plan.sequenceHeaderBase.reset();
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(server.heads.size(), 3);
        QVERIFY(!server.heads.first().contains("X-LBScope-Seq"));
    }

    void serverClosingIdleConnectionsIsNoFailure()
    {
        // Closes right after each keep-alive response without saying so, as a server whose
        // keepalive_timeout runs out does: the next request may meet the closed connection.
        ScriptedServer server;
        server.closeAfterResponse = true;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        QVERIFY(runToEnd(generator, burst(server.url(), 50, 1)));
        QCOMPARE(generator.progress().done, quint64(50));
        QCOMPARE(generator.progress().failed, quint64(0));
        QCOMPARE(server.heads.size(), 50);
    }

    void timeoutFailsTheRequest()
    {
        ScriptedServer server;
        server.silent = true;
        QVERIFY(server.listen());
        TrafficGenerator generator;
        TrafficPlan plan = burst(server.url(), 2, 2);
        plan.timeoutMs = 300;
        QVERIFY(runToEnd(generator, plan));
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.failed, quint64(2));
        QCOMPARE(progress.done, quint64(0));
        for (const TrafficResult &result : allResults(generator)) {
            QCOMPARE(result.status, 0);
            QVERIFY2(result.error.contains(u"no response within 300 ms"_s), qPrintable(result.error));
        }
    }

    void refusedPortFails()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        TrafficGenerator generator;
        QVERIFY(runToEnd(generator, burst(u"http://127.0.0.1:%1/"_s.arg(port), 5, 2)));
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.sent, quint64(5));
        QCOMPARE(progress.failed, quint64(5));
        QCOMPARE(progress.done, quint64(0));
        const QList<TrafficResult> results = allResults(generator);
        QCOMPARE(results.size(), 5);
        for (const TrafficResult &result : results) {
            QCOMPARE(result.status, 0);
            QVERIFY2(result.error.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(result.error));
        }
        const QList<BackendShare> rows = generator.distribution();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].failures, quint64(5));
    }

    void progressIsSignalledInBatches()
    {
        startBackends(1);
        TrafficGenerator generator;
        QSignalSpy progressed(&generator, &TrafficGenerator::progressChanged);
        TrafficPlan plan = planFor(backendUrl(0));
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 500;
        plan.durationSeconds = 1;
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(generator.progress().done, quint64(500));
        QTRY_VERIFY(progressed.size() >= 5);
        QVERIFY2(progressed.size() <= 13, qPrintable(QString::number(progressed.size()))); // 10 Hz, not per response
    }

    // ---- Through the engine ------------------------------------------------------------

    void burstOverThreeBackendsMatchesTheEngine()
    {
        startBackends(3);
        QVERIFY(startProxy());
        TrafficGenerator generator;
        QVERIFY(runToEnd(generator, burst(proxyUrl(), 300, 8)));
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.done, quint64(300));
        QCOMPARE(progress.failed, quint64(0));
        QVERIFY(progress.connections <= 8);

        const QList<BackendShare> rows = generator.distribution();
        QCOMPARE(rows.size(), 3);
        QTRY_COMPARE(m_engine->totals().requests, quint64(300));
        const TrafficTotals totals = m_engine->totals();
        for (int i = 0; i < 3; ++i) {
            const BackendShare *share = findShare(rows, peer(i));
            QVERIFY2(share, qPrintable(peer(i)));
            QCOMPARE(share->count, quint64(100));
            QCOMPARE(share->status2xx, quint64(100));
            QVERIFY(qAbs(share->sharePercent - 100.0 / 3) < 0.01);
            QVERIFY(share->p50Ms > 0.0 && share->p50Ms <= share->p99Ms);
            const PeerTotals *counters = peerTotals(totals, peer(i));
            QVERIFY(counters);
            QCOMPARE(counters->requests, share->count);
            QCOMPARE(counters->responses[1], share->status2xx);
            QCOMPARE(m_backends[i]->requestCount(), quint64(100));
        }

        QList<TrafficResult> results;
        QCOMPARE(generator.resultsAfter(0, &results), quint64(300));
        QSet<quint64> sequences;
        for (const TrafficResult &result : std::as_const(results))
            sequences.insert(result.sequence);
        QCOMPARE(sequences.size(), 300);
        QCOMPARE(*std::max_element(sequences.cbegin(), sequences.cend()), quint64(299));
    }

    void simulatedClientsStickWithIpHash()
    {
        startBackends(3);
        QVERIFY(startProxy(u"    ip_hash;\n"_s));
        TrafficGenerator generator;
        TrafficPlan plan = burst(proxyUrl(), 200, 8);
        plan.simulatedClients = 20;
        QVERIFY(runToEnd(generator, plan));
        QCOMPARE(generator.progress().done, quint64(200));
        QHash<QString, QSet<QString>> backendsOfClient;
        QHash<QString, int> requestsOfClient;
        QSet<QString> used;
        for (const TrafficResult &result : allResults(generator)) {
            const QString client = result.client.toString();
            QCOMPARE(result.client, TrafficPlan::clientAddress(int(result.sequence % 20)));
            backendsOfClient[client].insert(result.backend);
            ++requestsOfClient[client];
            used.insert(result.backend);
        }
        QCOMPARE(backendsOfClient.size(), 20);
        for (auto it = backendsOfClient.cbegin(); it != backendsOfClient.cend(); ++it) {
            QVERIFY2(it.value().size() == 1, qPrintable(it.key()));
            QCOMPARE(requestsOfClient.value(it.key()), 10);
        }
        QVERIFY2(used.size() > 1, "ip_hash sent every simulated client to one backend");
    }

    void rateControlHoldsAThousandPerSecond()
    {
        startBackends(3);
        QVERIFY(startProxy());
        TrafficGenerator generator;
        TrafficPlan plan = planFor(proxyUrl());
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 1000;
        plan.durationSeconds = 3;
        QVERIFY(runToEnd(generator, plan, 30'000));
        const TrafficProgress progress = generator.progress();
        qInfo("achieved %.1f requests/s: %llu done in %lld ms", progress.achievedRate, progress.done,
              progress.elapsedMs);
        QCOMPARE(progress.done, quint64(3000));
        QCOMPARE(progress.failed, quint64(0));
        QCOMPARE(progress.targetTotal, quint64(3000));
        QVERIFY2(qAbs(progress.achievedRate - 1000.0) <= 50.0, qPrintable(QString::number(progress.achievedRate)));
    }

    void stopDuringARateRunIsPromptAndClean()
    {
        startBackends(3);
        QVERIFY(startProxy());
        TrafficGenerator generator;
        QSignalSpy finished(&generator, &TrafficGenerator::finished);
        TrafficPlan plan = planFor(proxyUrl());
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = 200;
        plan.count = 100'000;
        QString error;
        QVERIFY(generator.start(plan, &error));
        QTRY_VERIFY(generator.progress().done >= 50);
        QElapsedTimer clock;
        clock.start();
        generator.stop();
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!generator.isRunning());
        QCOMPARE(finished.size(), 1);
        const TrafficProgress progress = generator.progress();
        QCOMPARE(progress.failed, quint64(0));
        QCOMPARE(progress.inFlight, quint64(0));
        QCOMPARE(progress.sent, progress.done + progress.cancelled);
        QVERIFY(progress.sent < 1000);
        QCOMPARE(progress.targetTotal, quint64(100'000));
        // Nothing more goes out after stop().
        const quint64 sent = progress.sent;
        QSignalSpy progressed(&generator, &TrafficGenerator::progressChanged);
        QVERIFY(!progressed.wait(300));
        QCOMPARE(generator.progress().sent, sent);

        // The generator runs again after a stop.
        QVERIFY(runToEnd(generator, burst(proxyUrl(), 30, 4)));
        QCOMPARE(generator.progress().done, quint64(30));
        QCOMPARE(generator.progress().cancelled, quint64(0));
    }

    // ---- lbscope fire ------------------------------------------------------------------

    void fireCommand_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrContains");
        QTest::newRow("no url") << QStringList() << 2 << u"expected one URL"_s;
        QTest::newRow("https") << QStringList{u"https://127.0.0.1/"_s} << 2 << u"only http://"_s;
        QTest::newRow("zero requests") << QStringList{u"http://127.0.0.1:1/"_s, u"-n"_s, u"0"_s} << 2
                                       << u"--requests 0"_s;
        QTest::newRow("bad rate") << QStringList{u"http://127.0.0.1:1/"_s, u"--rate"_s, u"fast"_s} << 2
                                  << u"--rate fast"_s;
        QTest::newRow("duration without rate")
            << QStringList{u"http://127.0.0.1:1/"_s, u"--duration"_s, u"3"_s} << 2 << u"--duration needs --rate"_s;
        QTest::newRow("unknown option") << QStringList{u"http://127.0.0.1:1/"_s, u"--bogus"_s} << 2 << u"bogus"_s;
        QTest::newRow("bad template") << QStringList{u"http://127.0.0.1:1/"_s, u"--path"_s, u"/{x}"_s} << 2
                                      << u"unknown placeholder"_s;
        QTest::newRow("bad header") << QStringList{u"http://127.0.0.1:1/"_s, u"--header"_s, u"nocolon"_s} << 2
                                    << u"Name: value"_s;
    }

    void fireCommand()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrContains);
        QProcess process;
        process.start(lbscopeBinary, QStringList{u"fire"_s} + arguments);
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 20'000);
        const QString errors = QString::fromUtf8(process.readAllStandardError());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == exitCode, qPrintable(errors));
        QVERIFY2(errors.contains(stderrContains), qPrintable(errors));
    }

    void fireHelpListsEveryOption()
    {
        QProcess process;
        process.start(lbscopeBinary, {u"fire"_s, u"--help"_s});
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 20'000);
        QCOMPARE(process.exitCode(), 0);
        const QString help = QString::fromUtf8(process.readAllStandardOutput());
        for (const QString &option :
             {u"-n"_s, u"-c"_s, u"--rate"_s, u"--duration"_s, u"--host"_s, u"--clients"_s, u"--path"_s, u"--method"_s,
              u"--header"_s, u"--no-keepalive"_s, u"--body"_s, u"--timeout"_s, u"URL"_s})
            QVERIFY2(help.contains(option), qPrintable(option));
    }

    void fireThroughTheEnginePrintsItsDistribution()
    {
        startBackends(3);
        QVERIFY(startProxy());
        QProcess process;
        process.start(lbscopeBinary, {u"fire"_s, proxyUrl(), u"-n"_s, u"60"_s, u"-c"_s, u"4"_s});
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 60'000);
        const QString output = QString::fromUtf8(process.readAllStandardOutput());
        QVERIFY2(process.exitCode() == 0, qPrintable(output + QString::fromUtf8(process.readAllStandardError())));

        QTRY_COMPARE(m_engine->totals().requests, quint64(60));
        const TrafficTotals totals = m_engine->totals();
        const QRegularExpression row(u"^(127\\.0\\.0\\.1:\\d+)\\s+(\\d+)\\s+([\\d.]+)%\\s+(\\d+)\\s+\\d+\\s+\\d+\\s+"
                                     "\\d+\\s+(\\d+)\\s+[\\d.]+\\s+[\\d.]+$"_s,
                                     QRegularExpression::MultilineOption);
        int rows = 0;
        for (auto match = row.globalMatch(output); match.hasNext(); ++rows) {
            const QRegularExpressionMatch m = match.next();
            const PeerTotals *counters = peerTotals(totals, m.captured(1));
            QVERIFY2(counters, qPrintable(output));
            QCOMPARE(m.captured(2).toULongLong(), counters->requests);
            QCOMPARE(m.captured(4).toULongLong(), counters->responses[1]);
            QCOMPARE(m.captured(5).toInt(), 0);
            QCOMPARE(m.captured(2).toInt(), 20);
        }
        QVERIFY2(rows == 3, qPrintable(output));
        QVERIFY2(QRegularExpression(u"^total\\s+60\\s+100\\.0%\\s+60\\s"_s, QRegularExpression::MultilineOption)
                     .match(output)
                     .hasMatch(),
                 qPrintable(output));
        QVERIFY2(output.contains(u"60 sent, 60 answered, 0 failed, 0 cancelled"_s), qPrintable(output));
    }

    void fireReportsFailuresWithExitCodeOne()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        QProcess process;
        process.start(lbscopeBinary, {u"fire"_s, u"http://127.0.0.1:%1/"_s.arg(port), u"-n"_s, u"3"_s});
        QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 20'000);
        QCOMPARE(process.exitCode(), 1);
        const QString output = QString::fromUtf8(process.readAllStandardOutput());
        const QRegularExpression failedRow(u"^\\(none\\)\\s+3\\s"_s, QRegularExpression::MultilineOption);
        QVERIFY2(failedRow.match(output).hasMatch(), qPrintable(output));
        QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(u"3 failed: cannot connect"_s));
    }
};

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "tst_trafficgenerator.moc"
