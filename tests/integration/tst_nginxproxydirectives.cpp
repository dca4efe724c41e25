// The proxy module's everyday directives, compared with the real nginx: proxy_pass with a URI
// part, with variables and to an address; proxy_redirect (default, off, prefixes, regexes,
// Refresh); proxy_hide_header and proxy_pass_header over nginx's hidden defaults;
// proxy_pass_request_headers, proxy_pass_request_body, proxy_set_body, proxy_method; and
// keepalive_time on both sides with the upstream's keepalive_requests. The same file and the
// same raw requests go to nginx and to LB Scope, each in front of its own pair of recording
// backends; every byte a backend received and what the client got must be the same.

#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "recordingbackend.h"

#include <QElapsedTimer>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 10'000;

struct Case
{
    Case(QString server = {}, QByteArray request = {}, int status = 200, QByteArray headers = {},
         bool answerAfterHead = false)
        : server(std::move(server))
        , request(std::move(request))
        , status(status)
        , headers(std::move(headers))
        , answerAfterHead(answerAfterHead)
    {
    }

    QString server;     // inside `server {}` after listen; {A} and {B} are the backends' addresses
    QByteArray request; // sent as is, on one connection
    int status;         // backend A's answer
    QByteArray headers; // and its header lines
    bool answerAfterHead;
};

// What one proxy did with a case.
struct Outcome
{
    int status = 0;
    QByteArrayList headers; // "name: value" of the fields compared, with the proxy's port as PORT
    QByteArray body;
    QByteArrayList receivedA;
    QByteArrayList receivedB;

    QString describe() const
    {
        QString text = u"status %1\n"_s.arg(status);
        for (const QByteArray &header : headers)
            text += u"  "_s + QString::fromLatin1(header) + u'\n';
        text += u"body: "_s + QString::fromLatin1(body);
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

const QByteArray backendDate = "Mon, 01 Jan 2001 00:00:00 GMT";

// The fields these directives touch. Server and Date are compared as "the backend's" or
// "the proxy's own": nginx and LB Scope name themselves differently and the clock moves.
QByteArrayList comparedHeaders(const HttpResponse &response, quint16 port)
{
    static const QByteArrayList names = {"location",     "refresh",           "x-pad",
                                         "x-accel-foo",  "x-accel-charset",   "x-secret",
                                         "content-type", "x-accel-buffering", "x-added"};
    QByteArrayList out;
    for (const QByteArray &name : names) {
        for (const auto &[key, value] : response.headers) {
            if (equalsIgnoreCase(key, name))
                out.append(name + ": " +
                           QByteArray(value).replace(QByteArray(":" + QByteArray::number(port)), ":PORT"));
        }
    }
    out.append("server from backend: " + QByteArray(response.header("server") == "backend" ? "yes" : "no"));
    out.append("date from backend: " + QByteArray(response.header("date") == backendDate ? "yes" : "no"));
    out.append("date present: " + QByteArray(response.hasHeader("date") ? "yes" : "no"));
    return out;
}

QByteArray configText(NginxAndLbscope &proxies, const QString &server, const RecordingBackend &a,
                      const RecordingBackend &b, quint16 port)
{
    QString body = server;
    body.replace(u"{A}"_s, QString::fromLatin1(a.address())).replace(u"{B}"_s, QString::fromLatin1(b.address()));
    return uR"(%1events {}
http {
    access_log off;
%2    upstream pool {
        server %3;
    }
    upstream other {
        server %4;
    }
    server {
        listen 127.0.0.1:%5;
        location /static-a/ {
            proxy_pass http://%3;
        }
%6
    }
}
)"_s.arg(QString::fromUtf8(proxies.mainDirectives()), QString::fromUtf8(proxies.httpDirectives()),
         QString::fromLatin1(a.address()), QString::fromLatin1(b.address()), QString::number(port), body)
        .toUtf8();
}

