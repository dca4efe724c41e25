// The rewrite module (return, rewrite, if, set, break) and its place in nginx's phases,
// compared with the real nginx 1.22: one file, the same requests to both, and the same
// status, Location, body and response headers, and the same request line and headers at the
// backend. A location's rewrite that changes the URI sends the request to find its location
// again; the backend sees which one answered through the X-Location header it is sent.

#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "proxyoutcome.h"
#include "recordingbackend.h"

#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

struct Case
{
    QString server;   // server-level lines
    QString location; // lines in location /t/
    QByteArray request;
};

QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: rewrite.test\r\n" + extra + "Connection: close\r\n\r\n";
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestRewrite : public QObject
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
        const auto row = [](const char *name, const QString &server, const QString &location,
                            const QByteArray &request) {
            QTest::newRow(name) << Case{server, location, request};
        };
        // rewrite
        row("rewrite break: the upstream gets the new URI", {}, u"rewrite ^/t/(.*)$ /new/$1 break;"_s, get("/t/x?q=1"));
        row("rewrite last: the location is found again", {}, u"rewrite ^/t/(.*)$ /app/$1 last;"_s, get("/t/x?q=1"));
        row("rewrite without a flag: found again after the script", {},
            u"rewrite ^/t/(.*)$ /app/$1;\n            set $after 1;"_s, get("/t/y"));
        row("new arguments come first, the old follow", {}, u"rewrite ^ /new?a=1 break;"_s, get("/t/x?q=2"));
        row("a last '?' drops the old arguments", {}, u"rewrite ^ /new? break;"_s, get("/t/x?q=2"));
        row("new arguments and a last '?'", {}, u"rewrite ^ /new?a=1? break;"_s, get("/t/x?q=2"));
        row("permanent: 301 to an absolute URL, arguments kept", {}, u"rewrite ^/t/(.*)$ /moved/$1 permanent;"_s,
            get("/t/z?q=3"));
        row("redirect to another host", {}, u"rewrite ^ http://example.com/away redirect;"_s, get("/t/x"));
        row("a URL replacement redirects without a flag", {}, u"rewrite ^/t/(.*) https://example.com/$1;"_s,
            get("/t/k?z=1"));
        row("no match: nothing changes", {}, u"rewrite ^/nomatch /new break;"_s, get("/t/x"));
        row("named captures", {}, u"rewrite ^/t/(?<word>\\w+)$ /named/$word break;"_s, get("/t/hello"));
        row("server-level rewrite picks the location", u"rewrite ^/s/(.*)$ /app/$1;"_s, {}, get("/s/x"));
        row("a rewrite cycle is a 500", {}, u"rewrite ^ /t/again;"_s, get("/t/x"));
        // return
        row("return with text", {}, u"return 200 \"at $uri\";"_s, get("/t/x"));
        row("return 200 alone", {}, u"return 200;"_s, get("/t/x"));
        row("return 204", {}, u"return 204;"_s, get("/t/x"));
        row("return 404: the built-in page", {}, u"return 404;"_s, get("/t/x"));
        row("return 301 to a path", {}, u"return 301 /elsewhere$is_args$args;"_s, get("/t/x?a=b"));
        row("return 301 to a path, Host with a port", {}, u"return 301 /elsewhere;"_s,
            "GET /t/x HTTP/1.1\r\nHost: rewrite.test:8000\r\nConnection: close\r\n\r\n");
        row("return 301 to a path, HTTP/1.0 without Host", {}, u"return 301 /elsewhere;"_s,
            "GET /t/x HTTP/1.0\r\n\r\n");
        row("return a URL alone: 302", {}, u"return https://example.com$request_uri;"_s, get("/t/x?a=b"));
        row("return 444 closes", {}, u"return 444;"_s, get("/t/x"));
        row("return 404 goes to error_page", u"error_page 404 /app/fallback;"_s, u"return 404;"_s, get("/t/x"));
        row("realip in the error page's location",
            u"error_page 404 /rip/;\n"
            "        location /rip/ {\n"
            "            set_real_ip_from 127.0.0.1;\n"
            "            proxy_set_header X-Remote $remote_addr;\n"
            "            proxy_pass http://127.0.0.1:%3;\n"
            "        }"_s,
            u"return 404;"_s, get("/t/x", "X-Real-IP: 192.0.2.7\r\n"));
        row("an error page's URI meets the server's rewrites",
            u"rewrite ^/e/(.*)$ /app/$1;\n        error_page 404 /e/page;"_s, u"return 404;"_s, get("/t/x"));
        // An error page's internal redirect and a rewrite's URI change count to one limit
        const QString tenRewrites = u"error_page 404 /r/;\n"
                                    "        location /r/ {\n"
                                    "            rewrite \"^/r/(a{0,%1})$\" /r/$1a last;\n"
                                    "            proxy_pass http://127.0.0.1:1;\n"
                                    "        }"_s;
        row("an error page and nine rewrites", tenRewrites.arg(8), u"return 404;"_s, get("/t/x"));
        row("an error page and ten rewrites: 500", tenRewrites.arg(9), u"return 404;"_s, get("/t/x"));
        const QString serverRewriteThenLocations = u"rewrite ^/t/x$ /r/;\n"_s + tenRewrites.section(u'\n', 1);
        row("a server's rewrite and ten location rewrites", serverRewriteThenLocations.arg(9), {}, get("/t/x"));
        row("two rewrites in one pass count as one change",
            u"rewrite ^/t/x$ /r/;\n"
            "        location /r/ {\n"
            "            rewrite \"^/r/(a{0,9})$\" /r/$1a;\n"
            "            rewrite ^/r/(.*)$ /r/$1;\n"
            "            proxy_pass http://127.0.0.1:1;\n"
            "        }"_s,
            {}, get("/t/x"));
        // client_max_body_size is checked as the location is found: after the server's rewrite
        // directives, before the location's
        const QByteArray largePost = "POST /t/x HTTP/1.1\r\nHost: rewrite.test\r\nContent-Length: 20\r\n"
                                     "Connection: close\r\n\r\n01234567890123456789";
        row("413 before a location's return", u"client_max_body_size 10;"_s, u"return 200 \"t\";"_s, largePost);
        row("a server's return before the 413", u"client_max_body_size 10;\n        return 200 \"s\";"_s, {},
            largePost);
        // if, set, break
        row("if on the method", u"if ($request_method = POST) {\n            return 405;\n        }"_s, {},
            "POST /t/x HTTP/1.1\r\nHost: rewrite.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        row("if on the method, not taken", u"if ($request_method = POST) {\n            return 405;\n        }"_s, {},
            get("/t/x"));
        row("if on a header", {}, u"if ($http_x_flag) {\n                return 403;\n            }"_s,
            get("/t/x", "X-Flag: 1\r\n"));
        row("if on a header that is \"0\"", {}, u"if ($http_x_flag) {\n                return 403;\n            }"_s,
            get("/t/x", "X-Flag: 0\r\n"));
        row("if with a regex and captures into set", {},
            u"if ($arg_id ~ ^(\\d+)$) {\n                set $idnum $1;\n            }\n"
            u"            proxy_set_header X-Id $idnum;"_s,
            get("/t/x?id=42"));
        row("case-insensitive regex, quoted", {},
            u"if ($http_user_agent ~* \"curl\") {\n                return 418 \"no curl\";\n            }"_s,
            get("/t/x", "User-Agent: CURL/8\r\n"));
        row("!~", {}, u"if ($uri !~ ^/t/ok) {\n                return 403;\n            }"_s, get("/t/no"));
        row("!=", {}, u"if ($arg_a != yes) {\n                return 402;\n            }"_s, get("/t/x?a=yes"));
        row("set then break stops the script", {},
            u"set $a 1;\n            break;\n            set $a 2;\n            proxy_set_header X-A $a;"_s,
            get("/t/x"));
        row("set feeds a rewrite", {}, u"set $path /from-set;\n            rewrite ^ $path break;"_s, get("/t/x"));
        row("$uri after a rewrite", {}, u"rewrite ^ /changed break;\n            add_header X-Uri $uri always;"_s,
            get("/t/x"));
        row("a set variable in add_header", {}, u"set $v \"one two\";\n            add_header X-V $v always;"_s,
            get("/t/x"));
    }

    void sameAsNginx()
    {
        QFETCH(Case, testCase);
        NginxAndLbscope proxies(m_nginx);
        ProxyOutcome nginx, lbscope;
        QString error;
        QVERIFY2(run(proxies, true, testCase, &nginx, &error), qPrintable(error));
        QVERIFY2(run(proxies, false, testCase, &lbscope, &error), qPrintable(error));
        verifySameAsNginx(nginx, lbscope);
    }

private:
    bool run(NginxAndLbscope &proxies, bool nginx, const Case &testCase, ProxyOutcome *outcome, QString *error)
    {
        RecordingBackend backend("backend");
        if (!backend.listen()) {
            *error = u"the backend cannot listen"_s;
            return false;
        }
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    server {
        listen 127.0.0.1:%1;
        %2
        location /t/ {
            proxy_pass http://127.0.0.1:%3;
            proxy_set_header X-Location t;
            %4
        }
        location /app/ {
            proxy_pass http://127.0.0.1:%3;
            proxy_set_header X-Location app;
        }
        location / {
            proxy_pass http://127.0.0.1:%3;
            proxy_set_header X-Location root;
        }
    }
)"_s.arg(port)
                                          .arg(testCase.server)
                                          .arg(backend.port())
                                          .arg(testCase.location));
        };
        const auto requests = [&](quint16 port) {
            outcome->fetch(port, testCase.request);
            outcome->addBackend({}, backend.received());
        };
        return proxies.run(nginx, config, requests, error);
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestRewrite)
#include "tst_rewrite.moc"
