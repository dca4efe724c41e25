// Integration tests of the demo web app over real sockets on 127.0.0.1.

#include "demo/demobackend.h"
#include "resetprobe.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <http_parser.h>

#include <cmath>
#include <deque>
#include <limits>
#include <memory>

#include <sys/socket.h>

using namespace Qt::StringLiterals;
using lbscope::DemoBackend;

namespace {

constexpr int LongTimeoutMs = 60'000;

struct Response
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body; // the first MaxKeptBody bytes
    qint64 bodySize = 0;
    bool patternOk = true; // body bytes follow DemoBackend::bodyPatternByte
    bool chunked = false;
    bool keepAlive = true;

    static constexpr qint64 MaxKeptBody = 64 * 1024;

    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &[field, value] : headers) {
            if (field.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[field, value] : headers) {
            if (field.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QString text() const { return QString::fromUtf8(body); }
};

// A raw HTTP client: writes exactly the bytes it is given and frames the responses with
// http_parser, so that pipelining, HTTP/1.0 and odd requests can be tested byte for byte.
class RawClient
{
public:
    RawClient()
    {
        http_parser_init(&m_parser, HTTP_RESPONSE);
        m_parser.data = this;
        http_parser_settings_init(&m_settings);
        m_settings.on_message_begin = [](http_parser *p) {
            self(p)->m_current = Response();
            self(p)->m_inValue = false;
            return 0;
        };
        m_settings.on_header_field = [](http_parser *p, const char *at, size_t length) {
            RawClient *c = self(p);
            if (c->m_inValue || c->m_current.headers.isEmpty()) {
                c->m_current.headers.append(std::pair<QByteArray, QByteArray>());
                c->m_inValue = false;
            }
            c->m_current.headers.last().first.append(at, static_cast<qsizetype>(length));
            return 0;
        };
        m_settings.on_header_value = [](http_parser *p, const char *at, size_t length) {
            RawClient *c = self(p);
            c->m_inValue = true;
            c->m_current.headers.last().second.append(at, static_cast<qsizetype>(length));
            return 0;
        };
        m_settings.on_headers_complete = [](http_parser *p) {
            RawClient *c = self(p);
            c->m_current.status = static_cast<int>(p->status_code);
            c->m_current.chunked = c->m_current.header("Transfer-Encoding") == "chunked";
            c->m_current.keepAlive = http_should_keep_alive(p) != 0;
            // Interim 1xx answers do not consume the request.
            if (p->status_code >= 200 && !c->m_headRequests.empty()) {
                const bool head = c->m_headRequests.front();
                c->m_headRequests.pop_front();
                if (head)
                    return 1;
            }
            return 0;
        };
        m_settings.on_body = [](http_parser *p, const char *at, size_t length) {
            RawClient *c = self(p);
            Response &r = c->m_current;
            for (size_t i = 0; i < length && r.patternOk; ++i) {
                if (at[i] != DemoBackend::bodyPatternByte(r.bodySize + static_cast<qint64>(i)))
                    r.patternOk = false;
            }
            const qint64 keep = qMin(static_cast<qint64>(length), Response::MaxKeptBody - r.body.size());
            if (keep > 0)
                r.body.append(at, keep);
            r.bodySize += static_cast<qint64>(length);
            return 0;
        };
        m_settings.on_message_complete = [](http_parser *p) {
            RawClient *c = self(p);
            c->responses.append(std::move(c->m_current));
            c->m_current = Response();
            return 0;
        };

        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] {
            if (!m_slowReader)
                readAvailable(-1);
        });
        QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [this] {
            readAvailable(-1);
            http_parser_execute(&m_parser, &m_settings, nullptr, 0); // end of a close-delimited body
            closed = true;
        });
        m_slowTimer.setInterval(1);
        QObject::connect(&m_slowTimer, &QTimer::timeout, &socket, [this] { readAvailable(m_slowStep); });
    }

    ~RawClient() { socket.disconnect(); }
    Q_DISABLE_COPY_MOVE(RawClient)

    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(5000);
    }

    // Reads at most `step` bytes per timer tick (1 ms) with a small socket buffer, so that
    // the kernel's buffers fill up and the server has to wait for the reader.
    void readSlowly(qint64 step)
    {
        m_slowReader = true;
        m_slowStep = step;
        socket.setReadBufferSize(step);
        m_slowTimer.start();
    }

    // `heads`: for each request in `bytes`, whether it is a HEAD (its response has no body).
    void send(const QByteArray &bytes, QList<bool> heads = {false})
    {
        for (const bool head : heads)
            m_headRequests.push_back(head);
        socket.write(bytes);
    }

    void get(const QByteArray &path) { send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n"); }

    QList<Response> responses;
    bool closed = false;
    bool parseError() const { return HTTP_PARSER_ERRNO(&m_parser) != HPE_OK; }
    QTcpSocket socket;

private:
    static RawClient *self(http_parser *p) { return static_cast<RawClient *>(p->data); }

    void readAvailable(qint64 limit)
    {
        char buffer[16384];
        qint64 left = limit < 0 ? std::numeric_limits<qint64>::max() : limit;
        while (left > 0 && socket.isOpen()) {
            const qint64 n = socket.read(buffer, qMin<qint64>(sizeof buffer, left));
            if (n <= 0)
                break;
            left -= n;
            http_parser_execute(&m_parser, &m_settings, buffer, static_cast<size_t>(n));
        }
    }

    http_parser m_parser;
    http_parser_settings m_settings;
    Response m_current;
    bool m_inValue = false;
    std::deque<bool> m_headRequests;
    bool m_slowReader = false;
    qint64 m_slowStep = 0;
    QTimer m_slowTimer;
};

