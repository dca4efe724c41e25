// Location matching as nginx 1.22 does it, compared with the real nginx: the same file and the
// same request bytes to both, and the same status, Location, X-Uri ($uri), body and, at the
// backends, the same request lines. Three upstreams (a, b, c), each a backend that names
// itself; "dead" is a port nobody listens on (a 502). Each row is a server's location lines.

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
    QString locations; // lines in the server block
    QByteArray request;
};

QByteArray request(const QByteArray &method, const QByteArray &target, const QByteArray &host = "loc.test")
{
    QByteArray bytes = method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
    if (method == "POST")
        bytes += "Content-Length: 4\r\n\r\nbody";
    else
        bytes += "\r\n";
    return bytes;
}

QByteArray get(const QByteArray &target)
{
    return request("GET", target);
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestNginxLocations : public QObject
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
        const auto row = [](const char *name, const QString &locations, const QByteArray &bytes) {
            QTest::newRow(name) << Case{locations, bytes};
        };
        // Each modifier.
        const QString exactAndPrefix = u"location = /x { proxy_pass http://a; }\n"
                                       u"location /x { proxy_pass http://b; }\n"
                                       u"location / { proxy_pass http://c; }"_s;
        row("= wins for its URI", exactAndPrefix, get("/x"));
        row("= only for its URI: the prefix takes /x/y", exactAndPrefix, get("/x/y"));
        row("=/x written as one word", u"location =/x { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s,
            get("/x"));
        row("the longest prefix wins",
            u"location /a/ { proxy_pass http://a; }\nlocation /a/b/ { proxy_pass http://b; }\n"
            u"location / { proxy_pass http://c; }"_s,
            get("/a/b/c"));
        row("a prefix matches inside a segment",
            u"location /a { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s, get("/abc"));
        const QString regexOverPrefix = u"location /img/ { proxy_pass http://a; }\n"
                                        u"location ~ \\.jpg$ { proxy_pass http://b; }"_s;
        row("a regex wins over the longest prefix", regexOverPrefix, get("/img/x.jpg"));
        row("no regex matches: the longest prefix", regexOverPrefix, get("/img/x.png"));
        row("^~ stops the regexes",
            u"location ^~ /img/ { proxy_pass http://a; }\nlocation ~ \\.jpg$ { proxy_pass http://b; }"_s,
            get("/img/x.jpg"));
        row("^~/img/ written as one word",
            u"location ^~/img/ { proxy_pass http://a; }\nlocation ~ \\.jpg$ { proxy_pass http://b; }"_s,
            get("/img/x.jpg"));
        row("regexes in the order written",
            u"location ~ ^/r { proxy_pass http://a; }\nlocation ~ ^/r/x { proxy_pass http://b; }"_s, get("/r/x"));
        row("~ is case-sensitive",
            u"location ~ \\.JPG$ { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s, get("/x.jpg"));
        row("~* is caseless", u"location ~* \\.JPG$ { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s,
            get("/x.jpg"));
        row("no location takes the URI: 404", u"location /only/ { proxy_pass http://a; }"_s, get("/other"));
        // Nested locations.
        const QString nested = u"location /o/ {\n"
                               u"    proxy_pass http://a;\n"
                               u"    proxy_set_header X-Level outer;\n"
                               u"    location /o/i/ { proxy_pass http://b; }\n"
                               u"    location ^~ /o/n/ { proxy_pass http://b; proxy_set_header X-Level noregex; }\n"
                               u"    location ~ \\.in$ { proxy_pass http://c; }\n"
                               u"}\n"
                               u"location ~ \\.(jpg|in)$ { proxy_pass http://c; proxy_set_header X-Level regex; }"_s;
        row("nested: the outer prefix alone", nested, get("/o/x"));
        row("nested: the inner prefix, settings inherited", nested, get("/o/i/x"));
        row("nested: the inner regex before the outer one", nested, get("/o/i/x.in"));
        row("nested: an outer regex after the inner ones", nested, get("/o/i/x.jpg"));
        row("nested: an inner ^~ stops only the inner regexes", nested, get("/o/n/x.jpg"));
        row("nested: an inner ^~ stops the inner regex", nested, get("/o/n/x.in"));
        row("nested inside a regex location",
            u"location ~ ^/re/ { proxy_pass http://a; location ~ \\.b$ { proxy_pass http://b; } }"_s, get("/re/x.b"));
        // Named locations.
        const QString named = u"location / { proxy_pass http://dead; error_page 502 @fallback; }\n"
                              u"location @fallback { proxy_pass http://b; proxy_set_header X-Named yes; }"_s;
        row("error_page to a named location keeps the URI", named, get("/x?y=1"));
        row("error_page to a named location keeps the method", named, request("POST", "/p"));
        row("HEAD to a named location stays HEAD", named, request("HEAD", "/h"));
        row("a server's error_page 404 to a named location",
            u"error_page 404 @fallback;\nlocation /only/ { proxy_pass http://a; }\n"
            u"location @fallback { proxy_pass http://b; }"_s,
            get("/elsewhere?q=1"));
        row("a request line cannot reach a named location",
            u"location @b { proxy_pass http://b; }\nlocation / { proxy_pass http://a; }"_s, get("/@b"));
        row("error_page to a named location that does not exist: 500",
            u"location / { proxy_pass http://dead; error_page 502 @nosuch; }"_s, get("/x"));
        row("a named location's own rewrite and return",
            u"location / { proxy_pass http://dead; error_page 502 = @fallback; }\n"
            u"location @fallback { return 200 \"fallback for $uri\"; }"_s,
            get("/x/y"));
        row("error_page to a URI finds a regex location",
            u"location / { proxy_pass http://dead; error_page 502 /page.html; }\n"
            u"location ~ \\.html$ { proxy_pass http://b; }"_s,
            get("/x"));
        // Captures of the location's regex.
        row("captures in proxy_pass", u"location ~ ^/cap/(\\w+)/(.*)$ { proxy_pass http://a/$2?from=$1; }"_s,
            get("/cap/abc/rest/of"));
        row("named captures in proxy_pass", u"location ~ ^/nc/(?<rest>.*)$ { proxy_pass http://a/got/$rest; }"_s,
            get("/nc/x/y"));
        row("captures in proxy_set_header",
            u"location ~* ^/h/(\\d+) { proxy_pass http://a; proxy_set_header X-Cap $1; }"_s, get("/H/42/z"));
        row("captures in return", u"location ~ ^/ret/(\\d+)$ { return 200 \"id=$1\"; }"_s, get("/ret/7"));
        row("captures in set", u"location ~ ^/set/(.+)$ { set $v $1; return 200 \"v=$v\"; }"_s, get("/set/abc"));
        row("captures in rewrite", u"location ~ ^/rw/(.+)$ { rewrite ^ /to/$1 break; proxy_pass http://a; }"_s,
            get("/rw/q"));
        row("a regex sees the decoded URI", u"location ~ \"^/sp ace$\" { proxy_pass http://a; }"_s, get("/sp%20ace"));
        row("rewrite last from the server level into a nested location",
            u"rewrite ^/go/(.*)$ /o/i/$1 last;\n"
            u"location /o/ { proxy_pass http://a; location /o/i/ { proxy_pass http://b; } }"_s,
            get("/go/x"));
        row("rewrite last into a regex location",
            u"location /old/ { rewrite ^/old/(.*)$ /new/$1.jpg last; }\n"
            u"location ~ ^/new/(.*)\\.jpg$ { proxy_pass http://b/img/$1; }\n"
            u"location / { proxy_pass http://a; }"_s,
            get("/old/x"));
        // The trailing-slash redirect.
        const QString api = u"location /api/ { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s;
        row("301 to the location with a slash", api, get("/api"));
        row("301 keeps the arguments", api, get("/api?x=1&y=2"));
        row("301 with Host naming a port", api, request("GET", "/api", "loc.test:8000"));
        row("301 to HTTP/1.0 without Host", api, "GET /api HTTP/1.0\r\n\r\n");
        row("301 to a POST too", api, request("POST", "/api"));
        row("301 for a nested location",
            u"location /v/ { proxy_pass http://b; location /v/api/ { proxy_pass http://a; } }"_s, get("/v/api"));
        row("client_max_body_size before the 301", u"location /api/ { proxy_pass http://a; client_max_body_size 2; }"_s,
            request("POST", "/api"));
        row("no 301 past the slash", api, get("/api/x"));
        row("no 301 when an exact location takes it",
            u"location /api/ { proxy_pass http://a; }\nlocation = /api { proxy_pass http://b; }"_s, get("/api"));
        row("no 301 when a prefix takes it",
            u"location /api/ { proxy_pass http://a; }\nlocation /api { proxy_pass http://b; }"_s, get("/api"));
        row("no 301 without proxy_pass",
            u"location /api/ { return 200 \"here\"; }\nlocation / { proxy_pass http://b; }"_s, get("/api"));
        row("301 from an exact location with a slash",
            u"location = /ex/ { proxy_pass http://a; }\nlocation / { proxy_pass http://b; }"_s, get("/ex"));
        row("301 beats a regex", u"location /api/ { proxy_pass http://a; }\nlocation ~ api { proxy_pass http://b; }"_s,
            get("/api"));
        // The normalized URI ($uri) decides.
        const QString normalized = u"add_header X-Uri $uri always;\n"
                                   u"location /b/ { proxy_pass http://b; }\n"
                                   u"location /n/ { proxy_pass http://c/m/; }\n"
                                   u"location / { proxy_pass http://a; }"_s;
        row("%2F decodes to a slash", normalized, get("/b%2Fx"));
        row("%2e%2e goes up", normalized, get("/a/%2e%2e/b/x"));
        row("%2e%2e above the root: 400", normalized, get("/%2e%2e"));
        row("slashes merged", normalized, get("//b///x"));
        row("dot segments resolved", normalized, get("/a/./x/../../b/y"));
        row("/.. is a 400", normalized, get("/.."));
        row("a .. past the root later on: 400", normalized, get("/b/../../x"));
        row("%00 is a 400", normalized, get("/b/%00"));
        row("a broken escape is a 400", normalized, get("/b/%zz"));
        row("a fragment is cut off", normalized, get("/b/x#frag?no=args"));
        row("arguments end at a fragment", normalized, get("/b/x?a=1#frag"));
        row("non-ASCII bytes as they come", normalized, get("/b/caf\xc3\xa9"));
        row("%-escaped non-ASCII", normalized, get("/b/caf%C3%A9"));
        row("%3F is no argument", normalized, get("/b/%3F?q"));
        row("a URI part gets the normalized URI, escaped again", normalized, get("/n/x%20y/../z?k=v"));
        row("a URI part gets the normalized URI", normalized, get("/n//p/./q"));
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
        RecordingBackend a("a"), b("b"), c("c");
        if (!a.listen() || !b.listen() || !c.listen()) {
            *error = u"a backend cannot listen"_s;
            return false;
        }
        const quint16 dead = NginxProcess::freeLoopbackPort();
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    upstream a { server 127.0.0.1:%2; }
    upstream b { server 127.0.0.1:%3; }
    upstream c { server 127.0.0.1:%4; }
    upstream dead { server 127.0.0.1:%5; }
    server {
        listen 127.0.0.1:%1;
%6
    }
)"_s.arg(port)
                                          .arg(a.port())
                                          .arg(b.port())
                                          .arg(c.port())
                                          .arg(dead)
                                          .arg(testCase.locations));
        };
        const auto requests = [&](quint16 port) {
            outcome->fetch(port, testCase.request);
            outcome->addBackend("a", a.received());
            outcome->addBackend("b", b.received());
            outcome->addBackend("c", c.received());
        };
        return proxies.run(nginx, config, requests, error);
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestNginxLocations)
#include "tst_nginxlocations.moc"
