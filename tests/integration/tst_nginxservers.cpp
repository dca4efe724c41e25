// Which server block answers, compared with the real nginx 1.22: the same server blocks on
// one port, the same request bytes to both, and the same status and body. Each server returns
// its own tag with $server_name, $host and the captures of a regex name, so the body says which
// one answered and what its variables were.
//   - exact names, "*.example.com", "www.example.*", ".example.com", "~regex" with positional
//     and named captures, "" and "_", in nginx's order of precedence
//   - default_server, else the first server; a bare port beside an address of its own
//   - Host case, port and trailing dot; an absolute-form target before Host; hosts nginx
//     refuses with 400; HTTP/1.0 without Host
//   - a regex name's captures in proxy_set_header: what the backend gets
//   - nginx -t against lbscope -t on names and default_server: exit code, status lines and
//     the error log's messages (conflicting names, invalid wildcards, duplicate defaults)

#include "configtestrun.h"
#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "recordingbackend.h"

#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

const QString lbscopeBinary = QStringLiteral(LBSCOPE_BINARY_DIR "/app/lbscope");

struct Case
{
    QString servers; // server blocks; %1 is the port
    QByteArray request;
};

struct Outcome
{
    int status = 0;
    QByteArray body;
    bool answered = false;

    QByteArray describe() const
    {
        return QByteArray::number(status) + " body[" + body.left(80).trimmed() + "]" +
               (answered ? "" : " (no response)");
    }
};

QByteArray get(const QByteArray &host)
{
    return "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
}

// A server block on the test's port answering with its tag.
QString server(const QString &names, const QString &tag, const QString &listen = u"127.0.0.1:%1"_s)
{
    const QString nameLine = names.isNull() ? QString() : u"server_name "_s + names + u";\n        "_s;
    return u"    server {\n        listen "_s + listen + u";\n        "_s + nameLine + u"return 200 \""_s + tag +
           u" sn=$server_name host=$host\\n\";\n    }\n"_s;
}