QByteArray pageBytesLine(qint64 bytes)
{
    return "<tr><th>Request body</th><td>" + QByteArray::number(bytes) + " bytes</td></tr>";
}

} // namespace

class TestDemoBackend final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void startFailsOnBusyPort();
    void pageNamesInstance();
    void headersEchoed();
    void headersEchoedEscaped();
    void keepAlive();
    void pipelining();
    void http10Closes();
    void http10KeepAlive();
    void connectionCloseHonoured();
    void headRequest();
    void statusCodes_data();
    void statusCodes();
    void badSpecialPath();
    void sleepDelays();
    void delayKnob();
    void largeBodyWithSlowReader();
    void chunkedResponse();
    void chunkedResponseHttp10();
    void closeDelimitedBodyWithSlowReader();
    void contentLengthUpload();
    void chunkedUpload();
    void expectContinue();
    void errorRate_data();
    void errorRate();
    void errorRateChangedWhileRunning();
    void crashRefusesAndRestores();
    void requestLoggedLine();
    void logByCursor();
    void crashResetsOpenConnections();
    void logRingIsBounded();
    void malformedRequest();
    void malformedAfterGoodRequest();
    void clientDisconnectMidResponse();
    void clientDisconnectDuringDelay();
    void halfCloseAfterRequest();

private:
    bool startBackend(DemoBackend::Options options = {});

    std::unique_ptr<DemoBackend> m_backend;
};

void TestDemoBackend::init()
{
    m_backend = std::make_unique<DemoBackend>();
}

void TestDemoBackend::cleanup()
{
    m_backend.reset();
}

bool TestDemoBackend::startBackend(DemoBackend::Options options)
{
    if (options.name.isEmpty())
        options.name = u"web-client2"_s;
    options.address = QHostAddress(QHostAddress::LocalHost);
    QString error;
    const bool ok = m_backend->start(options, &error);
    if (!ok)
        qWarning("start failed: %s", qPrintable(error));
    return ok && m_backend->port() != 0;
}

void TestDemoBackend::startFailsOnBusyPort()
{
    QVERIFY(startBackend());
    DemoBackend second;
    DemoBackend::Options options;
    options.port = m_backend->port();
    QString error;
    QVERIFY(!second.start(options, &error));
    QVERIFY2(error.contains(QString::number(m_backend->port())), qPrintable(error));
    QVERIFY(!second.isRunning());
    QVERIFY(!m_backend->start(options, &error)); // already running
}

void TestDemoBackend::pageNamesInstance()
{
    QVERIFY(startBackend());
    QCOMPARE(m_backend->name(), u"web-client2"_s);
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/");
    QTRY_COMPARE(client.responses.size(), 1);
    const Response &r = client.responses.constFirst();
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Content-Type"), "text/html; charset=utf-8"_ba);
    QCOMPARE(r.header("X-Backend"), "web-client2"_ba);
    QCOMPARE(r.header("Content-Length").toLongLong(), r.bodySize);
    const QString expected = u"Hello from web-client2 on port "_s + QString::number(m_backend->port());
    QVERIFY2(r.text().contains(expected), qPrintable(r.text()));
    QVERIFY(r.text().contains(u"<td>GET / HTTP/1.1</td>"_s));
    QVERIFY(r.body.contains(pageBytesLine(0)));
    QVERIFY(!client.closed);
    QCOMPARE(m_backend->requestCount(), 1u);
}

