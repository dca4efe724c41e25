// The proxy end to end on loopback: demo backends and the engine on ephemeral ports, a raw
// HTTP client in front. Every wait is bounded and event-driven.

#include "demo/demobackend.h"
#include "enginefixture.h"
#include "httptestclient.h"
#include "processmemory.h"

#include <QFile>
#include <QTcpServer>

#include <QTest>
#include <QTimer>
#include <array>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: photos.example.com\r\n" + extra + "\r\n";
}

// A backend that reads the request, then closes without a word.
bool listenAndHangUp(QTcpServer &server)
{
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server] {
        QTcpSocket *socket = server.nextPendingConnection();
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->abort(); });
    });
    return server.listen(QHostAddress::LocalHost, 0);
}

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT

private:
    QList<std::shared_ptr<DemoBackend>> m_backends;
    std::unique_ptr<Engine> m_engine;
    quint16 m_proxyPort = 0;

    void startBackends(int count)
    {
        m_backends.clear();
        for (int i = 0; i < count; ++i) {
            auto backend = std::make_shared<DemoBackend>();
            DemoBackend::Options options;
            options.name = i == 0 ? u"web-client"_s : u"web-client%1"_s.arg(i + 1);
            QString error;
            QVERIFY2(backend->start(options, &error), qPrintable(error));
            m_backends.append(backend);
        }
    }

    QString serverLines(const QStringList &parameters = {}) const
    {
        QString lines;
        for (qsizetype i = 0; i < m_backends.size(); ++i)
            lines += u"        server 127.0.0.1:%1 %2;\n"_s.arg(m_backends[i]->port()).arg(parameters.value(i));
        return lines;
    }

    // Loads the config text and starts the engine on an ephemeral port.
    bool startProxy(const QString &upstreamBody, const QString &locationBody = {}, const QString &serverBody = {})
    {
        const QString text = u"upstream photos {\n"_s + upstreamBody +
                             u"}\nserver {\n    listen 127.0.0.1:8080;\n    server_name photos.example.com;\n"_s +
                             serverBody +
                             u"    location / {\n        proxy_pass http://photos;\n"
                             "        proxy_set_header Host $host;\n"
                             "        proxy_set_header X-Real-IP $remote_addr;\n"
                             "        add_header X-Upstream-Addr $upstream_addr;\n"_s +
                             locationBody + u"    }\n}\n"_s;
        m_engine = startEngine(text, u"test.conf"_s, &m_proxyPort);
        return m_engine != nullptr;
    }

    QByteArray backendAddress(int index) const { return "127.0.0.1:" + QByteArray::number(m_backends[index]->port()); }

    std::optional<HttpResponse> request(const QByteArray &wire, bool head = false)
    {
        HttpTestClient client;
        if (!client.connectTo(m_proxyPort))
            return std::nullopt;
        client.send(wire);
        return client.readResponse(head);
    }

