// Request bodies as nginx 1.22 handles them, compared with the real nginx: the same
// configuration and the same raw requests go to nginx and to LB Scope, each in front of its
// own pair of recording backends, and what the client gets and what every backend received
// must be the same, byte for byte. With proxy_request_buffering on (the default) the body is
// read whole before a peer is chosen and goes upstream with Content-Length, so chunked uploads
// reach an HTTP/1.0 upstream and a retry sends the body again.

#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "recordingbackend.h"

#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 10'000;

struct Case
{
    QString location;      // lines inside `location / {}`
    QByteArray request;    // sent as is, on one connection
    int dropFirst = 0;     // connections backend A drops unanswered
    int responses = 1;     // expected on the client connection (100 Continue counts)
    // Streamed bodies are cut where reads happened to end: compare heads and decoded bodies.
    bool decodedOnly = false;
};

// What one proxy did with a case.
struct Outcome
{
    QList<int> statuses;
    QByteArrayList bodies;
    QByteArrayList receivedA; // per connection, raw
    QByteArrayList receivedB;
    bool closed = false;

    QString describe() const
    {
        QString text = u"statuses:"_s;
        for (int status : statuses)
            text += u' ' + QString::number(status);
        const auto list = [&](const char *name, const QByteArrayList &received) {
            text += u"\n%1: %2 connection(s)"_s.arg(QLatin1StringView(name)).arg(received.size());
            for (const QByteArray &bytes : received)
                text += u"\n  ["_s + QString::fromLatin1(bytes.left(600)).replace(u"\r\n"_s, u"\\r\\n"_s) + u']';
        };
        list("A", receivedA);
        list("B", receivedB);
        return text;
    }
};

// The case under one proxy, in front of a fresh pair of recording backends.
bool runCase(NginxAndLbscope &proxies, bool nginx, const Case &testCase, Outcome *outcome, QString *error)
{
    RecordingBackend a("A"), b("B");
    if (!a.listen() || !b.listen()) {
        *error = u"backends cannot listen"_s;
        return false;
    }
    a.dropNext(testCase.dropFirst);
    const auto config = [&](quint16 port) {
        return proxies.configFile(uR"(    upstream pool {
        server %1;
        server %2;
    }
    server {
        listen 127.0.0.1:%3;
        location / {
            proxy_pass http://pool;
%4        }
    }
)"_s.arg(QString::fromLatin1(a.address()), QString::fromLatin1(b.address()), QString::number(port),
                   testCase.location));
    };
    const auto run = [&](quint16 port) {
        HttpTestClient client;
        if (!client.connectTo(port))
            return;
        client.send(testCase.request);
        for (int i = 0; i < testCase.responses; ++i) {
            const std::optional<HttpResponse> response = client.readResponse(false, WaitMs);
            if (!response)
                break;
            outcome->statuses.append(response->status);
            outcome->bodies.append(response->body);
        }
        outcome->closed = client.waitForClose(WaitMs);
        outcome->receivedA = a.received();
        outcome->receivedB = b.received();
    };
    return proxies.run(nginx, config, run, error);
}

// A forwarded request as head plus decoded body, whatever chunk sizes carried it.
QByteArrayList decoded(const QByteArrayList &connections)
{
    struct Body : BodyConsumer
    {
        QByteArray bytes;
        void consumeBody(QByteArrayView piece) override { bytes += piece; }
    };
    QByteArrayList result;
    for (const QByteArray &raw : connections) {
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        Body body;
        parser.setBodyConsumer(&body);
        qsizetype offset = parser.execute(raw.constData(), 0, raw.size());
        if (parser.state() == MessageParser::State::HeadComplete) {
            parser.resume();
            offset += parser.execute(raw.constData(), offset, raw.size() - offset);
        }
        result.append(raw.left(parser.headLength()) + "[body " + QByteArray::number(body.bytes.size()) + " bytes, " +
                      QByteArray::number(qHash(body.bytes)) + "]");
    }
    return result;
}

