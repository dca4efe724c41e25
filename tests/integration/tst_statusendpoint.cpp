// The engine's counters end to end: requests through a real engine in front of demo backends
// (one of them refusing), read back through the snapshot and the status endpoint, /metrics
// checked against the text exposition grammar.

#include "admin/adminserver.h"
#include "config/configreader.h"
#include "demo/demobackend.h"
#include "httptestclient.h"
#include "proxy/engine.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// Checks Prometheus text format 0.0.4: HELP/TYPE lines before their samples, metric and
// label names and values by the grammar, histogram buckets cumulative and ending in +Inf
// equal to _count. Returns what is wrong, or an empty string.
QString checkExposition(const QByteArray &text)
{
    static const QRegularExpression comment(uR"re(^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)re"_s);
    static const QRegularExpression sample(
        uR"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")*\})? ([-+]?([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|Inf|NaN))( -?[0-9]+)?$)re"_s);
    static const QRegularExpression leLabel(uR"re(,?le="[^"]*")re"_s);
    if (!text.endsWith('\n'))
        return u"the text does not end with a newline"_s;
    QHash<QString, QString> types;
    QHash<QString, double> lastBucket; // per histogram series (labels without le)
    QHash<QString, double> infBucket;
    QHash<QString, double> counts;
    const QStringList lines = QString::fromUtf8(text.chopped(1)).split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        const QString where = u"line %1: "_s.arg(i + 1);
        if (const auto match = comment.match(line); match.hasMatch()) {
            static const QStringList known = {u"counter"_s, u"gauge"_s, u"histogram"_s, u"summary"_s, u"untyped"_s};
            if (match.captured(1) == "TYPE"_L1) {
                if (types.contains(match.captured(2)) || !known.contains(match.captured(3)))
                    return where + u"bad or second TYPE for "_s + match.captured(2);
                types.insert(match.captured(2), match.captured(3));
            }
            continue;
        }
        const auto match = sample.match(line);
        if (!match.hasMatch())
            return where + u"not a sample: "_s + line;
        const QString name = match.captured(1);
        const double value = match.captured(8).toDouble();
        QString family = name;
        for (const QString &suffix : {u"_bucket"_s, u"_sum"_s, u"_count"_s}) {
            if (name.endsWith(suffix) && types.value(name.chopped(suffix.size())) == "histogram"_L1)
                family = name.chopped(suffix.size());
        }
        if (!types.contains(family))
            return where + u"sample before its TYPE: "_s + name;
        if (types.value(family) != "histogram"_L1)
            continue;
        QString series = family + match.captured(2);
        series.remove(leLabel).replace(u"{,"_s, u"{"_s);
        if (name.endsWith("_bucket"_L1)) {
            if (value < lastBucket.value(series, 0))
                return where + u"buckets not cumulative"_s;
            lastBucket.insert(series, value);
            if (match.captured(2).contains(u"le=\"+Inf\""_s))
                infBucket.insert(series, value);
        } else if (name.endsWith("_count"_L1)) {
            counts.insert(series, value);
        }
    }
    for (auto it = infBucket.cbegin(); it != infBucket.cend(); ++it) {
        const QString key = it.key().endsWith(u"{}"_s) ? it.key().chopped(2) : it.key();
        if (counts.value(key, -1) != it.value())
            return u"+Inf bucket differs from _count for "_s + it.key();
    }
    return {};
}

} // namespace

class TestStatusEndpoint : public QObject
{
    Q_OBJECT

private:
    QList<std::shared_ptr<DemoBackend>> m_backends;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;
    quint16 m_deadPort = 0;

    void startProxy()
    {
        for (int i = 0; i < 2; ++i) {
            auto backend = std::make_shared<DemoBackend>();
            QString error;
            QVERIFY(backend->start(DemoBackend::Options{u"b%1"_s.arg(i), {}, 0, 0, 0.0}, &error));
            m_backends.append(backend);
        }
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        m_deadPort = closed.serverPort();
        closed.close();
        const QString text = u"upstream photos {\n    server 127.0.0.1:%1;\n    server 127.0.0.1:%2 max_fails=0;\n"
                             "    server 127.0.0.1:%3;\n}\nserver {\n    listen 127.0.0.1:8080;\n"
                             "    location / { proxy_pass http://photos; }\n}\n"_s.arg(m_backends[0]->port())
                                 .arg(m_deadPort)
                                 .arg(m_backends[1]->port());
        ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"stats.conf"_s);
        QVERIFY(result.ok());
        result.config->servers[0].listens[0].port = 0;
        m_engine = std::make_unique<Engine>();
        QString error;
        QVERIFY2(m_engine->start(*result.config, &error), qPrintable(error));
        m_port = m_engine->listeningAddresses().first().second;
    }

    std::optional<HttpResponse> get(quint16 port, const QByteArray &path)
    {
        HttpTestClient client;
        if (!client.connectTo(port))
            return std::nullopt;
        client.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
        return client.readResponse();
    }

