// The per-peer figures the LB Scope window shows, and what an access record says about its
// request, through the real engine with real sockets: exact status codes, last selected,
// why a peer failed and how often it was made unavailable, a reset, and the record's server,
// location, upstream head and upstream connection as the backend saw them.

#include "enginefixture.h"
#include "httptestclient.h"

#include <QDateTime>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// A backend that shows what it got: each request head exactly as received, the proxy's port
// as it sees it, and the request's ordinal on its connection. It answers GET /status/NNN
// with NNN (or always with `fixedStatus`), anything else with 200, and keeps connections
// open.
class ScriptedBackend final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptedBackend)

public:
    struct Seen
    {
        QByteArray head;
        quint16 peerPort = 0;
        int ordinal = 0;
    };

    explicit ScriptedBackend(int fixedStatus = 0, QObject *parent = nullptr)
        : QObject(parent)
        , m_fixedStatus(fixedStatus)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &ScriptedBackend::handleNewConnection);
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    const QList<Seen> &seen() const { return m_seen; }

private:
    void handleNewConnection()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            auto buffer = std::make_shared<QByteArray>();
            auto ordinal = std::make_shared<int>(0);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer, ordinal] {
                buffer->append(socket->readAll());
                for (qsizetype end = buffer->indexOf("\r\n\r\n"); end >= 0; end = buffer->indexOf("\r\n\r\n")) {
                    const QByteArray head = buffer->left(end + 4);
                    buffer->remove(0, end + 4);
                    m_seen.append({head, socket->peerPort(), ++*ordinal});
                    socket->write(answer(head));
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    QByteArray answer(const QByteArray &head) const
    {
        const QByteArray target = head.split(' ').value(1);
        int status = m_fixedStatus;
        if (status == 0)
            status = target.contains("/status/") ? target.split('/').last().toInt() : 200;
        return "HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\nContent-Length: 2\r\n\r\nok";
    }

    QTcpServer m_server;
    int m_fixedStatus;
    QList<Seen> m_seen;
};

} // namespace

class TestPeerFigures : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    quint16 m_proxyPort = 0;

    bool startProxy(const QString &upstreamBody, const QString &locationBody = {})
    {
        const QString text = u"upstream pool {\n"_s + upstreamBody +
                             u"}\nserver {\n    listen 127.0.0.1:8080;\n    server_name figures.test;\n"
                             "    location /api/ {\n        proxy_pass http://pool;\n"_s +
                             locationBody + u"    }\n}\n"_s;
        m_engine = startEngine(text, u"figures.conf"_s, &m_proxyPort);
        return m_engine != nullptr;
    }

    // One GET on its own connection; the status, or 0 without an answer.
    int get(const QByteArray &path)
    {
        HttpTestClient client;
        if (!client.connectTo(m_proxyPort))
            return 0;
        client.send("GET " + path + " HTTP/1.1\r\nHost: figures.test\r\n\r\n");
        const auto response = client.readResponse();
        return response ? response->status : 0;
    }

    PeerSnapshot peer(int index) const { return m_engine->snapshot().upstreams.first().peers.value(index); }

    QList<AccessRecord> records() const
    {
        QList<AccessRecord> out;
        m_engine->accessLog().readAfter(0, &out);
        return out;
    }