QByteArray chunked(const QByteArray &body, int pieces)
{
    QByteArray wire;
    const qsizetype step = std::max<qsizetype>(1, body.size() / pieces);
    for (qsizetype at = 0; at < body.size(); at += step) {
        const QByteArray piece = body.mid(at, step);
        wire += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    return wire + "0\r\n\r\n";
}

QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char('a' + (i * 7) % 26);
    return bytes;
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestRequestBuffering : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
    }

    void sameAsNginx_data()
    {
        QTest::addColumn<Case>("testCase");
        const QByteArray small = pattern(5);
        const QByteArray large = pattern(100 * 1024); // past client_body_buffer_size: a temporary file
        const QByteArray post = "POST /upload HTTP/1.1\r\nHost: photos.example.com\r\n";
        const QByteArray put = "PUT /upload HTTP/1.1\r\nHost: photos.example.com\r\n";

        QTest::newRow("chunked upload to an HTTP/1.0 upstream goes with Content-Length")
            << Case{{}, post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(small, 2)};
        QTest::newRow("large chunked upload, through a temporary file")
            << Case{u"            client_max_body_size 0;\n"_s,
                    post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(large, 7)};
        QTest::newRow("large Content-Length upload, through a temporary file")
            << Case{{}, post + "Content-Length: " + QByteArray::number(large.size()) + "\r\nConnection: close\r\n\r\n" +
                            large};
        QTest::newRow("empty chunked body")
            << Case{{}, post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"};
        QTest::newRow("chunked upload to HTTP/1.1, buffered")
            << Case{u"            proxy_http_version 1.1;\n"_s,
                    post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(small, 2)};
        QTest::newRow("chunked upload to HTTP/1.1, not buffered: streamed chunked")
            << Case{u"            proxy_http_version 1.1;\n            proxy_request_buffering off;\n"_s,
                    post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(small, 1)};
        QTest::newRow("chunked upload to HTTP/1.0, not buffered: buffered anyway")
            << Case{u"            proxy_request_buffering off;\n"_s,
                    post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(small, 2)};
        QTest::newRow("large chunked upload to HTTP/1.1, not buffered: streamed chunked")
            << Case{u"            proxy_http_version 1.1;\n            proxy_request_buffering off;\n"
                    u"            client_max_body_size 0;\n"_s,
                    post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(pattern(1 << 20), 64),
                    0, 1, true};
        QTest::newRow("large upload with Content-Length, not buffered: streamed")
            << Case{u"            proxy_request_buffering off;\n            client_max_body_size 0;\n"_s,
                    post + "Content-Length: 1048576\r\nConnection: close\r\n\r\n" + pattern(1 << 20), 0, 1, true};
        QTest::newRow("idempotent request retried with its body")
            << Case{{}, put + "Content-Length: 5\r\nConnection: close\r\n\r\n" + small, 1};
        QTest::newRow("large idempotent request retried with its body")
            << Case{{}, put + "Content-Length: " + QByteArray::number(large.size()) + "\r\nConnection: close\r\n\r\n" +
                            large, 1};
        QTest::newRow("POST is not retried once sent")
            << Case{{}, post + "Content-Length: 5\r\nConnection: close\r\n\r\n" + small, 1};
        // proxy_next_upstream non_idempotent: only POST, LOCK and PATCH are held back; a
        // method nginx does not know is retried like PUT.
        QTest::newRow("LOCK is not retried once sent") << Case{
            {},
            "LOCK /upload HTTP/1.1\r\nHost: photos.example.com\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" +
                small,
            1};
        QTest::newRow("PROPFIND is retried with its body") << Case{
            {},
            "PROPFIND /upload HTTP/1.1\r\nHost: photos.example.com\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" +
                small,
            1};
        QTest::newRow("PURGE is retried")
            << Case{{}, "PURGE /upload HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n", 1};
        QTest::newRow("malformed chunk size: 400, nothing forwarded")
            << Case{{}, post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"};
        QTest::newRow("chunked body over client_max_body_size: 413, nothing forwarded")
            << Case{u"            client_max_body_size 10;\n"_s,
                    post + "Transfer-Encoding: chunked\r\n\r\n" + chunked(pattern(64), 4)};
        QTest::newRow("Content-Length over client_max_body_size: 413")
            << Case{u"            client_max_body_size 10;\n"_s, post + "Content-Length: 64\r\n\r\n" + pattern(64)};
        QTest::newRow("Expect: 100-continue gets 100 before the body is read")
            << Case{{}, post + "Expect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n" + small, 0, 2};
        QTest::newRow("buffered body in a kept-alive connection, then a second request")
            << Case{{}, post + "Content-Length: 5\r\n\r\n" + small +
                            "GET /next HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n",
                    0, 2};
    }

    void sameAsNginx()
    {
        QFETCH(Case, testCase);
        NginxAndLbscope proxies(m_nginx);
        Outcome nginx, lbscope;
        QString error;
        QVERIFY2(runCase(proxies, true, testCase, &nginx, &error), qPrintable(error));
        QVERIFY2(runCase(proxies, false, testCase, &lbscope, &error), qPrintable(error));
        const QString both = u"nginx:\n"_s + nginx.describe() + u"\nlbscope:\n"_s + lbscope.describe();
        QVERIFY2(!nginx.statuses.isEmpty(), qPrintable(both));
        QVERIFY2(lbscope.statuses == nginx.statuses, qPrintable(both));
        if (testCase.decodedOnly) {
            QCOMPARE(decoded(lbscope.receivedA), decoded(nginx.receivedA));
            QCOMPARE(decoded(lbscope.receivedB), decoded(nginx.receivedB));
        } else {
            QVERIFY2(lbscope.receivedA == nginx.receivedA, qPrintable(both));
            QVERIFY2(lbscope.receivedB == nginx.receivedB, qPrintable(both));
        }
        QCOMPARE(lbscope.closed, nginx.closed);
        if (nginx.statuses.last() == 200)
            QCOMPARE(lbscope.bodies.last(), nginx.bodies.last());
    }

private:
    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestRequestBuffering)
#include "tst_requestbuffering.moc"