bool runCase(NginxAndLbscope &proxies, bool nginx, const Case &testCase, Outcome *outcome, QString *error)
{
    RecordingBackend a("A"), b("B");
    if (!a.listen() || !b.listen()) {
        *error = u"backends cannot listen"_s;
        return false;
    }
    const QByteArray fixed = "Server: backend\r\nDate: " + backendDate +
                             "\r\nX-Pad: pad\r\nX-Accel-Foo: foo\r\nX-Accel-Charset: utf-8\r\nX-Secret: s\r\n";
    // {A} and {B} stand for the backends' addresses, which differ from run to run.
    const auto withAddresses = [&](QByteArray text) {
        return text.replace("{A}", a.address()).replace("{B}", b.address());
    };
    const auto withNames = [&](QByteArray text) {
        return text.replace(a.address(), "{A}").replace(b.address(), "{B}");
    };
    a.setResponse(testCase.status, fixed + withAddresses(testCase.headers));
    b.setResponse(200, fixed);
    a.setAnswerAfterHead(testCase.answerAfterHead);
    const auto config = [&](quint16 port) { return configText(proxies, testCase.server, a, b, port); };
    const auto run = [&](quint16 port) {
        HttpTestClient client;
        if (!client.connectTo(port))
            return;
        client.send(withAddresses(testCase.request));
        const std::optional<HttpResponse> response = client.readResponse(testCase.request.startsWith("HEAD"), WaitMs);
        if (response) {
            outcome->status = response->status;
            for (const QByteArray &header : comparedHeaders(*response, port))
                outcome->headers.append(withNames(header));
            // An error page names the server that wrote it: only the backends' bodies compare.
            if (response->status < 500)
                outcome->body = response->body;
        }
        client.waitForClose(WaitMs);
        for (const QByteArray &bytes : a.received())
            outcome->receivedA.append(withNames(bytes));
        for (const QByteArray &bytes : b.received())
            outcome->receivedB.append(withNames(bytes));
    };
    return proxies.run(nginx, config, run, error);
}

QByteArray get(const QByteArray &target, const QByteArray &headers = "Host: h.example:99\r\n")
{
    return "GET " + target + " HTTP/1.0\r\n" + headers + "\r\n";
}

// One connection, requests until the proxy says Connection: close (bounded in count and time).
struct KeepaliveRun
{
    int requests = 0;
    bool closedByProxy = false;
};