private slots:
    void cleanup() { m_engine.reset(); }

    void exactStatusCodesAndLastSelected()
    {
        ScriptedBackend backend;
        QVERIFY(backend.listen());
        QVERIFY(startProxy(u"    server 127.0.0.1:%1;\n"_s.arg(backend.port())));
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(get("/api/status/503"), 503);
        QCOMPARE(get("/api/status/404"), 404);
        QCOMPARE(get("/api/status/503"), 503);
        QCOMPARE(get("/api/x"), 200);
        const qint64 after = QDateTime::currentMSecsSinceEpoch();

        const PeerSnapshot first = peer(0);
        QCOMPARE(first.statusCodes(), (QMap<int, quint64>{{200, 1}, {404, 1}, {503, 2}}));
        QCOMPARE(first.counts.responses[3], quint64(1));
        QCOMPARE(first.counts.responses[4], quint64(2));
        // The coarse clock is a few ms behind the precise one at most.
        QVERIFY2(first.counts.lastSelectedMs >= before - 100 && first.counts.lastSelectedMs <= after,
                 qPrintable(u"%1 not in [%2, %3]"_s.arg(first.counts.lastSelectedMs).arg(before).arg(after)));

        // Another pick, once the clock has moved on, moves it.
        QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > first.counts.lastSelectedMs + 50);
        QCOMPARE(get("/api/y"), 200);
        QVERIFY(peer(0).counts.lastSelectedMs > first.counts.lastSelectedMs);

        m_engine->resetStats();
        const PeerSnapshot reset = peer(0);
        QVERIFY(reset.statusCodes().isEmpty());
        QCOMPARE(reset.counts.responses, (std::array<quint64, 5>{}));
        QCOMPARE(reset.counts.lastSelectedMs, qint64(0));
        QCOMPARE(reset.counts.requests, quint64(0));

        QCOMPARE(get("/api/status/503"), 503);
        const PeerSnapshot again = peer(0);
        QCOMPARE(again.statusCodes(), (QMap<int, quint64>{{503, 1}}));
        QVERIFY(again.counts.lastSelectedMs > 0);
    }

    void refusedPeerIsMadeUnavailableOnce()
    {
        QTcpSocket refusing; // bound and not listening: connections to it are refused
        QVERIFY(refusing.bind(QHostAddress::LocalHost, 0));
        ScriptedBackend backup;
        QVERIFY(backup.listen());
        QVERIFY(startProxy(u"    server 127.0.0.1:%1 max_fails=2 fail_timeout=30s;\n"
                           "    server 127.0.0.1:%2 backup;\n"_s.arg(refusing.localPort())
                               .arg(backup.port())));
        QCOMPARE(get("/api/a"), 200); // refused, then the backup
        PeerSnapshot dead = peer(0);
        QCOMPARE(dead.counts.failures, quint64(1));
        QCOMPARE(dead.counts.unavailable, quint64(0)); // one failure of max_fails=2
        QCOMPARE(dead.counts.lastFailure.kind, FailureKind::Refused);
        QVERIFY(dead.counts.lastFailure.atMs > 0);
        QCOMPARE(describeFailure(dead.counts.lastFailure), u"refused");
        QCOMPARE(dead.state, PeerState::Up);

        QCOMPARE(get("/api/b"), 200); // the second failure takes it out
        dead = peer(0);
        QCOMPARE(dead.counts.failures, quint64(2));
        QCOMPARE(dead.counts.unavailable, quint64(1));
        QCOMPARE(dead.counts.failuresByKind[std::size_t(FailureKind::Refused)], quint64(2));
        QCOMPARE(dead.state, PeerState::Failed);

        QCOMPARE(get("/api/c"), 200); // skipped: no attempt, no new transition
        dead = peer(0);
        QCOMPARE(dead.counts.requests, quint64(2));
        QCOMPARE(dead.counts.unavailable, quint64(1));
        QCOMPARE(peer(1).counts.requests, quint64(3));

        m_engine->resetStats();
        dead = peer(0);
        QCOMPARE(dead.counts.unavailable, quint64(0));
        QCOMPARE(dead.counts.failures, quint64(0));
        QCOMPARE(dead.counts.lastFailure, PeerFailure{});
        QCOMPARE(dead.state, PeerState::Failed); // a reset clears the figures, not the peer's state
    }

    void listedStatusCountsAsAnHttpFailure()
    {
        ScriptedBackend failing(503);
        ScriptedBackend working;
        QVERIFY(failing.listen());
        QVERIFY(working.listen());
        QVERIFY(startProxy(
            u"    server 127.0.0.1:%1;\n    server 127.0.0.1:%2;\n"_s.arg(failing.port()).arg(working.port()),
            u"        proxy_next_upstream error timeout http_503;\n"_s));
        QCOMPARE(get("/api/a"), 200); // 503 from the first, then the second
        QCOMPARE(failing.seen().size(), 1);
        const PeerSnapshot first = peer(0);
        QCOMPARE(first.counts.failures, quint64(1));
        QCOMPARE(first.counts.failuresByKind[std::size_t(FailureKind::HttpStatus)], quint64(1));
        QCOMPARE(first.counts.lastFailure.kind, FailureKind::HttpStatus);
        QCOMPARE(first.counts.lastFailure.status, 503);
        QCOMPARE(describeFailure(first.counts.lastFailure), u"http_503");
        QCOMPARE(first.counts.unavailable, quint64(1)); // max_fails=1
        QCOMPARE(peer(1).statusCodes(), (QMap<int, quint64>{{200, 1}}));
        QCOMPARE(records().last().upstreamStatus, QByteArray("503, 200"));
    }

    void recordSaysWhereTheRequestWent()
    {
        ScriptedBackend backend;
        QVERIFY(backend.listen());
        QVERIFY(startProxy(u"    server 127.0.0.1:%1;\n    keepalive 4;\n"_s.arg(backend.port()),
                           u"        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n"
                           "        proxy_set_header X-Test \"v-$remote_addr\";\n"_s));
        HttpTestClient client;
        QVERIFY(client.connectTo(m_proxyPort));
        for (const QByteArray path : {"/api/one", "/api/two?x=1", "/api/status/503"}) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: figures.test\r\nX-Client: c1\r\n\r\n");
            QVERIFY(client.readResponse());
        }
        client.send("GET /elsewhere HTTP/1.1\r\nHost: figures.test\r\n\r\n"); // no location: 404
        const auto notFound = client.readResponse();
        QVERIFY(notFound);
        QCOMPARE(notFound->status, 404);

        QTRY_COMPARE(m_engine->accessLog().lastId(), quint64(4));
        const QList<AccessRecord> logged = records();
        const QList<ScriptedBackend::Seen> &seen = backend.seen();
        QCOMPARE(seen.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const AccessRecord &record = logged[i];
            QCOMPARE(record.serverName, QByteArray("figures.test"));
            QCOMPARE(record.location, QByteArray("/api/"));
            QCOMPARE(record.upstreamHead, seen[i].head); // exactly what the backend got
            QVERIFY2(record.upstreamHead.contains("\r\nX-Test: v-127.0.0.1\r\n"), record.upstreamHead.constData());
            QVERIFY(record.upstreamHead.contains("\r\nX-Client: c1\r\n"));
            QCOMPARE(record.upstreamLocalPort, seen[i].peerPort);
            QCOMPARE(record.upstreamConnectionRequest, seen[i].ordinal);
            QCOMPARE(record.upstreamConnectionRequest, i + 1); // one kept-alive upstream connection
            QCOMPARE(record.requestHeader("x_client"), QByteArray("c1"));
        }
        QVERIFY(logged[1].upstreamHead.startsWith("GET /api/two?x=1 HTTP/1.1\r\n"));
        QCOMPARE(logged[2].status, 503);
        const AccessRecord &missed = logged[3];
        QCOMPARE(missed.serverName, QByteArray("figures.test"));
        QVERIFY(missed.location.isEmpty());
        QVERIFY(missed.upstreamHead.isEmpty());
        QCOMPARE(missed.upstreamLocalPort, quint16(0));
        QCOMPARE(missed.upstreamConnectionRequest, 0);
    }
};

QTEST_GUILESS_MAIN(TestPeerFigures)
#include "tst_peerfigures.moc"