void TestDemoBackend::headersEchoed()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /a/b?c=d HTTP/1.1\r\nHost: photos.example\r\nX-Real-IP: 10.0.0.7\r\n"
                "X-Forwarded-For: 10.0.0.7\r\nX-Forwarded-For: 192.168.1.2\r\n\r\n");
    client.get("/none");
    QTRY_COMPARE(client.responses.size(), 2);
    const QString first = client.responses.at(0).text();
    QVERIFY2(first.contains(u"<tr><th>Request</th><td>GET /a/b?c=d HTTP/1.1</td></tr>"_s), qPrintable(first));
    QVERIFY(first.contains(u"<tr><th>Host</th><td>photos.example</td></tr>"_s));
    QVERIFY(first.contains(u"<tr><th>X-Real-IP</th><td>10.0.0.7</td></tr>"_s));
    QVERIFY(first.contains(u"<tr><th>X-Forwarded-For</th><td>10.0.0.7, 192.168.1.2</td></tr>"_s));

    const QString second = client.responses.at(1).text();
    QVERIFY(second.contains(u"<tr><th>Host</th><td>test</td></tr>"_s));
    QVERIFY(second.contains(u"<tr><th>X-Real-IP</th><td>-</td></tr>"_s));
    QVERIFY(second.contains(u"<tr><th>X-Forwarded-For</th><td>-</td></tr>"_s));
}

void TestDemoBackend::headersEchoedEscaped()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /<script>&x=\"1\" HTTP/1.1\r\nHost: <b>evil</b>\r\nX-Forwarded-For: a&b\r\n\r\n");
    QTRY_COMPARE(client.responses.size(), 1);
    const QString page = client.responses.at(0).text();
    QVERIFY2(!page.contains(u"<script>"_s), qPrintable(page));
    QVERIFY(page.contains(u"GET /&lt;script&gt;&amp;x=&quot;1&quot; HTTP/1.1"_s));
    QVERIFY(page.contains(u"<td>&lt;b&gt;evil&lt;/b&gt;</td>"_s));
    QVERIFY(page.contains(u"<td>a&amp;b</td>"_s));
}

void TestDemoBackend::keepAlive()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/one");
    QTRY_COMPARE(client.responses.size(), 1);
    client.get("/two");
    QTRY_COMPARE(client.responses.size(), 2);
    QVERIFY(client.responses.at(0).text().contains(u"GET /one HTTP/1.1"_s));
    QVERIFY(client.responses.at(1).text().contains(u"GET /two HTTP/1.1"_s));
    QCOMPARE(client.responses.at(1).header("Connection"), "keep-alive"_ba);
    QVERIFY(!client.closed);
    QCOMPARE(m_backend->connectionCount(), 1);
}

void TestDemoBackend::pipelining()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    // The first answer is delayed: the second must still come after it.
    client.send("GET /sleep/50 HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: b\r\n\r\n", {false, false});
    QTRY_COMPARE(client.responses.size(), 2);
    QVERIFY(client.responses.at(0).text().contains(u"GET /sleep/50 HTTP/1.1"_s));
    QVERIFY(client.responses.at(1).text().contains(u"GET /second HTTP/1.1"_s));
    QVERIFY(!client.parseError());
    QVERIFY(!client.closed);
}

void TestDemoBackend::http10Closes()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET / HTTP/1.0\r\n\r\n");
    QTRY_VERIFY(client.closed);
    QCOMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).status, 200);
    QCOMPARE(client.responses.at(0).header("Connection"), "close"_ba);
    QVERIFY(client.responses.at(0).text().contains(u"GET / HTTP/1.0"_s));
    QVERIFY(client.responses.at(0).text().contains(u"<td>-</td>"_s)); // no Host
    QTRY_COMPARE(m_backend->connectionCount(), 0);
}

void TestDemoBackend::http10KeepAlive()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).header("Connection"), "keep-alive"_ba);
    client.send("GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_COMPARE(client.responses.size(), 2);
    QVERIFY(!client.closed);
}

void TestDemoBackend::connectionCloseHonoured()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    // The request after the one with Connection: close is never answered.
    client.send("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: a\r\n\r\n",
                {false, false});
    QTRY_VERIFY(client.closed);
    QCOMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).header("Connection"), "close"_ba);
    QVERIFY(client.responses.at(0).text().contains(u"GET /last HTTP/1.1"_s));
    QCOMPARE(m_backend->requestCount(), 1u);
}