private slots:
    void cleanup()
    {
        m_engine.reset();
        m_backends.clear();
    }

    void seedRequestsCycleOverThreeInstances()
    {
        startBackends(3);
        QVERIFY(startProxy(serverLines()));
        QByteArrayList names;
        for (int i = 0; i < 6; ++i) {
            const auto response = request(get("/"));
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->header("X-Upstream-Addr"), backendAddress(i % 3));
            names.append(response->header("X-Backend"));
        }
        QCOMPARE(names, QByteArrayList(
                            {"web-client", "web-client2", "web-client3", "web-client", "web-client2", "web-client3"}));
        for (const auto &backend : m_backends)
            QCOMPARE(backend->requestCount(), quint64(2));
    }

    void hostAndRealIpArrive()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        const auto response = request(get("/", "X-Forwarded-For: 10.1.1.1\r\n"));
        QVERIFY(response);
        QVERIFY2(response->body.contains("photos.example.com"), response->body.constData());
        QVERIFY(response->body.contains("127.0.0.1"));
        const QStringList log = m_backends[0]->recentLog();
        QCOMPARE(log.size(), 1);
        QVERIFY(log.first().contains(u"\"GET / HTTP/1.0\""_s)); // nginx's default upstream protocol
    }

    void upstreamHeadersFollowNginxDefaults()
    {
        // A raw backend shows exactly what the proxy sends.
        QTcpServer raw;
        QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
        m_backends.clear();
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n"_s.arg(raw.serverPort()), {},
                           u"    proxy_set_header X-Ignored outer;\n"_s));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send("GET /p?q=1 HTTP/1.1\r\nHost: Photos.Example.com:8080\r\nConnection: keep-alive\r\n"
                    "Keep-Alive: 300\r\nUser-Agent: t\r\nUpgrade: x\r\n\r\n");
        QTRY_VERIFY(raw.hasPendingConnections());
        QTcpSocket *upstream = raw.nextPendingConnection();
        QByteArray head;
        QTRY_VERIFY((head += upstream->readAll()).endsWith("\r\n\r\n"));
        QCOMPARE(head, QByteArray("GET /p?q=1 HTTP/1.0\r\nHost: photos.example.com\r\nX-Real-IP: 127.0.0.1\r\n"
                                  "Connection: close\r\nUser-Agent: t\r\n\r\n"));
        upstream->write("HTTP/1.0 200 Fine\r\nServer: raw\r\nX-Custom: 1\r\n\r\nclose-delimited");
        upstream->disconnectFromHost();
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("Server"), QByteArray("lbscope"));
        QCOMPARE(response->header("X-Custom"), QByteArray("1"));
        QCOMPARE(response->header("Transfer-Encoding"), QByteArray("chunked"));
        QCOMPARE(response->body, QByteArray("close-delimited"));
    }

    void responseHeadInTwoReadsStaysIntact()
    {
        QTcpServer raw;
        QVERIFY(raw.listen(QHostAddress::LocalHost, 0));
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n"_s.arg(raw.serverPort())));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send(get("/"));
        QTRY_VERIFY(raw.hasPendingConnections());
        QTcpSocket *upstream = raw.nextPendingConnection();
        QTRY_VERIFY(upstream->readAll().endsWith("\r\n\r\n") || upstream->bytesAvailable() == 0);
        upstream->write("HTTP/1.1 200 OK\r\nX-First: one\r\n");
        upstream->flush();
        QTimer::singleShot(50, upstream,
                           [upstream] { upstream->write("X-Second: two\r\nContent-Length: 4\r\n\r\nbody"); });
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("X-First"), QByteArray("one"));
        QCOMPARE(response->header("X-Second"), QByteArray("two"));
        QCOMPARE(response->body, QByteArray("body"));
    }

    void keepAliveOnBothSides()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines() + u"        keepalive 8;\n"_s,
                           u"        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n"_s));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        for (int i = 0; i < 5; ++i) {
            client.send(get("/"));
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->header("Connection"), QByteArray("keep-alive"));
        }
        QCOMPARE(m_backends[0]->requestCount(), quint64(5));
        QCOMPARE(m_backends[0]->connectionCount(), 1); // one upstream connection, reused
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    }

    void withoutKeepaliveEachRequestHasItsOwnUpstreamConnection()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        for (int i = 0; i < 3; ++i) {
            client.send(get("/"));
            QVERIFY(client.readResponse());
        }
        QTRY_COMPARE(m_backends[0]->connectionCount(), 0);
    }

    void pipelinedRequestsAnswerInOrder()
    {
        startBackends(2);
        QVERIFY(startProxy(serverLines()));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send(get("/sleep/50") + get("/one") + get("/two"));
        QByteArrayList upstreams;
        for (int i = 0; i < 3; ++i) {
            const auto response = client.readResponse();
            QVERIFY(response);
            upstreams.append(response->header("X-Upstream-Addr"));
        }
        QCOMPARE(upstreams, QByteArrayList({backendAddress(0), backendAddress(1), backendAddress(0)}));
    }

    void http10ClientGetsTheConnectionClosed()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send("GET /chunked/1000 HTTP/1.0\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->body.size(), 1000);
        QVERIFY(client.waitForClose());
    }

    void headAnd204And304HaveNoBody()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        auto head = request("HEAD /bytes/5000 HTTP/1.1\r\nHost: a\r\n\r\n", true);
        QVERIFY(head);
        QCOMPARE(head->header("Content-Length"), QByteArray("5000"));
        QVERIFY(head->body.isEmpty());
        for (const QByteArray code : {"204", "304"}) {
            const auto response = request(get("/status/" + code));
            QVERIFY(response);
            QCOMPARE(response->status, code.toInt());
            QVERIFY(!response->hasHeader("Transfer-Encoding"));
        }
    }

    void largeChunkedUploadKeepsMemoryBounded_data()
    {
        QTest::addColumn<QString>("buffering");
        QTest::newRow("streamed (proxy_request_buffering off)") << u"off"_s;
        QTest::newRow("buffered in a temporary file (on, the default)") << u"on"_s;
    }

    void largeChunkedUploadKeepsMemoryBounded()
    {
        QFETCH(QString, buffering);
        startBackends(1);
        QVERIFY(startProxy(serverLines(), u"        proxy_http_version 1.1;\n        client_max_body_size 0;\n"
                                          u"        proxy_request_buffering %1;\n"_s.arg(buffering)));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk(256 * 1024, 'u');
        constexpr int chunks = 400; // 100 MiB
        int sent = 0;
        const qint64 before = residentKiB();
        qint64 peak = before;
        // Write as the socket drains, as a real uploader does.
        QVERIFY(client.waitFor(
            [&] {
                while (sent < chunks && client.socket().bytesToWrite() < 1024 * 1024) {
                    client.send(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
                    ++sent;
                    if (sent % 16 == 0)
                        peak = std::max(peak, residentKiB());
                }
                return sent == chunks;
            },
            120'000));
        client.send("0\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY2(response->body.contains(QByteArray::number(qint64(chunks) * chunk.size())),
                 response->body.constData());
        // A proxy that held the body in memory would grow by ~100 MiB.
        QVERIFY2(peak - before < 32 * 1024, qPrintable(u"RSS grew by %1 KiB"_s.arg(peak - before)));
    }

    // nginx's defaults: the body is read whole and goes to the HTTP/1.0 upstream with Content-Length.
    void chunkedUploadToHttp10UpstreamIsBuffered()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        const auto response =
            request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(m_backends[0]->requestCount(), quint64(1));
    }

    void largeDownloadKeepsMemoryBounded_data()
    {
        QTest::addColumn<QString>("buffering");
        QTest::addColumn<bool>("slowReader");
        QTest::addColumn<qint64>("size");
        QTest::newRow("streamed (proxy_buffering off)") << u"off"_s << false << 200LL * 1024 * 1024;
        QTest::newRow("buffered (on, the default)") << u"on"_s << false << 200LL * 1024 * 1024;
        // The client reads nothing until the upstream is done: all of it waits in the spool's file.
        QTest::newRow("buffered, slow reader") << u"on"_s << true << 256LL * 1024 * 1024;
    }

    void largeDownloadKeepsMemoryBounded()
    {
        QFETCH(QString, buffering);
        QFETCH(bool, slowReader);
        QFETCH(qint64, size);
        startBackends(1);
        QVERIFY(startProxy(serverLines(), u"        proxy_buffering %1;\n"_s.arg(buffering)));
        HttpTestClient client;
        client.setKeepBody(false);
        QVERIFY(client.connectTo(m_proxyPort));
        const qint64 before = residentKiB();
        qint64 peak = before;
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, this, [&] { peak = std::max(peak, residentKiB()); });
        sampler.start(20);
        if (slowReader)
            client.socket().setReadBufferSize(64 * 1024); // Qt stops reading the socket there
        client.send(get("/bytes/" + QByteArray::number(size)));
        if (slowReader) {
            QTRY_COMPARE_WITH_TIMEOUT(m_backends[0]->requestCount(), quint64(1), 10'000);
            // The upstream finishes and is let go while the client has taken almost nothing.
            QTRY_COMPARE_WITH_TIMEOUT(m_backends[0]->connectionCount(), 0, 120'000);
            client.socket().setReadBufferSize(0);
        }
        const auto response = client.readResponse(false, 120'000);
        QVERIFY(response);
        QCOMPARE(client.bodyBytesSeen(), size);
        peak = std::max(peak, residentKiB());
        // A proxy that held the response in memory would grow by its size.
        QVERIFY2(peak - before < (slowReader ? 64 : 32) * 1024, qPrintable(u"RSS grew by %1 KiB"_s.arg(peak - before)));
    }

    void deadPeerIsRetriedThenSkippedForFailTimeout()
    {
        startBackends(2);
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 deadPort = closed.serverPort();
        closed.close(); // connects to it are refused now
        const QString upstream =
            u"        server 127.0.0.1:%1;\n        server 127.0.0.1:%2 max_fails=1 fail_timeout=30s;\n"
            "        server 127.0.0.1:%3;\n"_s.arg(m_backends[0]->port())
                .arg(deadPort)
                .arg(m_backends[1]->port());
        QVERIFY(startProxy(upstream));
        const QByteArray dead = "127.0.0.1:" + QByteArray::number(deadPort);
        QByteArrayList upstreams;
        for (int i = 0; i < 5; ++i) {
            const auto response = request(get("/"));
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            upstreams.append(response->header("X-Upstream-Addr"));
        }
        // As nginx computes it (spec 1.3-1.4): the retry after the failure moves the third
        // peer's current weight ahead, and the dead peer is skipped for fail_timeout.
        QCOMPARE(upstreams, QByteArrayList({backendAddress(0), dead + ", " + backendAddress(1), backendAddress(1),
                                            backendAddress(0), backendAddress(1)}));
        const TrafficTotals totals = m_engine->totals();
        QCOMPARE(totals.peers[1].failures, quint64(1));
        QCOMPARE(totals.peers[1].requests, quint64(1));
    }

    void allPeersDownGives502()
    {
        startBackends(2);
        QVERIFY(startProxy(serverLines({u"down"_s, u"down"_s})));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 502);
        QVERIFY(response->body.contains("502 Bad Gateway"));
        QCOMPARE(m_backends[0]->requestCount() + m_backends[1]->requestCount(), quint64(0));
    }

    void refusedLoneServerGives502()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n"_s.arg(port)));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 502);
    }

    void stalledBackendGives504()
    {
        QTcpServer stalled; // accepts and never answers
        QVERIFY(stalled.listen(QHostAddress::LocalHost, 0));
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n"_s.arg(stalled.serverPort()),
                           u"        proxy_read_timeout 1s;\n"_s));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 504);
        QVERIFY(response->body.contains("504 Gateway Time-out") || response->body.contains("504 Gateway Timeout"));
    }

    // nginx 1.22: a request whose head does not arrive in time is closed without an answer
    // and logged 408; a connection that never started a request closes with nothing logged.
    void headerTimeoutIsLogged408()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines(), {}, u"    client_header_timeout 300ms;\n"_s));
        HttpTestClient idle;
        QVERIFY(idle.connectTo(m_proxyPort));
        HttpTestClient partial;
        QVERIFY(partial.connectTo(m_proxyPort));
        partial.send("GET /slow HTTP/1.1\r\nHost: photos.example.com\r\n"); // the head never ends
        QVERIFY(partial.waitForClose());
        QVERIFY(!partial.readResponse()); // closed without a byte
        QVERIFY(idle.waitForClose());
        QTRY_COMPARE(m_engine->accessLog().lastId(), quint64(1));
        QList<AccessRecord> records;
        m_engine->accessLog().readAfter(0, &records);
        QCOMPARE(records.size(), 1);
        QCOMPARE(records[0].status, 408);
        QCOMPARE(records[0].bytesSent, 0);
        QCOMPARE(records[0].requestLine(), QByteArray("GET /slow HTTP/1.1"));
        const StatsSnapshot snapshot = m_engine->snapshot();
        QCOMPARE(snapshot.proxy.requests, quint64(1));
        QCOMPARE(snapshot.proxy.responses[3], quint64(1));
        QCOMPARE(m_backends[0]->requestCount(), quint64(0));
    }

    // The next request on a kept-alive connection, cut short: logged 408 with what of its
    // head had come, nothing of the request before it; a request line cut short logs none.
    void headerTimeoutAfterKeepAliveIsLogged408()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines(), {}, u"    client_header_timeout 300ms;\n    keepalive_timeout 300ms;\n"_s));
        HttpTestClient kept;
        QVERIFY(kept.connectTo(m_proxyPort));
        kept.send(get("/first"));
        QVERIFY(kept.readResponse());
        kept.send("GET /second HTTP/1.1\r\nHo");
        HttpTestClient short_;
        QVERIFY(short_.connectTo(m_proxyPort));
        short_.send("GE");
        QVERIFY(kept.waitForClose());
        QVERIFY(short_.waitForClose());
        QTRY_COMPARE(m_engine->accessLog().lastId(), quint64(3));
        QList<AccessRecord> records;
        m_engine->accessLog().readAfter(0, &records);
        QCOMPARE(records[0].status, 200);
        std::sort(records.begin() + 1, records.end(),
                  [](const AccessRecord &a, const AccessRecord &b) { return a.uri > b.uri; });
        QCOMPARE(records[1].status, 408);
        QCOMPARE(records[1].requestLine(), QByteArray("GET /second HTTP/1.1"));
        QVERIFY(records[1].host.isEmpty());
        QCOMPARE(records[2].status, 408);
        QVERIFY(records[2].requestLine().isEmpty());
    }

    // A body that stops arriving: nginx answers 408, logs 408, and no peer is at fault. A
    // buffered body (the default) times out before any peer is chosen; a streamed one after.
    void bodyTimeoutIsAnswered408_data()
    {
        QTest::addColumn<QString>("buffering");
        QTest::addColumn<bool>("peerChosen");
        QTest::newRow("buffered: before a peer") << u"on"_s << false;
        QTest::newRow("streamed: the peer waited") << u"off"_s << true;
    }

    void bodyTimeoutIsAnswered408()
    {
        QFETCH(QString, buffering);
        QFETCH(bool, peerChosen);
        QTcpServer stalled; // takes the connection, never answers
        QVERIFY(stalled.listen(QHostAddress::LocalHost, 0));
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n"_s.arg(stalled.serverPort()),
                           u"        client_body_timeout 300ms;\n        proxy_request_buffering %1;\n"_s.arg(buffering)));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send("POST /upload HTTP/1.1\r\nHost: photos.example.com\r\nContent-Length: 100\r\n\r\n0123456789");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 408);
        QVERIFY(client.waitForClose());
        QTRY_COMPARE(m_engine->accessLog().lastId(), quint64(1));
        QList<AccessRecord> records;
        m_engine->accessLog().readAfter(0, &records);
        QCOMPARE(records[0].status, 408);
        const PeerSnapshot peer = m_engine->snapshot().upstreams.first().peers.first();
        if (!peerChosen) {
            QVERIFY(records[0].upstreamAddr.isEmpty());
            QCOMPARE(peer.counts.requests, quint64(0));
            QVERIFY(!stalled.hasPendingConnections());
            return;
        }
        QCOMPARE(records[0].upstreamAddr, "127.0.0.1:" + QByteArray::number(stalled.serverPort()));
        QCOMPARE(peer.counts.requests, quint64(1));
        QCOMPARE(peer.counts.failures, quint64(0));
        QCOMPARE(peer.counts.active, qint64(0));
    }

    void backendErrorsPassThrough()
    {
        startBackends(1);
        m_backends[0]->setErrorRate(1.0);
        QVERIFY(startProxy(serverLines()));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 500);
        QVERIFY(!response->hasHeader("X-Upstream-Addr")); // add_header skips 5xx without "always"
    }

    // Every interface only when the file names it: a bare port binds loopback (nginx would
    // open every IPv4 address), "*" and 0.0.0.0 every IPv4 address.
    void aBarePortListensOnLoopbackOnly_data()
    {
        QTest::addColumn<QString>("listen");
        QTest::addColumn<QHostAddress>("bound");
        QTest::newRow("bare port") << u"8080"_s << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("*") << u"*:8080"_s << QHostAddress(QHostAddress::AnyIPv4);
        QTest::newRow("0.0.0.0") << u"0.0.0.0:8080"_s << QHostAddress(QHostAddress::AnyIPv4);
    }

    void aBarePortListensOnLoopbackOnly()
    {
        QFETCH(QString, listen);
        QFETCH(QHostAddress, bound);
        quint16 port = 0;
        const auto engine = startEngine(
            u"server {\n    listen %1;\n    location / {\n        proxy_pass http://127.0.0.1:1;\n    }\n}\n"_s.arg(
                listen),
            u"t.conf"_s, &port);
        QVERIFY(engine);
        QCOMPARE(engine->listeningAddresses().size(), 1);
        QCOMPARE(engine->listeningAddresses().first().first, bound);
    }

    void clientErrors_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");
        QTest::newRow("400 malformed") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n") << 400;
        QTest::newRow("400 no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
        // Smuggling: a length a strict backend would count and the proxy did not.
        QTest::newRow("400 space before the colon")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 33\r\n\r\n"
                          "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n")
            << 400;
        QTest::newRow("400 CL and TE")
            << QByteArray(
                   "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            << 400;
        QTest::newRow("400 two lengths")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << 400;
        QTest::newRow("413 over client_max_body_size")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n") << 413;
        QTest::newRow("414 long request line")
            << QByteArray("GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n") << 414;
        QTest::newRow("431 long header") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + QByteArray(9000, 'b') +
                                                       "\r\n\r\n")
                                         << 431;
        QTest::newRow("501 unknown transfer-encoding")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
        QTest::newRow("505 HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
    }

    void clientErrors()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send(wire);
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose());
        QCOMPARE(m_backends[0]->requestCount(), quint64(0)); // nothing ambiguous reached a backend
        QCOMPARE(m_engine->totals().clientErrors, quint64(1));
    }

    void backupServesWhenPrimariesAreDown()
    {
        startBackends(3);
        QVERIFY(startProxy(serverLines({u"down"_s, u"down"_s, u"backup"_s})));
        for (int i = 0; i < 2; ++i) {
            const auto response = request(get("/"));
            QVERIFY(response);
            QCOMPARE(response->header("X-Upstream-Addr"), backendAddress(2));
        }
    }

    // Spec 6.1, verified on nginx: a listed 5xx moves on while tries are left, and the last
    // try's answer goes to the client without counting as a failure.
    void listedStatusMovesToTheNextPeer()
    {
        startBackends(3);
        for (const auto &backend : m_backends)
            backend->setErrorRate(1.0);
        QVERIFY(startProxy(serverLines(), u"        proxy_next_upstream error timeout http_500;\n"
                                          "        add_header X-Statuses $upstream_status always;\n"_s));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 500);
        QCOMPARE(response->header("X-Statuses"), QByteArray("500, 500, 500"));
        const TrafficTotals totals = m_engine->totals();
        QCOMPARE(totals.peers[0].failures + totals.peers[1].failures + totals.peers[2].failures, quint64(2));
        const auto next = request(get("/"));
        QVERIFY(next);
        QCOMPARE(next->status, 502); // the third peer answers 500 again and no peer is left
    }

    void postIsNotRetriedOnceSent()
    {
        QTcpServer hangup;
        QVERIFY(listenAndHangUp(hangup));
        startBackends(1);
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n        server 127.0.0.1:%2;\n"_s.arg(hangup.serverPort())
                               .arg(m_backends[0]->port())));
        const auto post = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        QVERIFY(post);
        QCOMPARE(post->status, 502);
        QCOMPARE(m_backends[0]->requestCount(), quint64(0));
        QCOMPARE(m_engine->totals().peers[0].failures, quint64(1));
    }

    void getIsRetriedAfterAHangup()
    {
        QTcpServer hangup;
        QVERIFY(listenAndHangUp(hangup));
        startBackends(1);
        QVERIFY(startProxy(u"        server 127.0.0.1:%1;\n        server 127.0.0.1:%2;\n"_s.arg(hangup.serverPort())
                               .arg(m_backends[0]->port())));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("X-Upstream-Addr"),
                 "127.0.0.1:" + QByteArray::number(hangup.serverPort()) + ", " + backendAddress(0));
    }

    // nginx gives a try back only when a cached keepalive connection fails: a reset on a
    // fresh connection uses one up, so proxy_next_upstream_tries 2 stops after two peers.
    void resetsOnFreshConnectionsUseUpTries()
    {
        std::array<QTcpServer, 3> servers;
        QString lines;
        int connections = 0;
        for (QTcpServer &server : servers) {
            QVERIFY(listenAndHangUp(server));
            connect(&server, &QTcpServer::newConnection, this, [&connections] { ++connections; });
            lines += u"        server 127.0.0.1:%1;\n"_s.arg(server.serverPort());
        }
        QVERIFY(startProxy(lines, u"        proxy_next_upstream_tries 2;\n"_s));
        const auto response = request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 502);
        QCOMPARE(connections, 2);
        quint64 failures = 0;
        for (const auto &peer : m_engine->totals().peers)
            failures += peer.failures;
        QCOMPARE(failures, quint64(2));
    }

    void expectContinueIsAnsweredByTheProxy()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        QByteArray interim;
        QVERIFY(client.waitFor([&] { return (interim += client.socket().readAll()).contains("\r\n\r\n"); }, 10'000));
        QCOMPARE(interim, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        client.send("hello");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }

    void severalWorkerThreadsServe()
    {
        startBackends(3);
        const QString text =
            u"worker_processes 2;\nupstream photos {\n"_s + serverLines() +
            u"}\nserver {\n    listen 127.0.0.1:8080;\n    location / { proxy_pass http://photos; }\n}\n"_s;
        m_engine = startEngine(text, u"workers.conf"_s, &m_proxyPort);
        QVERIFY(m_engine);
        for (int i = 0; i < 12; ++i)
            QVERIFY(request(get("/")));
        // Each worker runs its own round robin, as nginx workers without a zone do.
        for (const auto &backend : m_backends)
            QCOMPARE(backend->requestCount(), quint64(4));
        QCOMPARE(m_engine->totals().requests, quint64(12));
    }

    void bodyAtTheLimitPasses()
    {
        startBackends(1);
        QVERIFY(startProxy(serverLines()));
        const QByteArray body(1024 * 1024, 'b');
        const auto response = request(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
