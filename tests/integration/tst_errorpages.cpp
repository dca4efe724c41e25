// error_page and proxy_intercept_errors as nginx 1.22 runs them, compared with the real
// nginx: one file, the same requests to both, and the same status, Location, body and what
// the fallback backend received (an internal redirect goes there as GET, without the body).

#include "demo/demobackend.h"
#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "recordingbackend.h"

#include <QTcpServer>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

struct Case
{
    QString server; // lines at server level
    QString app;    // in location /app/ (proxied to the fallback backend too)
    QString dead;   // in location /dead/ (a peer that refuses)
    QString failing; // in location /failing/ (a backend answering 500)
    QByteArray request;
};

struct Outcome
{
    int status = 0;
    QByteArray location;
    QByteArray body;
    QByteArrayList fallbackRequestLines; // what the fallback backend got, first line and framing
    bool closed = false;

    QByteArray describe() const
    {
        return QByteArray::number(status) + " Location[" + location + "] body[" + body.left(80).trimmed() +
               "] fallback" + fallbackRequestLines.join(" | ") + (closed ? " closed" : " open");
    }
};

QByteArray requestSummary(const QByteArray &raw)
{
    const qsizetype end = raw.indexOf("\r\n");
    QByteArray summary = raw.left(end);
    for (const QByteArray &line : raw.left(raw.indexOf("\r\n\r\n")).split('\n')) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("content-length:") || lower.startsWith("transfer-encoding:"))
            summary += " +" + line.trimmed();
    }
    return summary;
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestErrorPages : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
        DemoBackend::Options options;
        options.name = u"failing"_s;
        options.errorRate = 1.0;
        QString error;
        QVERIFY2(m_failing.start(options, &error), qPrintable(error));
        QVERIFY(m_refusing.listen(QHostAddress::LocalHost, 0));
        m_deadPort = m_refusing.serverPort();
        m_refusing.close(); // nothing listens there now: connections are refused
    }

    void sameAsNginx_data()
    {
        QTest::addColumn<Case>("testCase");
        const QByteArray get = "GET /nowhere HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n";
        QTest::newRow("404 to a URI keeps 404") << Case{u"error_page 404 /fallback;"_s, {}, {}, {}, get};
        QTest::newRow("404 = takes the fallback's status") << Case{u"error_page 404 = /fallback;"_s, {}, {}, {}, get};
        QTest::newRow("404 =410 with arguments")
            << Case{u"error_page 404 =410 /fallback?from=404;"_s, {}, {}, {}, get};
        QTest::newRow("several codes") << Case{u"error_page 403 404 500 /fallback;"_s, {}, {}, {}, get};
        QTest::newRow("redirect to a URL") << Case{u"error_page 404 http://example.com/nf;"_s, {}, {}, {}, get};
        QTest::newRow("redirect =301") << Case{u"error_page 404 =301 https://example.com/nf?x=1;"_s, {}, {}, {}, get};
        QTest::newRow("redirect with a variable")
            << Case{u"error_page 404 http://$host/missing;"_s, {}, {}, {}, get};
        QTest::newRow("HEAD stays HEAD")
            << Case{u"error_page 404 /fallback;"_s, {}, {}, {},
                    "HEAD /nowhere HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("POST becomes GET without its body")
            << Case{u"error_page 404 /fallback;"_s, {}, {}, {},
                    "POST /nowhere HTTP/1.1\r\nHost: pages.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"};
        QTest::newRow("PROPFIND to a refusing peer's page becomes GET")
            << Case{{},
                    {},
                    u"error_page 502 /fallback;"_s,
                    {},
                    "PROPFIND /dead/x HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("a refusing peer's 502") << Case{{}, {}, u"error_page 502 /fallback;"_s, {},
                                                      "GET /dead/x HTTP/1.1\r\nHost: pages.test\r\n\r\n"};
        QTest::newRow("502 = the fallback's 200") << Case{{}, {}, u"error_page 502 = /fallback;"_s, {},
                                                         "GET /dead/x HTTP/1.1\r\nHost: pages.test\r\n\r\n"};
        QTest::newRow("the location's pages replace the server's")
            << Case{u"error_page 502 =503 /fallback;"_s, {}, u"error_page 502 =500 /fallback;"_s, {},
                    "GET /dead/x HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("an upstream 500 passes without proxy_intercept_errors")
            << Case{{}, {}, {}, u"error_page 500 /fallback;"_s,
                    "GET /failing/x HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("proxy_intercept_errors replaces it")
            << Case{{}, {}, {}, u"proxy_intercept_errors on;\n            error_page 500 /fallback;"_s,
                    "GET /failing/x HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("intercepted, with =200")
            << Case{{}, {}, {}, u"proxy_intercept_errors on;\n            error_page 500 =200 /fallback;"_s,
                    "GET /failing/x HTTP/1.1\r\nHost: pages.test\r\nConnection: close\r\n\r\n"};
        QTest::newRow("an error page that is missing too: the built-in page")
            << Case{u"error_page 404 /nothere;"_s, {}, {}, {}, get};
        QTest::newRow("an error page whose peer refuses: its 502")
            << Case{u"error_page 404 /dead/page;"_s, {}, {}, {}, get};
        QTest::newRow("413 to a page, and the connection closes")
            << Case{{}, u"client_max_body_size 10;\n            error_page 413 /fallback;"_s, {}, {},
                    "POST /app/up HTTP/1.1\r\nHost: pages.test\r\nContent-Length: 64\r\n\r\n" + QByteArray(64, 'x')};
    }

    void sameAsNginx()
    {
        QFETCH(Case, testCase);
        NginxAndLbscope proxies(m_nginx);
        Outcome nginx, lbscope;
        QString error;
        QVERIFY2(run(proxies, true, testCase, &nginx, &error), qPrintable(error));
        QVERIFY2(run(proxies, false, testCase, &lbscope, &error), qPrintable(error));
        const QByteArray both = "\nnginx:   " + nginx.describe() + "\nlbscope: " + lbscope.describe();
        QVERIFY2(nginx.status != 0, both.constData());
        QVERIFY2(lbscope.status == nginx.status, both.constData());
        QVERIFY2(lbscope.location == nginx.location, both.constData());
        QVERIFY2(lbscope.fallbackRequestLines == nginx.fallbackRequestLines, both.constData());
        QVERIFY2(lbscope.closed == nginx.closed, both.constData());
        // nginx's own pages name nginx; what matters is which page came: the fallback's or a built-in one.
        QVERIFY2(lbscope.body.startsWith("fallback") == nginx.body.startsWith("fallback"), both.constData());
    }

private:
    bool run(NginxAndLbscope &proxies, bool nginx, const Case &testCase, Outcome *outcome, QString *error)
    {
        RecordingBackend fallback("fallback");
        if (!fallback.listen()) {
            *error = u"the fallback backend cannot listen"_s;
            return false;
        }
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    server {
        listen 127.0.0.1:%1;
        %2
        location /app/ {
            proxy_pass http://127.0.0.1:%3;
            %4
        }
        location /dead/ {
            proxy_pass http://127.0.0.1:%5;
            %6
        }
        location /failing/ {
            proxy_pass http://127.0.0.1:%7;
            %8
        }
        location /fallback {
            proxy_pass http://127.0.0.1:%3;
        }
    }
)"_s
                .arg(port)
                .arg(testCase.server)
                .arg(fallback.port())
                .arg(testCase.app)
                .arg(m_deadPort)
                .arg(testCase.dead)
                .arg(m_failing.port())
                .arg(testCase.failing));
        };
        const auto requests = [&](quint16 port) {
            HttpTestClient client;
            if (!client.connectTo(port))
                return;
            client.send(testCase.request);
            const bool head = testCase.request.startsWith("HEAD");
            if (const std::optional<HttpResponse> response = client.readResponse(head, 10'000)) {
                outcome->status = response->status;
                outcome->location = response->header("Location");
                outcome->body = response->body;
            }
            outcome->closed = client.waitForClose(testCase.request.contains("Connection: close") ? 10'000 : 300);
            for (const QByteArray &raw : fallback.received())
                outcome->fallbackRequestLines.append(requestSummary(raw));
        };
        return proxies.run(nginx, config, requests, error);
    }

    QString m_nginx;
    DemoBackend m_failing;
    QTcpServer m_refusing;
    quint16 m_deadPort = 0;
};

QTEST_GUILESS_MAIN(TestErrorPages)
#include "tst_errorpages.moc"