void TestDemoBackend::headRequest()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /bytes/1000000 HTTP/1.1\r\nHost: a\r\n\r\n"
                "HEAD /chunked/10 HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n",
                {true, true, true, false});
    QTRY_COMPARE(client.responses.size(), 4);
    QCOMPARE(client.responses.at(0).status, 200);
    QVERIFY(client.responses.at(0).header("Content-Length").toLongLong() > 0);
    QCOMPARE(client.responses.at(0).bodySize, 0);
    QCOMPARE(client.responses.at(1).header("Content-Length"), "1000000"_ba);
    QCOMPARE(client.responses.at(1).bodySize, 0);
    QCOMPARE(client.responses.at(2).header("Transfer-Encoding"), "chunked"_ba);
    QCOMPARE(client.responses.at(2).bodySize, 0);
    // The GET after the HEADs is framed right: the HEADs sent no body bytes.
    QVERIFY(client.responses.at(3).text().contains(u"GET /after HTTP/1.1"_s));
    QVERIFY(!client.parseError());
    QTRY_COMPARE(m_backend->requestCount(), 4u);
    QVERIFY(m_backend->recentLog().at(1).contains(u"\"HEAD /bytes/1000000 HTTP/1.1\" 200 0 "_s));
}

void TestDemoBackend::statusCodes_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("200") << 200 << "200 OK from web-client2"_ba;
    QTest::newRow("204") << 204 << QByteArray();
    QTest::newRow("304") << 304 << QByteArray();
    QTest::newRow("404") << 404 << "404 Not Found from web-client2"_ba;
    QTest::newRow("502") << 502 << "502 Bad Gateway from web-client2"_ba;
    QTest::newRow("503") << 503 << "503 Service Unavailable from web-client2"_ba;
    QTest::newRow("599") << 599 << "599 Server Error from web-client2"_ba;
}

void TestDemoBackend::statusCodes()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/status/" + QByteArray::number(status));
    client.get("/next");
    QTRY_COMPARE(client.responses.size(), 2);
    const Response &r = client.responses.at(0);
    QCOMPARE(r.status, status);
    QCOMPARE(r.body, body);
    QCOMPARE(r.header("X-Backend"), "web-client2"_ba);
    if (status == 204 || status == 304)
        QVERIFY(!r.hasHeader("Content-Length"));
    else
        QCOMPARE(r.header("Content-Length").toLongLong(), body.size());
    QCOMPARE(client.responses.at(1).status, 200);
}

void TestDemoBackend::badSpecialPath()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/bytes/lots");
    client.get("/status/99");
    client.get("/status/600");
    client.get("/ok");
    QTRY_COMPARE(client.responses.size(), 4);
    QCOMPARE(client.responses.at(0).status, 400);
    QCOMPARE(client.responses.at(1).status, 400);
    QCOMPARE(client.responses.at(2).status, 400);
    QCOMPARE(client.responses.at(3).status, 200); // a bad path does not close the connection
}

void TestDemoBackend::sleepDelays()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    QElapsedTimer timer;
    timer.start();
    client.get("/sleep/150");
    QTRY_COMPARE(client.responses.size(), 1);
    QVERIFY2(timer.elapsed() >= 145, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(client.responses.at(0).status, 200);
}

void TestDemoBackend::delayKnob()
{
    DemoBackend::Options options;
    options.delayMs = 100;
    QVERIFY(startBackend(options));
    QCOMPARE(m_backend->delayMs(), 100);
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    QElapsedTimer timer;
    timer.start();
    client.get("/sleep/50");
    QTRY_COMPARE(client.responses.size(), 1);
    QVERIFY2(timer.elapsed() >= 145, qPrintable(QString::number(timer.elapsed())));

    m_backend->setDelayMs(0);
    timer.restart();
    client.get("/");
    QTRY_COMPARE(client.responses.size(), 2);
    QVERIFY2(timer.elapsed() < 100, qPrintable(QString::number(timer.elapsed())));
}

void TestDemoBackend::largeBodyWithSlowReader()
{
    QVERIFY(startBackend());
    constexpr qint64 size = 20 * 1000 * 1000 + 7; // not a multiple of the chunk size
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.readSlowly(128 * 1024);
    client.get("/bytes/" + QByteArray::number(size));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), 1, LongTimeoutMs);
    const Response &r = client.responses.at(0);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Content-Length").toLongLong(), size);
    QCOMPARE(r.bodySize, size);
    QVERIFY(r.patternOk);
    QVERIFY2(m_backend->maxQueuedBytes() <= 256 * 1024, qPrintable(QString::number(m_backend->maxQueuedBytes())));
    QTRY_COMPARE(m_backend->requestCount(), 1u);
    QVERIFY(m_backend->recentLog().at(0).contains(u"\" 200 20000007 \""_s));
}