private slots:
    void cleanup()
    {
        m_engine.reset();
        m_backends.clear();
    }

    void countersFollowTheTraffic()
    {
        startProxy();
        constexpr int requests = 90;
        for (int i = 0; i < requests; ++i) {
            const auto response = get(m_port, "/");
            QVERIFY(response);
            QCOMPARE(response->status, 200);
        }
        QVERIFY(get(m_port, "/" + QByteArray(9000, 'x'))); // 414

        const StatsSnapshot snapshot = m_engine->snapshot();
        QCOMPARE(snapshot.proxy.requests, quint64(requests + 1));
        QCOMPARE(snapshot.proxy.responses[1], quint64(requests));
        QCOMPARE(snapshot.proxy.clientErrorTotal(), quint64(1));
        const UpstreamSnapshot &upstream = snapshot.upstreams.first();
        QCOMPARE(upstream.methodText, u"round robin"_s);
        const PeerCounts &dead = upstream.peers[1].counts;
        // max_fails=0: the refusing peer is never taken out, so a third of the requests try
        // it first and move on.
        QCOMPARE(dead.requests, quint64(requests / 3));
        QCOMPARE(dead.failures, dead.requests);
        QCOMPARE(dead.failuresByKind[std::size_t(FailureKind::Refused)], dead.requests);
        QCOMPARE(dead.retries, dead.requests);
        QCOMPARE(upstream.peers[0].counts.responses[1] + upstream.peers[2].counts.responses[1], quint64(requests));
        QCOMPARE(m_backends[0]->requestCount() + m_backends[1]->requestCount(), quint64(requests));
        QCOMPARE(upstream.peers[0].counts.responseTime.count, upstream.peers[0].counts.requests);
        QVERIFY(upstream.peers[0].responseTime().p99Ms > 0);
        QCOMPARE(std::accumulate(snapshot.rate.cbegin(), snapshot.rate.cend(), quint64(0)), quint64(requests + 1));
        QCOMPARE(upstream.peers[0].state, PeerState::Up);

        m_engine->resetStats();
        const StatsSnapshot reset = m_engine->snapshot();
        QCOMPARE(reset.proxy.requests, quint64(0));
        QCOMPARE(reset.upstreams.first().peers[1].counts.failures, quint64(0));
        QVERIFY(get(m_port, "/"));
        QCOMPARE(m_engine->snapshot().proxy.requests, quint64(1));
    }

    void failedPeerShowsUntilWhen()
    {
        startProxy();
        UpstreamServer server;
        server.host = u"127.0.0.1"_s;
        server.port = m_deadPort;
        server.address = u"127.0.0.1:%1"_s.arg(m_deadPort);
        server.failTimeoutMs = 30'000;
        QString error;
        QVERIFY(m_engine->updateServer(u"photos"_s, server.address, server, &error));
        for (int i = 0; i < 3; ++i)
            QVERIFY(get(m_port, "/"));
        const PeerSnapshot &dead = m_engine->snapshot().upstreams.first().peers[1];
        QCOMPARE(dead.state, PeerState::Failed);
        QVERIFY(dead.counts.failedUntil >= QDateTime::currentSecsSinceEpoch() + 29);
        QCOMPARE(dead.counts.requests, quint64(1)); // then skipped for fail_timeout
        QCOMPARE(dead.counts.unavailable, quint64(1));
        QCOMPARE(describeFailure(dead.counts.lastFailure), u"refused"_s);
    }

    void snapshotIsCheapFor32Backends()
    {
        QString servers;
        for (int i = 0; i < 32; ++i)
            servers += u"    server 127.0.0.1:%1;\n"_s.arg(20000 + i);
        ConfigReadResult result = ConfigReader::readText(
            (u"worker_processes 2;\nupstream many {\n"_s + servers +
             u"}\nserver {\n    listen 127.0.0.1:8080;\n    location / { proxy_pass http://many; }\n}\n"_s)
                .toUtf8(),
            u"many.conf"_s);
        QVERIFY(result.ok());
        result.config->servers[0].listens[0].port = 0;
        m_engine = std::make_unique<Engine>();
        QString error;
        QVERIFY(m_engine->start(*result.config, &error));
        m_engine->snapshot(); // warm up
        QElapsedTimer clock;
        clock.start();
        constexpr int rounds = 100;
        for (int i = 0; i < rounds; ++i)
            QCOMPARE(m_engine->snapshot().upstreams.first().peers.size(), 32);
        const double perSnapshotMs = double(clock.nsecsElapsed()) / 1e6 / rounds;
        qInfo("snapshot of 32 backends over 2 workers: %.3f ms", perSnapshotMs);
        QVERIFY2(perSnapshotMs < 1.0, qPrintable(u"%1 ms"_s.arg(perSnapshotMs))); // the issue's bound
    }

    void statusAndMetrics()
    {
        startProxy();
        for (int i = 0; i < 6; ++i)
            QVERIFY(get(m_port, "/"));
        AdminServer admin(*m_engine);
        QString error;
        QVERIFY2(admin.start(QHostAddress::LocalHost, 0, false, &error), qPrintable(error));

        const auto status = get(admin.port(), "/status");
        QVERIFY(status);
        QCOMPARE(status->status, 200);
        QCOMPARE(status->header("Content-Type"), QByteArray("application/json"));
        const QJsonObject json = QJsonDocument::fromJson(status->body).object();
        QCOMPARE(json[u"proxy"_s][u"requests"_s].toInt(), 6);
        const QJsonArray peers = json[u"upstreams"_s][0][u"peers"_s].toArray();
        QCOMPARE(peers.size(), 3);
        QCOMPARE(peers[1][u"failures"_s][u"refused"_s].toInt(), 2);
        QCOMPARE(peers[1][u"failures"_s][u"http_status"_s].toInt(), 0);
        QCOMPARE(peers[1][u"unavailable"_s].toInt(), 0); // max_fails=0: never taken out
        QCOMPARE(peers[1][u"last_failure"_s][u"reason"_s].toString(), u"refused"_s);
        QVERIFY(peers[1][u"last_failure"_s][u"time_ms"_s].toInteger() >= json[u"since_ms"_s].toInteger() - 100);
        QVERIFY(peers[1][u"responses"_s][u"codes"_s].toObject().isEmpty());
        QVERIFY(!peers[0].toObject().contains(u"last_failure"_s));
        int answered = 0;
        for (const int i : {0, 2}) {
            const QJsonObject responses = peers[i][u"responses"_s].toObject();
            QCOMPARE(responses[u"codes"_s].toObject().keys(), QStringList{u"200"_s});
            QCOMPARE(responses[u"codes"_s][u"200"_s].toInt(), responses[u"2xx"_s].toInt());
            answered += responses[u"2xx"_s].toInt();
            QVERIFY(peers[i][u"last_selected_ms"_s].toInteger() > 0);
        }
        QCOMPARE(answered, 6);
        QCOMPARE(peers[0][u"state"_s].toString(), u"up"_s);
        QCOMPARE(peers[0][u"rate"_s].toArray().size(), 300);

        const auto metrics = get(admin.port(), "/metrics");
        QVERIFY(metrics);
        QCOMPARE(metrics->status, 200);
        QVERIFY(metrics->header("Content-Type").startsWith("text/plain; version=0.0.4"));
        const QString problem = checkExposition(metrics->body);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QByteArray deadPeer =
            "lbscope_upstream_requests_total{upstream=\"photos\",peer=\"127.0.0.1:" + QByteArray::number(m_deadPort) +
            "\"} 2\n";
        QVERIFY(metrics->body.contains(deadPeer));
        QVERIFY(metrics->body.contains("lbscope_upstream_response_seconds_bucket{upstream=\"photos\""));
        const auto has = [&](const QByteArray &text) { return metrics->body.contains(text); };
        const QByteArray dead = "{upstream=\"photos\",peer=\"127.0.0.1:" + QByteArray::number(m_deadPort) + '"';
        const QByteArray first =
            "{upstream=\"photos\",peer=\"127.0.0.1:" + QByteArray::number(m_backends[0]->port()) + '"';
        const QByteArray firstAnswers = QByteArray::number(peers[0][u"responses"_s][u"2xx"_s].toInt());
        QVERIFY(has("lbscope_upstream_responses_by_code_total" + first + ",code=\"200\"} " + firstAnswers + '\n'));
        QVERIFY(!has("lbscope_upstream_responses_by_code_total" + dead));
        QVERIFY(has("lbscope_upstream_unavailable_total" + dead + "} 0\n"));
        QVERIFY(has("lbscope_upstream_failures_total" + dead + ",kind=\"http_status\"} 0\n"));
        QVERIFY(has("lbscope_upstream_last_failure_timestamp_seconds" + dead + ",reason=\"refused\"} "));
        QVERIFY(!has("lbscope_upstream_last_failure_timestamp_seconds" + first));
        QVERIFY(has("lbscope_upstream_last_selected_timestamp_seconds" + first + "} 1"));

        QCOMPARE(get(admin.port(), "/nothing")->status, 404);
        QCOMPARE(checkExposition("lbscope_x 1\n"), u"line 1: sample before its TYPE: lbscope_x"_s);
    }

    void refusesNonLoopbackUnlessAllowed()
    {
        Engine engine;
        AdminServer admin(engine);
        QString error;
        QVERIFY(!admin.start(QHostAddress(u"10.0.0.1"_s), 0, false, &error));
        QVERIFY2(error.contains(u"--admin-allow-remote"_s), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestStatusEndpoint)
#include "tst_statusendpoint.moc"