KeepaliveRun requestUntilClose(quint16 port, const QByteArray &path, int maxRequests)
{
    KeepaliveRun result;
    HttpTestClient client;
    if (!client.connectTo(port))
        return result;
    QElapsedTimer clock;
    clock.start();
    while (result.requests < maxRequests && clock.elapsed() < 20'000) {
        client.send("GET " + path + " HTTP/1.1\r\nHost: h.example\r\n\r\n");
        const std::optional<HttpResponse> response = client.readResponse(false, WaitMs);
        if (!response)
            break;
        ++result.requests;
        if (equalsIgnoreCase(response->header("connection"), "close")) {
            result.closedByProxy = client.waitForClose(WaitMs);
            break;
        }
    }
    return result;
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestNginxProxyDirectives : public QObject
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
        const QString photos = u"location /photos/ { proxy_pass http://pool/; }\n"_s;
        const QString raw = u"location /raw/ { proxy_pass http://pool; }\n"_s;
        const QString api = u"location /api/ { proxy_pass http://{A}/v2/; }\n"_s;
        const QString variable = u"location /var/ { proxy_pass http://$http_x_pool; }\n"_s;
        const QByteArray plain = "Host: h.example:99\r\n";

        // proxy_pass and the URI upstream
        QTest::newRow("URI part replaces the location's prefix") << Case{photos, get("/photos/a/b?x=1")};
        QTest::newRow("the normalized URI, escaped again") << Case{photos, get("/photos/a%20b/../c%3F?x")};
        QTest::newRow("merged slashes and dots, no escape without %") << Case{photos, get("/photos//a/./b/c/..")};
        QTest::newRow("escaped bytes that nginx escapes again")
            << Case{photos, get("/photos/%25%22%3C%7E%21%7B%C3%A9%2Fx")};
        QTest::newRow("an empty query leaves no ?") << Case{photos, get("/photos/a?")};
        QTest::newRow("address with a URI part") << Case{api, get("/api/%7Efoo/b?k=%41")};
        QTest::newRow("prefix without a slash") << Case{u"location /x { proxy_pass http://pool/y; }\n"_s, get("/xabc")};
        QTest::newRow("no URI part: the request's URI as sent") << Case{raw, get("/raw/a/../b%41?x")};
        QTest::newRow("address without an upstream block")
            << Case{u"location /port/ { proxy_pass http://{B}; }\n"_s, get("/port/a")};

        // proxy_pass with variables
        QTest::newRow("variables: an upstream's name")
            << Case{variable, get("/var/a%20b?x=1", plain + "X-Pool: other\r\n")};
        QTest::newRow("variables: the name in another case")
            << Case{variable, get("/var/a", plain + "X-Pool: OTHER\r\n")};
        QTest::newRow("variables: an address a static proxy_pass names")
            << Case{variable, get("/var/a", "X-Pool: {A}\r\n")};
        QTest::newRow("variables: an unknown name is 502")
            << Case{variable, get("/var/a", plain + "X-Pool: nothere\r\n")};
        QTest::newRow("variables: a name with a port is not an upstream")
            << Case{variable, get("/var/a", plain + "X-Pool: pool:80\r\n")};
        QTest::newRow("variables: an empty host is 500") << Case{variable, get("/var/a")};
        QTest::newRow("variables: the URI as evaluated")
            << Case{variable, get("/var/a", plain + "X-Pool: pool/zz?q\r\n")};
        QTest::newRow("variables: $request_uri passed as sent")
            << Case{u"location /varq/ { proxy_pass http://pool$request_uri; }\n"_s, get("/varq/a%20b/../c?a=5")};
        QTest::newRow("variables: no default proxy_redirect")
            << Case{variable, get("/var/a", plain + "X-Pool: pool\r\n"), 302, "Location: http://pool/x\r\n"};

        // proxy_redirect
        QTest::newRow("default: the URI part becomes the prefix, absolute for the client")
            << Case{photos, get("/photos/a"), 302, "Location: http://pool/b/c\r\n"};
        QTest::newRow("default: without a Host, the address the client reached")
            << Case{photos, "GET /photos/a HTTP/1.0\r\n\r\n", 302, "Location: http://pool/b/c\r\n"};
        QTest::newRow("default without a URI part") << Case{raw, get("/raw/a"), 301, "Location: http://pool/raw/x\r\n"};
        QTest::newRow("default for an address") << Case{api, get("/api/a"), 302, "Location: http://{A}/v2/x\r\n"};
        QTest::newRow("default for an address, other path")
            << Case{api, get("/api/a"), 302, "Location: http://{A}/v3/x\r\n"};
        QTest::newRow("default compares with case")
            << Case{photos, get("/photos/a"), 302, "Location: http://POOL/b\r\n"};
        QTest::newRow("a relative Location is left alone") << Case{photos, get("/photos/a"), 302, "Location: /rel\r\n"};
        QTest::newRow("Refresh rewritten after url=")
            << Case{photos, get("/photos/a"), 200, "Refresh: 5; url=http://pool/b\r\n"};
        QTest::newRow("Refresh with URL= in capitals")
            << Case{photos, get("/photos/a"), 200, "Refresh: 5; URL=http://pool/b\r\n"};
        QTest::newRow("Refresh without a URL") << Case{photos, get("/photos/a"), 200, "Refresh: 5\r\n"};
        QTest::newRow("off") << Case{u"location /photos/ { proxy_pass http://pool/; proxy_redirect off; }\n"_s,
                                     get("/photos/a"), 302, "Location: http://pool/x\r\n"};
        QTest::newRow("off in the server is inherited")
            << Case{u"proxy_redirect off;\n"_s + photos, get("/photos/a"), 302, "Location: http://pool/x\r\n"};
        const QString explicitRules =
            u"location /expl/ { proxy_pass http://pool/; "
            u"proxy_redirect http://backend.example/ /expl/; proxy_redirect http://pool/ /z/; }\n"_s;
        QTest::newRow("explicit rules, the first")
            << Case{explicitRules, get("/expl/a"), 302, "Location: http://backend.example/x\r\n"};
        QTest::newRow("explicit rules, the second")
            << Case{explicitRules, get("/expl/a"), 302, "Location: http://pool/x\r\n"};
        QTest::newRow("variables in both parts") << Case{
            u"location /vr/ { proxy_pass http://pool/; proxy_redirect http://$host/ http://other.example$uri/; }\n"_s,
            get("/vr/a"), 302, "Location: http://h.example/x\r\n"};
        const QString regexRules = u"location /re/ { proxy_pass http://pool/; "
                                   u"proxy_redirect ~^http://([a-z]+)\\.example/(.*)$ /re/$1/$2; "
                                   u"proxy_redirect ~*^HTTP://UP/ /ci/; }\n"_s;
        QTest::newRow("regex with captures")
            << Case{regexRules, get("/re/a"), 302, "Location: http://abc.example/x/y\r\n"};
        QTest::newRow("caseless regex replaces the whole URL")
            << Case{regexRules, get("/re/a"), 302, "Location: http://up/x/y\r\n"};
        QTest::newRow("server rules replace the default") << Case{u"proxy_redirect http://other/ /o/;\n"_s + photos,
                                                                  get("/photos/a"), 302, "Location: http://pool/x\r\n"};
        QTest::newRow("server rules apply in the location") << Case{
            u"proxy_redirect http://other/ /o/;\n"_s + photos, get("/photos/a"), 302, "Location: http://other/x\r\n"};

        // proxy_hide_header and proxy_pass_header
        QTest::newRow("nginx's hidden defaults") << Case{raw, get("/raw/a"), 200, "Content-Type: text/plain\r\n"};
        QTest::newRow("pass_header lets the defaults through")
            << Case{u"proxy_hide_header X-Secret;\nlocation /raw/ { proxy_pass http://pool; proxy_pass_header Server; "
                    u"proxy_pass_header Date; proxy_pass_header X-Pad; proxy_pass_header X-Accel-Charset; "
                    u"proxy_pass_header X-Secret; }\n"_s,
                    get("/raw/a")};
        QTest::newRow("hide_header, inherited") << Case{u"proxy_hide_header X-Secret;\n"_s + raw, get("/raw/a")};
        QTest::newRow("hide_header in the location replaces the server's list")
            << Case{u"proxy_hide_header X-Secret;\nlocation /raw/ { proxy_pass http://pool; "
                    u"proxy_hide_header Location; proxy_hide_header content-type; }\n"_s,
                    get("/raw/a"), 302, "Location: http://pool/raw/x\r\nContent-Type: text/plain\r\n"};

        // add_header at server level, where no location's settings apply
        QTest::newRow("a server's add_header on the server's return")
            << Case{u"add_header X-Added server always;\nreturn 200 s;\n"_s, get("/x")};
        QTest::newRow("a server's add_header on a request no location takes")
            << Case{u"add_header X-Added server always;\n"_s + photos, get("/nowhere")};

        // What goes upstream
        const QByteArray post = "POST /raw/a HTTP/1.0\r\nX-Client: c\r\nContent-Length: 3\r\n";
        QTest::newRow("proxy_pass_request_headers off")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_pass_request_headers off; "
                    u"proxy_set_header X-Set yes; }\n"_s,
                    post + "Content-Type: text/plain\r\n\r\nabc"};
        QTest::newRow("proxy_pass_request_body off keeps the Content-Length")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_pass_request_body off; }\n"_s,
                    post + "\r\nabc",
                    200,
                    {},
                    true};
        QTest::newRow("proxy_pass_request_body off with a chunked body")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_pass_request_body off; }\n"_s,
                    "POST /raw/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    "3\r\nabc\r\n0\r\n\r\n",
                    200,
                    {},
                    true};
        QTest::newRow("proxy_pass_request_body off, Content-Length cleared as documented")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_pass_request_body off; "
                    u"proxy_set_header Content-Length \"\"; }\n"_s,
                    post + "\r\nabc"};
        const QString setBody =
            u"location /raw/ { proxy_pass http://pool; proxy_set_body \"uri=$uri&m=$request_method\"; }\n"_s;
        QTest::newRow("proxy_set_body replaces a body") << Case{setBody, post + "\r\nabc"};
        QTest::newRow("proxy_set_body gives a GET a body") << Case{setBody, get("/raw/a")};
        QTest::newRow("proxy_set_body with proxy_pass_request_body off")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_set_body b; proxy_pass_request_body off; }\n"_s,
                    post + "\r\nabc"};
        QTest::newRow("proxy_method") << Case{u"location /raw/ { proxy_pass http://pool; proxy_method PUT; }\n"_s,
                                              get("/raw/a")};
        QTest::newRow("proxy_method for a HEAD request") << Case{
            u"location /raw/ { proxy_pass http://pool; proxy_method POST; }\n"_s, "HEAD /raw/a HTTP/1.0\r\n\r\n"};
        QTest::newRow("proxy_method from a variable")
            << Case{u"location /raw/ { proxy_pass http://pool; proxy_method $http_x_m; }\n"_s,
                    get("/raw/a", "X-M: DELETE\r\n")};
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
        QVERIFY2(nginx.status != 0, qPrintable(both));
        QVERIFY2(lbscope.status == nginx.status, qPrintable(both));
        QVERIFY2(lbscope.headers == nginx.headers, qPrintable(both));
        // nginx's built-in pages name nginx: compare only bodies LB Scope does not write itself.
        if (!nginx.body.contains("<center>nginx"))
            QVERIFY2(lbscope.body == nginx.body, qPrintable(both));
        QVERIFY2(lbscope.receivedA == nginx.receivedA, qPrintable(both));
        QVERIFY2(lbscope.receivedB == nginx.receivedB, qPrintable(both));
    }

    // keepalive_time on the client side: a connection older than it gets Connection: close on
    // its next response, in nginx and in LB Scope; without it, the connection stays.
    void clientKeepaliveTime()
    {
        for (const bool nginx : {true, false}) {
            const char *which = nginx ? "nginx" : "lbscope";
            NginxAndLbscope proxies(m_nginx);
            RecordingBackend a("A"), b("B");
            QVERIFY(a.listen() && b.listen());
            KeepaliveRun limited;
            KeepaliveRun unlimited;
            const auto config = [&](quint16 port) {
                return configText(proxies,
                                  u"location /k { proxy_pass http://pool; keepalive_time 300ms; }\n"
                                  u"location /u { proxy_pass http://pool; }\n"_s,
                                  a, b, port);
            };
            const auto run = [&](quint16 port) {
                limited = requestUntilClose(port, "/k", 100'000);
                unlimited = requestUntilClose(port, "/u", 50);
            };
            QString error;
            QVERIFY2(proxies.run(nginx, config, run, &error), qPrintable(error));
            QVERIFY2(limited.closedByProxy, which);
            QVERIFY2(limited.requests > 1, which);
            QVERIFY2(!unlimited.closedByProxy, which);
            QCOMPARE(unlimited.requests, 50);
        }
    }

    // The client side's keepalive_requests and keepalive_timeout 0 are the location's: how many
    // requests a connection carries before nginx answers Connection: close.
    void clientKeepaliveLimits_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QByteArray>("path");
        const QString locations = u"location /two/ { keepalive_requests 2; return 200 two; }\n"
                                  u"location /none/ { keepalive_timeout 0; return 200 none; }\n"
                                  u"location /gone/ { keepalive_requests 2; return 404; }\n"
                                  u"location /moved/ { keepalive_requests 2; return 302 /x; }\n"
                                  u"location /deny/ { keepalive_requests 2; deny all; }\n"
                                  u"location / { return 200 any; }\n"_s;
        QTest::newRow("a location's keepalive_requests") << locations << QByteArray("/two/x");
        // nginx's own pages keep to the location's limits as its other answers do
        QTest::newRow("keepalive_requests, a built-in 404") << locations << QByteArray("/gone/x");
        QTest::newRow("keepalive_requests, a redirect") << locations << QByteArray("/moved/x");
        QTest::newRow("keepalive_requests, a 403") << locations << QByteArray("/deny/x");
        QTest::newRow("keepalive_timeout 0: one request") << locations << QByteArray("/none/x");
        QTest::newRow("the server's keepalive_requests, inherited")
            << u"keepalive_requests 3;\n"_s + locations << QByteArray("/x");
        QTest::newRow("a server's return: no location, no limit")
            << u"keepalive_requests 2;\nreturn 200 server;\n"_s << QByteArray("/x");
    }

    void clientKeepaliveLimits()
    {
        QFETCH(QString, server);
        QFETCH(QByteArray, path);
        KeepaliveRun runs[2];
        for (const bool nginx : {true, false}) {
            NginxAndLbscope proxies(m_nginx);
            const auto config = [&](quint16 port) {
                return proxies.configFile(u"server {\nlisten 127.0.0.1:%1;\n%2}\n"_s.arg(port).arg(server));
            };
            const auto run = [&](quint16 port) { runs[nginx] = requestUntilClose(port, path, 6); };
            QString error;
            QVERIFY2(proxies.run(nginx, config, run, &error), qPrintable(error));
        }
        const QByteArray both = "nginx: " + QByteArray::number(runs[true].requests) +
                                (runs[true].closedByProxy ? " then closed" : "") +
                                ", lbscope: " + QByteArray::number(runs[false].requests) +
                                (runs[false].closedByProxy ? " then closed" : "");
        QVERIFY2(runs[true].requests > 0, both.constData());
        QVERIFY2(runs[false].requests == runs[true].requests, both.constData());
        QVERIFY2(runs[false].closedByProxy == runs[true].closedByProxy, both.constData());
    }

    // A request answered without its body (return, deny, no proxy_pass): nginx reads the body
    // and throws it away, and answers the next request on the same connection, except after
    // a 413 or when the body's framing is broken.
    void discardedBodies_data()
    {
        QTest::addColumn<QByteArray>("first");
        const QByteArray lengthBody = "POST /r/ HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
        const QByteArray chunked = "POST /r/ HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        QTest::newRow("return, Content-Length body") << lengthBody;
        QTest::newRow("return, chunked body") << chunked + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        QTest::newRow("return, a body larger than one read")
            << "POST /r/ HTTP/1.1\r\nHost: h\r\nContent-Length: 300000\r\n\r\n" + QByteArray(300'000, 'b');
        QTest::newRow("return, broken chunks") << chunked + "zz\r\nhello\r\n0\r\n\r\n";
        QByteArray denied = lengthBody;
        QTest::newRow("deny") << denied.replace("/r/", "/deny/");
        QByteArray large = lengthBody;
        QTest::newRow("client_max_body_size") << large.replace("/r/", "/small/");
        QByteArray missing = lengthBody;
        QTest::newRow("a location without proxy_pass") << missing.replace("/r/", "/none/");
    }

    void discardedBodies()
    {
        QFETCH(QByteArray, first);
        QByteArrayList outcomes[2];
        for (const bool nginx : {true, false}) {
            NginxAndLbscope proxies(m_nginx);
            const auto config = [&](quint16 port) {
                return proxies.configFile(u"server {\nlisten 127.0.0.1:%1;\n"
                                          u"location /r/ { return 200 r; }\n"
                                          u"location /deny/ { deny all; }\n"
                                          u"location /small/ { client_max_body_size 1; return 200 small; }\n"
                                          u"location /none/ { }\n"
                                          u"location / { return 200 next; }\n}\n"_s.arg(port));
            };
            const auto run = [&](quint16 port) {
                HttpTestClient client;
                if (!client.connectTo(port))
                    return;
                client.send(first + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
                for (int i = 0; i < 2; ++i) {
                    const std::optional<HttpResponse> response = client.readResponse(false, WaitMs);
                    if (!response)
                        break;
                    outcomes[nginx].append(QByteArray::number(response->status) + " " + response->body + " (" +
                                           response->header("connection") + ")");
                }
            };
            QString error;
            QVERIFY2(proxies.run(nginx, config, run, &error), qPrintable(error));
        }
        const QByteArray both = "nginx: " + outcomes[true].join(", ") + "\nlbscope: " + outcomes[false].join(", ");
        QVERIFY2(!outcomes[true].isEmpty(), both.constData());
        QCOMPARE(outcomes[false].size(), outcomes[true].size());
        for (qsizetype i = 0; i < outcomes[true].size(); ++i) {
            // the built-in pages name nginx: compare the status and Connection
            const auto summary = [](const QByteArray &outcome) -> QByteArray {
                return outcome.left(3) + outcome.mid(outcome.lastIndexOf('('));
            };
            QVERIFY2(summary(outcomes[false][i]) == summary(outcomes[true][i]), both.constData());
        }
    }

    // The upstream's keepalive_time: a connection older than it is closed when it comes back,
    // so the backend sees a second one; before that the first carried more than one request.
    void upstreamKeepaliveTime()
    {
        for (const bool nginx : {true, false}) {
            const char *which = nginx ? "nginx" : "lbscope";
            NginxAndLbscope proxies(m_nginx);
            RecordingBackend a("A");
            QVERIFY(a.listen());
            a.setKeepAlive(true);
            const auto config = [&](quint16 port) {
                return upstreamKeepaliveConfig(proxies, a, u"keepalive_time 300ms;"_s, port);
            };
            int sent = 0;
            const auto run = [&](quint16 port) {
                QElapsedTimer clock;
                clock.start();
                while (a.received().size() < 2 && sent < 100'000 && clock.elapsed() < 20'000) {
                    HttpTestClient client;
                    if (!client.connectTo(port))
                        return;
                    client.send("GET /r HTTP/1.0\r\n\r\n");
                    if (!client.readResponse(false, WaitMs))
                        return;
                    ++sent;
                }
            };
            QString error;
            QVERIFY2(proxies.run(nginx, config, run, &error), qPrintable(error));
            QVERIFY2(a.received().size() == 2, which);
            QVERIFY2(a.received().first().count("GET /r") > 1, which);
        }
    }

    // Upstream keepalive_requests and keepalive_time: how many connections the backend sees.
    void upstreamKeepaliveLimits_data()
    {
        QTest::addColumn<QString>("limits");
        QTest::addColumn<int>("requests");
        QTest::newRow("keepalive alone: one connection") << u""_s << 9;
        QTest::newRow("keepalive_requests 3: three connections") << u"keepalive_requests 3;"_s << 9;
    }

    void upstreamKeepaliveLimits()
    {
        QFETCH(QString, limits);
        QFETCH(int, requests);
        QList<int> connections;
        for (const bool nginx : {true, false}) {
            NginxAndLbscope proxies(m_nginx);
            RecordingBackend a("A");
            QVERIFY(a.listen());
            a.setKeepAlive(true);
            const auto config = [&](quint16 port) { return upstreamKeepaliveConfig(proxies, a, limits, port); };
            const auto run = [&](quint16 port) {
                for (int i = 0; i < requests; ++i) {
                    HttpTestClient client;
                    if (!client.connectTo(port))
                        return;
                    client.send("GET /r HTTP/1.0\r\n\r\n");
                    if (!client.readResponse(false, WaitMs))
                        return;
                }
                connections.append(int(a.received().size()));
            };
            QString error;
            QVERIFY2(proxies.run(nginx, config, run, &error), qPrintable(error));
        }
        QCOMPARE(connections.size(), 2);
        QCOMPARE(connections[1], connections[0]);
    }

private:
    static QByteArray upstreamKeepaliveConfig(NginxAndLbscope &proxies, const RecordingBackend &a,
                                              const QString &limits, quint16 port)
    {
        return uR"(%1events {}
http {
    access_log off;
%2    upstream pool {
        server %3;
        keepalive 4;
        %4
    }
    server {
        listen 127.0.0.1:%5;
        location / {
            proxy_pass http://pool;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
)"_s.arg(QString::fromUtf8(proxies.mainDirectives()), QString::fromUtf8(proxies.httpDirectives()),
         QString::fromLatin1(a.address()), limits, QString::number(port))
            .toUtf8();
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestNginxProxyDirectives)
#include "tst_nginxproxydirectives.moc"