void TestDemoBackend::chunkedResponse()
{
    QVERIFY(startBackend());
    constexpr qint64 size = 3 * 1024 * 1024 + 123;
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/chunked/" + QByteArray::number(size));
    client.get("/chunked/0");
    client.get("/after");
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), 3, LongTimeoutMs);
    const Response &r = client.responses.at(0);
    QCOMPARE(r.status, 200);
    QVERIFY(r.chunked);
    QVERIFY(!r.hasHeader("Content-Length"));
    QCOMPARE(r.bodySize, size);
    QVERIFY(r.patternOk);
    QVERIFY(client.responses.at(1).chunked);
    QCOMPARE(client.responses.at(1).bodySize, 0);
    QVERIFY(client.responses.at(2).text().contains(u"GET /after HTTP/1.1"_s));
    QVERIFY(m_backend->maxQueuedBytes() <= 256 * 1024);
    QVERIFY(!client.closed);
}

void TestDemoBackend::chunkedResponseHttp10()
{
    QVERIFY(startBackend());
    constexpr qint64 size = 1'000'000;
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /chunked/" + QByteArray::number(size) + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(client.closed, LongTimeoutMs);
    QCOMPARE(client.responses.size(), 1);
    const Response &r = client.responses.at(0);
    QVERIFY(!r.chunked);
    QVERIFY(!r.hasHeader("Content-Length"));
    QCOMPARE(r.header("Connection"), "close"_ba);
    QCOMPARE(r.bodySize, size);
    QVERIFY(r.patternOk);
}

// The end of a close-delimited body waits for the slowest reader: closing starts only
// when everything has been handed to the kernel.
void TestDemoBackend::closeDelimitedBodyWithSlowReader()
{
    QVERIFY(startBackend());
    constexpr qint64 size = 2'000'000;
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.readSlowly(16 * 1024);
    client.send("GET /chunked/" + QByteArray::number(size) + " HTTP/1.0\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(client.closed, LongTimeoutMs);
    QCOMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).bodySize, size);
    QVERIFY(client.responses.at(0).patternOk);
}

void TestDemoBackend::contentLengthUpload()
{
    QVERIFY(startBackend());
    constexpr qint64 size = 3 * 1000 * 1000;
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + QByteArray::number(size) + "\r\n\r\n" +
                QByteArray(size, 'u'));
    client.get("/after");
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), 2, LongTimeoutMs);
    QVERIFY2(client.responses.at(0).body.contains(pageBytesLine(size)), client.responses.at(0).body.constData());
    QVERIFY(client.responses.at(1).body.contains(pageBytesLine(0)));
}

void TestDemoBackend::chunkedUpload()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("PUT /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", {});
    const QByteArray block(100'000, 'c');
    qint64 total = 0;
    for (int i = 1; i <= 60; ++i) {
        const QByteArray piece = block.left(i * 1000 + i);
        client.send(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n", {});
        total += piece.size();
    }
    client.send("0\r\nX-Trailer: yes\r\n\r\n", {false});
    QVERIFY(total > 1'800'000);
    client.get("/after");
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), 2, LongTimeoutMs);
    QCOMPARE(client.responses.at(0).status, 200);
    QVERIFY2(client.responses.at(0).body.contains(pageBytesLine(total)), client.responses.at(0).body.constData());
    QVERIFY(client.responses.at(1).body.contains(pageBytesLine(0)));

    // Several megabytes more, in 64 KiB chunks, on the same connection.
    client.send("PUT /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", {});
    const QByteArray chunk(64 * 1024, 'd');
    for (int i = 0; i < 80; ++i)
        client.send("10000\r\n" + chunk + "\r\n", {});
    client.send("0\r\n\r\n", {false});
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), 3, LongTimeoutMs);
    QVERIFY(client.responses.at(2).body.contains(pageBytesLine(80 * 64 * 1024)));
}

void TestDemoBackend::expectContinue()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", {false});
    QTRY_COMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).status, 100);
    client.send("hello", {});
    QTRY_COMPARE(client.responses.size(), 2);
    QCOMPARE(client.responses.at(1).status, 200);
    QVERIFY(client.responses.at(1).body.contains(pageBytesLine(5)));
}

void TestDemoBackend::errorRate_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<QList<int>>("statuses");
    QTest::newRow("0") << 0.0 << QList<int>{200, 200, 200, 200};
    QTest::newRow("0.5") << 0.5 << QList<int>{200, 500, 200, 500, 200, 500};
    QTest::newRow("0.25") << 0.25 << QList<int>{200, 200, 200, 500, 200, 200, 200, 500};
    QTest::newRow("1/3") << 1.0 / 3.0 << QList<int>{200, 200, 500, 200, 200, 500};
    QTest::newRow("1") << 1.0 << QList<int>{500, 500, 500};
}