// The names of nginx's server_name documentation, one server each.
QString namedServers()
{
    return server(u"example.com www.example.com"_s, u"exact"_s) + server(u"*.example.com"_s, u"leading"_s) +
           server(u"*.sub.example.com"_s, u"longer-leading"_s) + server(u"www.example.*"_s, u"trailing"_s) +
           server(u"www.*"_s, u"short-trailing"_s) + server(u".dot.org"_s, u"dot"_s) +
           server(u"~^(?<sub>[a-z]+)\\.regex\\.net$"_s, u"named-regex sub=$sub one=$1"_s) +
           server(u"\"~^(\\d+)\\.(num)\\.net$\""_s, u"regex one=$1 two=$2"_s) +
           server(u"~^www\\."_s, u"regex-after-wildcards"_s) + server(u"_"_s, u"underscore"_s) +
           server(u"\"\""_s, u"empty"_s) + server(u"fallback.test"_s, u"default"_s, u"127.0.0.1:%1 default_server"_s);
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestNginxServers : public QObject
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
        const auto row = [](const char *name, const QString &servers, const QByteArray &request) {
            QTest::newRow(name) << Case{servers, request};
        };
        const QString named = namedServers();
        row("exact name", named, get("example.com"));
        row("exact, the second name", named, get("www.example.com"));
        row("exact, Host in upper case with a port", named, get("EXAMPLE.com:8080"));
        row("exact, trailing dot", named, get("example.com."));
        row("leading wildcard", named, get("a.example.com"));
        row("leading wildcard, two labels", named, get("a.b.example.com"));
        row("the longest leading wildcard", named, get("x.sub.example.com"));
        row("leading wildcard: the name itself is not a subdomain", named, get("sub.example.com"));
        row("trailing wildcard", named, get("www.example.org"));
        row("trailing wildcard, two labels after", named, get("www.example.co.uk"));
        row("the longest trailing wildcard", named, get("www.other.org"));
        row("dot name: the name itself", named, get("dot.org"));
        row("dot name: a subdomain", named, get("a.b.dot.org"));
        row("regex with a named capture", named, get("foo.regex.net"));
        row("regex, caseless", named, get("FOO.Regex.Net"));
        row("regex with positional captures", named, get("123.num.net"));
        row("regex no match", named, get("123.regex.net"));
        row("wildcards before regex", named, get("www.regex.net"));
        row("underscore is only a name", named, get("_"));
        row("nothing matches: default_server", named, get("unknown.test"));
        row("HTTP/1.0 without Host: the \"\" name", named, "GET / HTTP/1.0\r\n\r\n");
        row("absolute-form target before Host", named,
            "GET http://a.example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
        row("absolute-form target with a port, in upper case", named,
            "GET http://WWW.Example.org:99/x HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
        row("absolute-form, HTTP/1.0 without Host", named, "GET http://foo.regex.net/ HTTP/1.0\r\n\r\n");
        row("Host with two dots in a row: 400", named, get("a..example.com"));
        row("Host with a slash: 400", named, get("a/b"));
        row("Host \".\": 400", named, get("."));
        row("empty Host: 400", named, get(""));
        row("Host only a port: 400", named, get(":80"));
        row("IPv6 literal Host", named, get("[::1]:8080"));
        row("invalid host in the target: 400", named,
            "GET http://a..b/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");

        const QString firstIsDefault = server(u"one.test"_s, u"first"_s) + server(u"two.test"_s, u"second"_s);
        row("no default_server: the first", firstIsDefault, get("three.test"));
        row("no default_server: the second by name", firstIsDefault, get("two.test"));
        row("no default_server, no Host", firstIsDefault, "GET / HTTP/1.0\r\n\r\n");

        const QString noNames =
            server({}, u"unnamed"_s) + server(u"named.test"_s, u"named"_s, u"127.0.0.1:%1 default_server"_s);
        row("no server_name is the \"\" name", noNames, "GET / HTTP/1.0\r\n\r\n");
        row("no server_name, other host: the default", noNames, get("other.test"));

        const QString firstNames = server(u".first.test"_s, u"dot-first"_s) + server(u"~^re\\.first"_s, u"re-first"_s) +
                                   server(u"Upper.Test"_s, u"upper"_s);
        row("$server_name of a dot name", firstNames, get("first.test"));
        row("$server_name of a regex name", firstNames, get("re.first.other"));
        row("$server_name is in lower case", firstNames, get("upper.test"));

        const QString conflicting = server(u"same.test"_s, u"first-same"_s) + server(u"same.test"_s, u"second-same"_s) +
                                    server(u".wild.test"_s, u"dot-wild"_s) + server(u"*.wild.test"_s, u"star-wild"_s);
        row("conflicting name: the first server keeps it", conflicting, get("same.test"));
        row("conflicting wildcard: the first server keeps it", conflicting, get("a.wild.test"));

        // A bare port or `*` would make nginx listen on every interface, and tests stay on
        // 127.0.0.1: how those share an address is compared by nginx -t below.
        const QString oneRegex = server(u"~^(?<label>[^.]+)\\.only\\.test$"_s, u"only label=$label"_s);
        row("one server: its regex still captures", oneRegex, get("abc.only.test"));
        row("one server: no match, no capture", oneRegex, get("other.test"));
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
        QVERIFY2(nginx.answered, both.constData());
        QVERIFY2(lbscope.status == nginx.status, both.constData());
        // nginx's built-in pages name nginx: compare only bodies LB Scope does not write itself.
        if (!nginx.body.contains("<center>nginx"))
            QVERIFY2(lbscope.body == nginx.body, both.constData());
    }

    void capturesGoUpstream()
    {
        QByteArrayList nginx, lbscope;
        QString error;
        QVERIFY2(runBackend(true, &nginx, &error), qPrintable(error));
        QVERIFY2(runBackend(false, &lbscope, &error), qPrintable(error));
        QCOMPARE(nginx.size(), 3);
        QCOMPARE(lbscope, nginx);
    }

    void configTestSameAsNginx_data()
    {
        QTest::addColumn<QString>("servers"); // server blocks in http
        const auto on = [](const char *port, const char *names) {
            return u"    server {\n        listen %1;\n        server_name %2;\n    }\n"_s.arg(
                QLatin1StringView(port), QLatin1StringView(names));
        };
        QTest::newRow("conflicting exact names") << on("127.0.0.1:1", "a.test") + on("127.0.0.1:1", "A.test b.test");
        QTest::newRow("conflicting, a dot name and a wildcard")
            << on("127.0.0.1:1", ".a.test a.test") + on("127.0.0.1:1", "*.a.test www.a.* www.a.*");
        QTest::newRow("two servers without names")
            << u"    server {\n        listen 1;\n    }\n    server {\n        listen 1;\n    }\n"_s;
        QTest::newRow("a bare port and * share the names") << on("1", "x.test") + on("*:1", "x.test");
        QTest::newRow("other addresses do not conflict") << on("127.0.0.1:1", "x.test") + on("127.0.0.2:1", "x.test");
        QTest::newRow("invalid wildcard where servers share the port")
            << on("1", "*.ex*ample.com") + on("1", "other.test");
        QTest::newRow("invalid wildcard alone on its port") << on("1", "*.ex*ample.com") + on("2", "other.test");
        QTest::newRow("a '*' inside a name") << on("1", "ex.*.com") + on("1", "other.test");
        QTest::newRow("two dots in a row") << on("1", "a..b") + on("1", "other.test");
        QTest::newRow("server name *x") << on("1", "*ex.com");
        QTest::newRow("server name .") << on("1", ".");
        QTest::newRow("empty regex") << on("1", "~");
        QTest::newRow("bad regex") << on("1", "\"~^(a\"");
        QTest::newRow("suspicious symbols") << on("1", "a/b");
        QTest::newRow("duplicate default_server, two servers")
            << u"    server {\n        listen 1 default_server;\n    }\n"
               u"    server {\n        listen 1 default_server;\n    }\n"_s;
        QTest::newRow("duplicate default_server, a bare port and *")
            << u"    server {\n        listen 1 default_server;\n    }\n"
               u"    server {\n        listen *:1 default;\n    }\n"_s;
        QTest::newRow("default_server on a bare port and on an address")
            << u"    server {\n        listen 1 default_server;\n    }\n"
               u"    server {\n        listen 127.0.0.1:1 default_server;\n    }\n"_s;
    }

    void configTestSameAsNginx()
    {
        QFETCH(QString, servers);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString prefix = dir.path();
        NginxProcess::preparePrefix(prefix);
        QVERIFY(QDir().mkpath(prefix + u"/logs"_s));
        const QByteArray config =
            "pid logs/nginx.pid;\nevents {\n}\nhttp {\n    access_log off;\n" + servers.toUtf8() + "}\n";
        QVERIFY(writeTestFile(prefix + u"/conf/nginx.conf"_s, config));
        const QString log = prefix + u"/logs/startup.log"_s;
        const QStringList arguments = {u"-p"_s, prefix, u"-c"_s, u"conf/nginx.conf"_s, u"-e"_s, u"logs/startup.log"_s,
                                       u"-t"_s};
        const ConfigTestRun nginx = ConfigTestRun::run(m_nginx, arguments, log);
        const ConfigTestRun lbscope = ConfigTestRun::run(lbscopeBinary, arguments, log);
        QVERIFY2(nginx.exitCode >= 0, "nginx did not finish");
        QCOMPARE(lbscope.exitCode, nginx.exitCode);
        QCOMPARE(lbscope.statusLines, nginx.statusLines);
        QCOMPARE(lbscope.logMessages, nginx.logMessages);
    }

private:
    // A regex name's named and positional captures in proxy_set_header; the request lines
    // and X- headers the backend got.
    bool runBackend(bool nginx, QByteArrayList *received, QString *error)
    {
        NginxAndLbscope proxies(m_nginx);
        RecordingBackend backend("backend");
        if (!backend.listen()) {
            *error = u"the backend cannot listen"_s;
            return false;
        }
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    server {
        listen 127.0.0.1:%1;
        server_name ~^(?<tenant>[a-z]+)\.(?<zone>eu|us)\.app\.test$;
        location / {
            proxy_pass http://127.0.0.1:%2;
            proxy_set_header X-Tenant $tenant;
            proxy_set_header X-Zone $2;
            proxy_set_header X-Host $host;
            proxy_set_header X-Server-Name $server_name;
        }
    }
    server {
        listen 127.0.0.1:%1;
        server_name other.test;
        location / {
            proxy_pass http://127.0.0.1:%2;
            proxy_set_header X-Tenant "[$tenant]";
        }
    }
)"_s.arg(port)
                                          .arg(backend.port()));
        };
        const auto requests = [&](quint16 port) {
            for (const QByteArray &host :
                 {QByteArray("acme.eu.app.test"), QByteArray("Shop.US.app.test:81"), QByteArray("other.test")}) {
                HttpTestClient client;
                if (!client.connectTo(port))
                    return;
                client.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                client.readResponse(false, 10'000);
                client.waitForClose(10'000);
            }
            for (const QByteArray &raw : backend.received()) {
                const QByteArrayList lines = raw.left(raw.indexOf("\r\n\r\n")).split('\n');
                QByteArray summary = lines.value(0).trimmed();
                for (const QByteArray &line : lines.mid(1)) {
                    if (line.toLower().startsWith("x-"))
                        summary += " +" + line.trimmed();
                }
                received->append(summary);
            }
        };
        return proxies.runAsWritten(nginx, config, requests, error);
    }

    bool run(NginxAndLbscope &proxies, bool nginx, const Case &testCase, Outcome *outcome, QString *error)
    {
        const auto config = [&](quint16 port) { return proxies.configFile(QString(testCase.servers).arg(port)); };
        const auto requests = [&](quint16 port) {
            HttpTestClient client;
            if (!client.connectTo(port))
                return;
            client.send(testCase.request);
            if (const std::optional<HttpResponse> response = client.readResponse(false, 10'000)) {
                outcome->answered = true;
                outcome->status = response->status;
                outcome->body = response->body;
            }
            client.waitForClose(10'000);
        };
        return proxies.runAsWritten(nginx, config, requests, error);
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestNginxServers)
#include "tst_nginxservers.moc"