void TestDemoBackend::errorRate()
{
    QFETCH(double, rate);
    QFETCH(QList<int>, statuses);
    DemoBackend::Options options;
    options.errorRate = rate;
    QVERIFY(startBackend(options));
    QCOMPARE(m_backend->errorRate(), rate);
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    for (qsizetype i = 0; i < statuses.size(); ++i)
        client.get("/r/" + QByteArray::number(i));
    QTRY_COMPARE(client.responses.size(), statuses.size());
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        const Response &r = client.responses.at(i);
        QCOMPARE(r.status, statuses.at(i));
        if (r.status == 500) {
            QCOMPARE(r.body, "500 Internal Server Error from web-client2"_ba);
            QCOMPARE(r.header("X-Backend"), "web-client2"_ba);
            QCOMPARE(r.header("Content-Type"), "text/html; charset=utf-8"_ba);
        }
    }
    QVERIFY(!client.closed); // errors keep the connection
}

void TestDemoBackend::errorRateChangedWhileRunning()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/");
    QTRY_COMPARE(client.responses.size(), 1);
    m_backend->setErrorRate(1.0);
    client.get("/");
    QTRY_COMPARE(client.responses.size(), 2);
    m_backend->setErrorRate(-3.0); // clamped to 0
    QCOMPARE(m_backend->errorRate(), 0.0);
    client.get("/");
    QTRY_COMPARE(client.responses.size(), 3);
    QCOMPARE(client.responses.at(0).status, 200);
    QCOMPARE(client.responses.at(1).status, 500);
    QCOMPARE(client.responses.at(2).status, 200);
}

void TestDemoBackend::crashRefusesAndRestores()
{
    QVERIFY(startBackend());
    const quint16 port = m_backend->port();

    RawClient open;
    QVERIFY(open.connectTo(port));
    open.get("/sleep/10000"); // in flight when the backend crashes
    QTRY_COMPARE(m_backend->connectionCount(), 1);

    m_backend->setCrashed(true);
    QVERIFY(m_backend->isCrashed());
    QVERIFY(!m_backend->isListening());
    QCOMPARE(m_backend->port(), port);
    QTRY_VERIFY(open.closed);
    QCOMPARE(open.responses.size(), 0);
    QCOMPARE(m_backend->connectionCount(), 0);

    QTcpSocket refused;
    QSignalSpy errorSpy(&refused, &QTcpSocket::errorOccurred);
    refused.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE(errorSpy.size(), 1);
    QCOMPARE(refused.error(), QAbstractSocket::ConnectionRefusedError);

    m_backend->setCrashed(false);
    QVERIFY(m_backend->isListening());
    QCOMPARE(m_backend->port(), port);
    RawClient again;
    QVERIFY(again.connectTo(port));
    again.get("/");
    QTRY_COMPARE(again.responses.size(), 1);
    QCOMPARE(again.responses.at(0).status, 200);
    QTRY_COMPARE(m_backend->requestCount(), 1u); // the aborted request left no log line
    QCOMPARE(m_backend->recentLog().size(), 1);

    m_backend->stop();
    QVERIFY(!m_backend->isRunning());
    QCOMPARE(m_backend->port(), 0);
    QTRY_VERIFY(again.closed);
}

void TestDemoBackend::requestLoggedLine()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /hello?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: tst-agent/1.0 \"quoted\"\r\n"
                "Referer: http://ref.example/\r\n\r\n");
    client.send("GET / HTTP/1.0\r\n\r\n");
    QTRY_COMPARE(m_backend->requestCount(), 2u);
    QTRY_VERIFY(client.closed);
    const QStringList lines = m_backend->recentLog();
    QCOMPARE(lines.size(), 2);
    const QString first = lines.at(0);
    const QString second = lines.at(1);
    const qint64 bytes = client.responses.at(0).bodySize;
    const QRegularExpression shape(
        uR"(^127\.0\.0\.1 - - \[\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] )"
        uR"("GET /hello\?x=1 HTTP/1\.1" 200 (\d+) "http://ref\.example/" "tst-agent/1\.0 \\x22quoted\\x22" )"
        uR"(name=web-client2$)"_s);
    const QRegularExpressionMatch match = shape.match(first);
    QVERIFY2(match.hasMatch(), qPrintable(first));
    QCOMPARE(match.captured(2).toLongLong(), bytes);
    QVERIFY2(second.endsWith(u"\"GET / HTTP/1.0\" 200 "_s + QString::number(client.responses.at(1).bodySize) +
                             u" \"-\" \"-\" name=web-client2"_s),
             qPrintable(second));
    QCOMPARE(m_backend->recentLog(), (QStringList{first, second}));
    QCOMPARE(m_backend->requestCount(), 2u);
}

void TestDemoBackend::logByCursor()
{
    QVERIFY(startBackend());
    RawClient first;
    QVERIFY(first.connectTo(m_backend->port()));
    first.send("GET /a?x=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/404 HTTP/1.1\r\nHost: a\r\n\r\n", {false, false});
    QTRY_COMPARE(first.responses.size(), 2);
    RawClient second;
    QVERIFY(second.connectTo(m_backend->port()));
    second.get("/b");
    QTRY_COMPARE(second.responses.size(), 1);
    QTRY_COMPARE(m_backend->requestCount(), 3u);

    QList<lbscope::DemoLogEntry> entries;
    quint64 cursor = m_backend->logAfter(0, &entries);
    QCOMPARE(cursor, 3u);
    QCOMPARE(entries.size(), 3);
    const QList<quint16> ports{first.socket.localPort(), first.socket.localPort(), second.socket.localPort()};
    const QList<quint32> ordinals{1, 2, 1};
    const QList<int> statuses{200, 404, 200};
    const QList<QByteArray> paths{"/a", "/status/404", "/b"};
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const lbscope::DemoLogEntry &entry = entries.at(i);
        QCOMPARE(entry.sequence, quint64(i + 1));
        QCOMPARE(entry.remoteAddress, "127.0.0.1"_ba);
        QCOMPARE(entry.remotePort, ports.at(i));
        QCOMPARE(entry.connectionRequest, ordinals.at(i));
        QCOMPARE(entry.status, statuses.at(i));
        QCOMPARE(entry.path, paths.at(i));
        QVERIFY(entry.timeMs > 0);
        QVERIFY2(entry.line.endsWith(u" name=web-client2"_s), qPrintable(entry.line));
    }
    QVERIFY(entries.at(0).line.contains(u"\"GET /a?x=1 HTTP/1.1\" 200 "_s));
    QCOMPARE(m_backend->recentLog(), (QStringList{entries.at(0).line, entries.at(1).line, entries.at(2).line}));

    // Nothing new: nothing copied, the cursor stays.
    entries.clear();
    QCOMPARE(m_backend->logAfter(cursor, &entries), cursor);
    QVERIFY(entries.isEmpty());

    second.get("/c");
    second.get("/d");
    QTRY_COMPARE(m_backend->requestCount(), 5u);
    cursor = m_backend->logAfter(cursor, &entries, 1); // at most one
    QCOMPARE(cursor, 4u);
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).path, "/c"_ba);
    QCOMPARE(entries.at(0).connectionRequest, 2u);
    cursor = m_backend->logAfter(cursor, &entries);
    QCOMPARE(cursor, 5u);
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(1).path, "/d"_ba);
}

// A crash resets open connections as the kernel does for a process that died: a client
// waiting for its answer reads ECONNRESET, not an orderly end.
void TestDemoBackend::crashResetsOpenConnections()
{
    QVERIFY(startBackend());
    lbscope::test::ResetProbe probe;
    QVERIFY(probe.connectTo(m_backend->port()));
    QVERIFY(probe.send("GET /sleep/10000 HTTP/1.1\r\nHost: a\r\n\r\n"));
    QTRY_COMPARE(m_backend->connectionCount(), 1);
    m_backend->setCrashed(true);
    QVERIFY(probe.waitForReset(5000));
    QCOMPARE(m_backend->requestCount(), 0u);
}

void TestDemoBackend::logRingIsBounded()
{
    QVERIFY(startBackend());
    constexpr int count = DemoBackend::LogCapacity + 25;
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    QByteArray all;
    QList<bool> heads;
    for (int i = 0; i < count; ++i) {
        all += "GET /r/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
        heads.append(false);
    }
    client.send(all, heads); // one write: deep pipelining
    QTRY_COMPARE_WITH_TIMEOUT(client.responses.size(), count, LongTimeoutMs);
    for (int i = 0; i < count; i += 97)
        QVERIFY(client.responses.at(i).text().contains(u"GET /r/"_s + QString::number(i) + u" HTTP/1.1"_s));
    QCOMPARE(m_backend->requestCount(), quint64(count));
    const QStringList log = m_backend->recentLog();
    QCOMPARE(log.size(), DemoBackend::LogCapacity);
    QVERIFY2(log.constFirst().contains(u"\"GET /r/25 HTTP/1.1\""_s), qPrintable(log.constFirst()));
    QVERIFY(log.constLast().contains(u"\"GET /r/"_s + QString::number(count - 1) + u" HTTP/1.1\""_s));
    // Reading by cursor from the start skips what the ring dropped.
    QList<lbscope::DemoLogEntry> entries;
    QCOMPARE(m_backend->logAfter(0, &entries), quint64(count));
    QCOMPARE(entries.size(), DemoBackend::LogCapacity);
    QCOMPARE(entries.constFirst().sequence, 26u);
    QCOMPARE(entries.constFirst().path, "/r/25"_ba);
    QCOMPARE(entries.constLast().connectionRequest, quint32(count));
}

void TestDemoBackend::malformedRequest()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n");
    QTRY_VERIFY(client.closed);
    QCOMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).status, 400);
    QCOMPARE(client.responses.at(0).header("Connection"), "close"_ba);
    QCOMPARE(client.responses.at(0).body, "400 Bad Request from web-client2"_ba);
    QTRY_COMPARE(m_backend->requestCount(), 1u);
    // As nginx logs it: the request line was whole, the header after it was not.
    const QString line = m_backend->recentLog().at(0);
    QVERIFY2(line.contains(u"\"GET / HTTP/1.1\" 400 "_s), qPrintable(line));

    RawClient garbage;
    QVERIFY(garbage.connectTo(m_backend->port()));
    garbage.send("\x16\x03\x01\x02\x00 not http\r\n\r\n"_ba);
    QTRY_VERIFY(garbage.closed);
    QCOMPARE(garbage.responses.size(), 1);
    QCOMPARE(garbage.responses.at(0).status, 400);
    QTRY_COMPARE(m_backend->connectionCount(), 0);
}

void TestDemoBackend::malformedAfterGoodRequest()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.send("GET /good HTTP/1.1\r\nHost: a\r\n\r\nPOST /bad HTTP/1.1\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\nabc",
                {false, false});
    QTRY_VERIFY(client.closed);
    QCOMPARE(client.responses.size(), 2);
    QCOMPARE(client.responses.at(0).status, 200);
    QVERIFY(client.responses.at(0).text().contains(u"GET /good HTTP/1.1"_s));
    QCOMPARE(client.responses.at(1).status, 400);
}

void TestDemoBackend::clientDisconnectMidResponse()
{
    QVERIFY(startBackend());
    {
        RawClient client;
        QVERIFY(client.connectTo(m_backend->port()));
        client.readSlowly(16 * 1024);
        client.get("/bytes/100000000");
        QTRY_VERIFY(m_backend->maxQueuedBytes() > 0); // the answer has started
        QVERIFY(client.responses.isEmpty());
        client.socket.abort();
    }
    QTRY_COMPARE(m_backend->requestCount(), 1u);
    QTRY_COMPARE(m_backend->connectionCount(), 0);
    const QString line = m_backend->recentLog().at(0);
    QVERIFY2(line.contains(u"\"GET /bytes/100000000 HTTP/1.1\" 200 "_s), qPrintable(line));
    QVERIFY2(!line.contains(u" 200 100000000 "_s), qPrintable(line)); // a partial count
}

void TestDemoBackend::clientDisconnectDuringDelay()
{
    QVERIFY(startBackend());
    {
        RawClient client;
        QVERIFY(client.connectTo(m_backend->port()));
        client.get("/sleep/10000");
        QVERIFY(client.socket.flush());
        QCOMPARE(client.socket.bytesToWrite(), 0);
        QTRY_COMPARE(m_backend->connectionCount(), 1);
    } // closes while the answer waits
    QTRY_COMPARE(m_backend->requestCount(), 1u);
    const QString line = m_backend->recentLog().at(0);
    QVERIFY2(line.contains(u"\"GET /sleep/10000 HTTP/1.1\" 499 0 "_s), qPrintable(line));
    QTRY_COMPARE(m_backend->connectionCount(), 0);
}

// `printf 'GET / HTTP/1.0\r\n\r\n' | nc -N host port` shuts down its sending side after the
// request; an answer that is ready at once still arrives.
void TestDemoBackend::halfCloseAfterRequest()
{
    QVERIFY(startBackend());
    RawClient client;
    QVERIFY(client.connectTo(m_backend->port()));
    client.get("/half");
    QVERIFY(client.socket.flush());
    QCOMPARE(client.socket.bytesToWrite(), 0);
    QCOMPARE(::shutdown(static_cast<int>(client.socket.socketDescriptor()), SHUT_WR), 0);
    QTRY_VERIFY(client.closed);
    QCOMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.at(0).status, 200);
    QVERIFY(client.responses.at(0).text().contains(u"GET /half HTTP/1.1"_s));
}

QTEST_GUILESS_MAIN(TestDemoBackend)

#include "tst_demobackend.moc"
