// The realip and access modules against the real nginx 1.22: the same file and the same requests
// go to nginx and then to LB Scope's engine, with demo backends behind an ip_hash upstream.
// Each request is compared on its status, the backend it reached (X-Upstream-Addr), the client
// addresses the proxy worked with ($remote_addr, $remote_port, $realip_remote_addr and
// $realip_remote_port, in a response header and in an access_log line, and the
// X-Forwarded-For that $proxy_add_x_forwarded_for would send on), its Connection header
// and its body (error pages with the server's name set aside). Requests come from 127.0.0.1 and
// from other loopback addresses (bound before connecting) and carry X-Real-IP, X-Forwarded-For
// chains and other headers naming many different clients, so ip_hash behind a proxy must pick
// as nginx picks, and allow/deny must answer as nginx answers, realip first.

#include "config/nginxmodules.h"
#include "demo/demobackend.h"
#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "stats/accesslogfile.h"

#include <QFile>
#include <QTest>

#include <memory>
#include <vector>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 20'000;
constexpr int BackendCount = 4;

struct Request
{
    QByteArray path = "/";
    QByteArrayList headers;      // "Name: value" lines, in order
    QByteArray source;           // the client's address; empty: 127.0.0.1
    bool sameConnection = false; // on the previous request's connection, kept alive
    QByteArray method = "GET";
    int contentLength = -1; // a body of this many bytes ("x" repeated); -1: none
    bool variables = true;  // X-Remote compared too (LB Scope adds no add_header without a location)
};

struct Case
{
    QByteArray http;      // directives at http level
    QByteArray server;    // at server level
    QByteArray locations; // the server's locations; empty: location / { proxy_pass http://pool; }
    QList<Request> requests;
};

} // namespace

Q_DECLARE_METATYPE(Case)

namespace {

// ---- requests -------------------------------------------------------------------------------

Request withHeaders(const QByteArrayList &headers, const QByteArray &path = "/")
{
    Request request;
    request.path = path;
    request.headers = headers;
    return request;
}

Request from(const QByteArray &source, const QByteArray &path = "/", const QByteArrayList &headers = {})
{
    Request request = withHeaders(headers, path);
    request.source = source;
    return request;
}

// Clients spread over many /24 networks, since ip_hash keys on the first three octets.
QByteArray client(int k)
{
    return QByteArray::number(20 + k % 200) + '.' + QByteArray::number((k * 37) % 256) + '.' +
           QByteArray::number((k * 11) % 256) + '.' + QByteArray::number(k % 250 + 1);
}

QList<Request> eachClient(int count, const std::function<QByteArrayList(int)> &headers)
{
    QList<Request> requests;
    for (int k = 0; k < count; ++k)
        requests.append(withHeaders(headers(k)));
    return requests;
}

// X-Forwarded-For chains that trusted proxies (10/8, 127.0.0.1) and untrusted ones (172.16/12)
// could have built, with words nginx cannot read as addresses, ports, IPv6 and stray separators.
QList<Request> forwardedChains()
{
    const QByteArrayList chains = {
        "%c",
        "%c, 10.0.0.1",
        "%c, 10.1.2.3, 10.200.0.9",
        "%c,10.1.2.3,127.0.0.1",
        "%c, 172.16.5.5, 10.0.0.1",
        "172.16.5.5, %c, 10.0.0.1",
        "%c, 10.0.0.1, 172.16.9.9",
        "10.9.9.9, 10.0.0.1",
        "unknown, 10.0.0.1",
        "%c, unknown, 10.0.0.1",
        "%c, 10.0.0.1, unknown",
        "%c:5555, 10.0.0.1",
        "[2001:db8::%n]:8080, 10.0.0.1",
        "2001:db8:0:0:1::%n, 10.0.0.1",
        "%c, 10.0.0.1, , ,",
        "%c 10.0.0.2",
        ",%c",
        "%c,\t10.0.0.1",
        "1..2.%n, 10.0.0.1",
        "001.2.3.%n, 10.0.0.1",
        "%c, 300.1.1.1, 10.0.0.1",
    };
    QList<Request> requests;
    int k = 0;
    for (const QByteArray &chain : chains) {
        for (int repeat = 0; repeat < 2; ++repeat, ++k) {
            QByteArray value = chain;
            value.replace("%c", client(k)).replace("%n", QByteArray::number(k + 1));
            requests.append(withHeaders({"X-Forwarded-For: " + value}));
        }
    }
    return requests;
}

// The same chains split over several X-Forwarded-For lines.
QList<Request> forwardedLines()
{
    const QList<QByteArrayList> lines = {
        {"%c", "10.0.0.1"},       {"%c, 10.0.0.1", "10.0.0.2, 10.0.0.3"}, {"10.0.0.2", "%c"},
        {"%c", "10.0.0.3, junk"}, {"%c, 172.16.1.1", "junk, 10.0.0.3"},   {"%c", "10.0.0.2", "10.0.0.3:80"},
        {"%c", "", "10.0.0.3"},   {"%c", "172.16.2.2", "10.0.0.3"},
    };
    QList<Request> requests;
    int k = 0;
    for (const QByteArrayList &group : lines) {
        for (int repeat = 0; repeat < 3; ++repeat, ++k) {
            Request request;
            for (QByteArray value : group)
                request.headers.append("X-Forwarded-For: " + value.replace("%c", client(k)));
            requests.append(request);
        }
    }
    return requests;
}

// X-Real-IP values in nginx's address grammar, readable and not.
QList<Request> realIpValues()
{
    const QByteArrayList values = {
        "1.2.3.4:99",
        "1.2.3.4:0",
        "1.2.3.4:65536",
        "[2001:db8::5]:8080",
        "2001:DB8:0:0:1:0:0:1",
        "::1.2.3.4",
        "::2:3",
        "1:2:3:4:5:6:1.2.3.4",
        ":1::2",
        "1:2:3:4:5:6:7::",
        "::",
        "1..2.3",
        "1.2.3.",
        "001.002.003.004",
        "1.2.3",
        "fe80::1%1",
        "[::1]",
        "localhost",
        "30.1.1.1, 30.2.2.2",
        ",",
        "30.3.3.3 ",
        "0000:0:0:0:0:0:0:1",
        "[1.2.3.4]:80",
        "1.2.3.4:0080",
        "2001:db8::1:0:0:1",
        "::ffff:127.0.1.1",
        "::ffff:1.2.3.4",
        "[::ffff:5.6.7.8]:81",
        "::1",
        "0.0.0.0",
    };
    QList<Request> requests;
    for (const QByteArray &value : values)
        requests.append(withHeaders({"X-Real-IP: " + value}));
    return requests;
}

QList<Request> fromSources(const QByteArrayList &sources, const QByteArrayList &paths = {"/"})
{
    QList<Request> requests;
    for (const QByteArray &path : paths) {
        for (const QByteArray &source : sources)
            requests.append(from(source, path));
    }
    return requests;
}

QByteArrayList loopbackSources(int count)
{
    QByteArrayList sources;
    for (int i = 1; i <= count; ++i)
        sources.append("127.0.0." + QByteArray::number(i));
    return sources;
}

QByteArray wire(const Request &request, bool keepAlive)
{
    QByteArray bytes = request.method + ' ' + request.path + " HTTP/1.1\r\nHost: realip.test\r\n";
    for (const QByteArray &header : request.headers)
        bytes += header + "\r\n";
    if (!keepAlive)
        bytes += "Connection: close\r\n";
    if (request.contentLength >= 0)
        bytes += "Content-Length: " + QByteArray::number(request.contentLength) + "\r\n";
    bytes += "\r\n";
    if (request.contentLength > 0)
        bytes += QByteArray(request.contentLength, 'x');
    return bytes;
}

// A port the client used stands as "PEER": it differs between the two runs.
QByteArray withoutPeerPort(const QByteArray &text, quint16 peerPort)
{
    QByteArrayList words = text.split(' ');
    for (QByteArray &word : words) {
        if (word == QByteArray::number(peerPort))
            word = "PEER";
    }
    return words.join(' ');
}

// ---- the runs --------------------------------------------------------------------------------

struct Run
{
    QByteArrayList outcomes; // one per request
    QByteArrayList logLines; // the access_log, ports of our own side as PEER
};

class Bench
{
public:
    explicit Bench(const QString &nginx)
        : m_proxies(nginx)
    {
    }

    bool startBackends(QString *error)
    {
        for (int i = 0; i < BackendCount; ++i) {
            auto backend = std::make_unique<DemoBackend>();
            DemoBackend::Options options;
            options.name = u"backend-"_s + QChar(u'A' + i);
            if (!backend->start(options, error))
                return false;
            m_backends.push_back(std::move(backend));
        }
        return true;
    }

    bool run(const Case &test, bool nginx, Run *run, QString *error)
    {
        QFile::remove(logPath());
        const auto config = [&](quint16 port) { return configText(test, port); };
        const auto requests = [&](quint16 port) { *run = send(test.requests, port); };
        return nginx ? m_proxies.runNginx(config, requests, error) : runLbscope(config, requests, error);
    }

private:
    // As NginxAndLbscope::runLbscope, with the access_log written as lbscope writes it.
    bool runLbscope(const NginxAndLbscope::ConfigText &config, const NginxAndLbscope::Run &run, QString *error)
    {
        const QString path = m_proxies.prefix() + u"/nginx.conf"_s;
        QFile file(path);
        const QByteArray text = config(NginxProcess::freeLoopbackPort());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
            *error = file.errorString();
            return false;
        }
        file.close();
        const ConfigReadResult result = ConfigReader::readFile(path);
        if (!result.ok()) {
            *error = result.error->toString();
            return false;
        }
        ProxyConfig loaded = *result.config;
        loaded.servers[0].listens[0].port = 0; // the system picks one
        Engine engine;
        if (!engine.start(loaded, error))
            return false;
        AccessLogFileWriter logFiles(engine.accessLog());
        if (!logFiles.setConfiguration(loaded, error))
            return false;
        run(engine.listeningAddresses().first().second);
        return true;
    }

    QString logPath() const { return m_proxies.prefix() + u"/realip.log"_s; }

    QByteArray configText(const Case &test, quint16 port) const
    {
        QByteArray servers;
        for (const auto &backend : m_backends)
            servers += "        server 127.0.0.1:" + QByteArray::number(backend->port()) + ";\n";
        const QByteArray locations =
            test.locations.isEmpty()
                ? QByteArray("        location / {\n            proxy_pass http://pool;\n        }\n")
                : test.locations;
        return m_proxies.mainDirectives() + "events {}\nhttp {\n" + m_proxies.httpDirectives() +
               "    log_format realip '$remote_addr $remote_port $realip_remote_addr $realip_remote_port "
               "$status $request_uri';\n" +
               test.http + "    upstream pool {\n        ip_hash;\n" + servers +
               "    }\n    server {\n        listen 127.0.0.1:" + QByteArray::number(port) + ";\n        access_log " +
               logPath().toUtf8() +
               " realip;\n"
               "        add_header X-Upstream-Addr $upstream_addr always;\n"
               "        add_header X-Remote \"$remote_addr $remote_port $realip_remote_addr $realip_remote_port "
               "($proxy_add_x_forwarded_for)\" always;\n" +
               test.server + locations + "    }\n}\n";
    }

    int backendIndex(const QByteArray &address) const
    {
        for (size_t i = 0; i < m_backends.size(); ++i) {
            if (address == "127.0.0.1:" + QByteArray::number(m_backends[i]->port()))
                return int(i);
        }
        return -1;
    }

    Run send(const QList<Request> &requests, quint16 port)
    {
        Run run;
        QList<quint16> peerPorts;
        std::unique_ptr<HttpTestClient> client;
        for (qsizetype i = 0; i < requests.size(); ++i) {
            const Request &request = requests[i];
            const bool keepAlive = i + 1 < requests.size() && requests[i + 1].sameConnection;
            if (!request.sameConnection || !client) {
                client = std::make_unique<HttpTestClient>();
                const QHostAddress source(QString::fromLatin1(request.source.isEmpty() ? "127.0.0.1" : request.source));
                if (!client->connectTo(port, source)) {
                    run.outcomes.append("no connection from " + request.source);
                    peerPorts.append(0);
                    continue;
                }
            }
            const quint16 peerPort = client->socket().localPort();
            peerPorts.append(peerPort);
            client->send(wire(request, keepAlive));
            run.outcomes.append(outcome(client->readResponse(request.method == "HEAD", WaitMs), request, peerPort));
        }
        // Both write the line once the response is out: wait for all of them.
        // (a shortfall shows as a difference in the comparison)
        (void)QTest::qWaitFor([&] { return readLog().size() >= requests.size(); }, WaitMs);
        const QByteArrayList lines = readLog();
        for (qsizetype i = 0; i < lines.size(); ++i)
            run.logLines.append(withoutPeerPort(lines[i], peerPorts.value(i)));
        return run;
    }

    QByteArray outcome(const std::optional<HttpResponse> &response, const Request &request, quint16 peerPort) const
    {
        if (!response)
            return "no response";
        QByteArray text = QByteArray::number(response->status);
        if (response->hasHeader("X-Upstream-Addr"))
            text += " backend " + QByteArray::number(backendIndex(response->header("X-Upstream-Addr")));
        if (request.variables)
            text += " [" + withoutPeerPort(response->header("X-Remote"), peerPort) + ']';
        text += " Connection: " + response->header("Connection");
        if (response->status >= 400) {
            // nginx's error pages name nginx, LB Scope's name LB Scope.
            QByteArray body = response->body;
            body.replace(QByteArray(QByteArray("nginx/") + NginxModules::Version), "SERVER");
            body.replace("lbscope", "SERVER");
            text += " body " + QByteArray::number(qHash(body), 16);
        }
        return text;
    }

    QByteArrayList readLog() const
    {
        QFile file(logPath());
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QByteArrayList lines = file.readAll().split('\n');
        if (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines;
    }

    NginxAndLbscope m_proxies;
    std::vector<std::unique_ptr<DemoBackend>> m_backends;
};

// The requests and log lines where the two differ.
QByteArray describe(const Case &test, const Run &nginx, const Run &lbscope)
{
    QByteArray text;
    for (qsizetype i = 0; i < test.requests.size(); ++i) {
        if (nginx.outcomes.value(i) == lbscope.outcomes.value(i))
            continue;
        const Request &request = test.requests[i];
        text += "\n" + QByteArray::number(i) + ": " + request.method + ' ' + request.path + " from " +
                (request.source.isEmpty() ? "127.0.0.1" : request.source) + " | " + request.headers.join(" | ") +
                "\n    nginx:   " + nginx.outcomes.value(i) + "\n    lbscope: " + lbscope.outcomes.value(i);
    }
    const qsizetype lines = std::max(nginx.logLines.size(), lbscope.logLines.size());
    for (qsizetype i = 0; i < lines; ++i) {
        if (nginx.logLines.value(i) != lbscope.logLines.value(i)) {
            text += "\nlog line " + QByteArray::number(i) + "\n    nginx:   " + nginx.logLines.value(i) +
                    "\n    lbscope: " + lbscope.logLines.value(i);
        }
    }
    return text;
}

} // namespace

class TestNginxRealIp : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
    }

    void ipHashBehindAProxy_data();
    void ipHashBehindAProxy() { compareWithNginx(); }
    void accessRules_data();
    void accessRules() { compareWithNginx(); }
    void realIpBeforeAccess_data();
    void realIpBeforeAccess() { compareWithNginx(); }

private:
    void compareWithNginx()
    {
        QFETCH(Case, test);
        Bench bench(m_nginx);
        QString error;
        QVERIFY2(bench.startBackends(&error), qPrintable(error));
        Run nginx, lbscope;
        QVERIFY2(bench.run(test, true, &nginx, &error), qPrintable(error));
        QVERIFY2(bench.run(test, false, &lbscope, &error), qPrintable(error));
        const QByteArray both = describe(test, nginx, lbscope);
        QCOMPARE(nginx.outcomes.size(), test.requests.size());
        QCOMPARE(nginx.logLines.size(), test.requests.size());
        QVERIFY2(nginx.outcomes == lbscope.outcomes, both.constData());
        QVERIFY2(nginx.logLines == lbscope.logLines, both.constData());
    }

    QString m_nginx;
};

void TestNginxRealIp::ipHashBehindAProxy_data()
{
    QTest::addColumn<Case>("test");
    const auto realIp = [](int k) { return QByteArrayList{"X-Real-IP: " + client(k)}; };
    const auto both = [](int k) {
        return QByteArrayList{"X-Forwarded-For: " + client(k) + ", 10.0.0.1", "X-Real-IP: " + client(k + 100)};
    };
    const QByteArray trustXff =
        "        set_real_ip_from 127.0.0.1;\n        set_real_ip_from 10.0.0.0/8;\n        real_ip_header "
        "X-Forwarded-For;\n";

    QTest::newRow("X-Real-IP from a trusted peer")
        << Case{{}, "        set_real_ip_from 127.0.0.1;\n", {}, eachClient(40, realIp)};
    QTest::newRow("X-Real-IP from an untrusted peer")
        << Case{{}, "        set_real_ip_from 127.0.0.2;\n", {}, eachClient(12, realIp)};
    QList<Request> sources;
    for (int k = 0; k < 16; ++k)
        sources.append(from("127.0.0." + QByteArray::number(k % 4 + 1), "/", realIp(k)));
    QTest::newRow("X-Real-IP, peers in a trusted network")
        << Case{{}, "        set_real_ip_from 127.0.0.0/30;\n", {}, sources};
    QTest::newRow("X-Real-IP values") << Case{{}, "        set_real_ip_from 127.0.0.1;\n", {}, realIpValues()};
    QTest::newRow("X-Forwarded-For, last address") << Case{{}, trustXff, {}, forwardedChains()};
    QTest::newRow("X-Forwarded-For, recursive")
        << Case{{}, trustXff + "        real_ip_recursive on;\n", {}, forwardedChains()};
    QTest::newRow("X-Forwarded-For lines, recursive")
        << Case{{}, trustXff + "        real_ip_recursive on;\n", {}, forwardedLines()};
    QTest::newRow("X-Forwarded-For lines, last address") << Case{{}, trustXff, {}, forwardedLines()};
    QTest::newRow("IPv6 trusted proxies")
        << Case{{},
                "        set_real_ip_from 127.0.0.1;\n        set_real_ip_from 2001:db8::/32;\n"
                "        real_ip_header X-Forwarded-For;\n        real_ip_recursive on;\n",
                {},
                eachClient(16, [](int k) {
                    return QByteArrayList{"X-Forwarded-For: " + client(k) + ", 2001:db8::" + QByteArray::number(k) +
                                          (k % 2 ? ", 2001:db9::1" : "")};
                })};
    QTest::newRow("any header, recursive")
        << Case{{},
                "        set_real_ip_from 127.0.0.1;\n        set_real_ip_from 10.0.0.0/8;\n"
                "        real_ip_header CF-Connecting-IP;\n        real_ip_recursive on;\n",
                {},
                eachClient(16, [](int k) {
                    return QByteArrayList{"cf-connecting-ip: " + client(k) + ", 10.0.0.1",
                                          "CF-Connecting-IP: " + client(k + 50)};
                })};
    // Spelt otherwise than nginx's own name, X-Forwarded-For is any header: its first line only.
    QTest::newRow("x-forwarded-for in lower case")
        << Case{{},
                "        set_real_ip_from 127.0.0.1;\n        set_real_ip_from 10.0.0.0/8;\n"
                "        real_ip_header x-forwarded-for;\n        real_ip_recursive on;\n",
                {},
                forwardedLines()};
    QTest::newRow("the location's settings when the server's find nothing")
        << Case{{},
                {},
                "        location / {\n            set_real_ip_from 127.0.0.1;\n            set_real_ip_from "
                "10.0.0.0/8;\n            real_ip_header X-Forwarded-For;\n            real_ip_recursive on;\n"
                "            proxy_pass http://pool;\n        }\n",
                forwardedChains()};
    QList<Request> serverFirst = eachClient(12, both);
    serverFirst += eachClient(6, [](int k) { return QByteArrayList{"X-Forwarded-For: " + client(k + 20)}; });
    QTest::newRow("the server's settings first, then the location's")
        << Case{{},
                "        set_real_ip_from 127.0.0.1;\n",
                "        location / {\n            real_ip_header X-Forwarded-For;\n            proxy_pass "
                "http://pool;\n        }\n",
                serverFirst};
    QTest::newRow("http level inherited")
        << Case{"    set_real_ip_from 127.0.0.0/8;\n    set_real_ip_from 10.0.0.0/8;\n    real_ip_header "
                "X-Forwarded-For;\n",
                "        real_ip_recursive on;\n",
                {},
                forwardedChains()};
    QTest::newRow("set_real_ip_from a host name")
        << Case{{}, "        set_real_ip_from localhost;\n", {}, eachClient(12, realIp)};
    QTest::newRow("set_real_ip_from unix: trusts no TCP peer")
        << Case{{}, "        set_real_ip_from unix:;\n", {}, eachClient(6, realIp)};
    QTest::newRow("real_ip_header proxy_protocol without the PROXY protocol") << Case{
        {}, "        set_real_ip_from 127.0.0.1;\n        real_ip_header proxy_protocol;\n", {}, eachClient(6, realIp)};
    // Realip lasts for its request: the next one on the connection starts from the peer again.
    QList<Request> keptAlive;
    for (int k = 0; k < 8; ++k) {
        Request request = k % 3 == 2 ? Request{} : withHeaders(realIp(k));
        request.sameConnection = k > 0;
        keptAlive.append(request);
    }
    QTest::newRow("kept alive, each request its own client")
        << Case{{}, "        set_real_ip_from 127.0.0.1;\n", {}, keptAlive};
}

void TestNginxRealIp::accessRules_data()
{
    QTest::addColumn<Case>("test");
    const QByteArray proxied = "            proxy_pass http://pool;\n        }\n";

    QTest::newRow("allow some, then deny all")
        << Case{{},
                "        allow 127.0.0.2;\n        allow 127.0.0.4/31;\n        deny all;\n",
                {},
                fromSources(loopbackSources(8))};
    QTest::newRow("no rule matches: let in")
        << Case{{},
                "        deny 127.0.0.3;\n        deny 127.0.0.6/31;\n        allow 127.0.0.7;\n",
                {},
                fromSources(loopbackSources(8))};
    QTest::newRow("first match wins") << Case{
        {},
        "        deny 127.0.0.2;\n        allow 127.0.0.0/29;\n        deny 127.0.0.3;\n        deny all;\n",
        {},
        fromSources(loopbackSources(9))};
    QTest::newRow("networks") << Case{
        {},
        "        allow 127.0.0.0/31;\n        deny 127.0.0.0/30;\n        allow 127.0.0.0/8;\n",
        {},
        fromSources({"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.1.2.3", "127.255.0.1"})};
    QTest::newRow("low address bits dropped")
        << Case{{}, "        deny 127.0.0.5/30;\n", {}, fromSources(loopbackSources(8))};
    QTest::newRow("the location's rules replace the server's")
        << Case{{},
                "        deny all;\n",
                "        location / {\n" + proxied + "        location /open/ {\n            allow all;\n" + proxied +
                    "        location /mine/ {\n            allow 127.0.0.2;\n            deny all;\n" + proxied,
                fromSources({"127.0.0.1", "127.0.0.2", "127.0.0.3"}, {"/", "/open/x", "/mine/x"})};
    // Any rule at all replaces the outer level's, even one for the other address family.
    QTest::newRow("IPv6 or unix: rules alone let IPv4 clients in")
        << Case{{},
                "        deny all;\n",
                "        location /v6/ {\n            deny ::1;\n" + proxied +
                    "        location /unix/ {\n"
                    "            allow unix:;\n" +
                    proxied + "        location / {\n" + proxied,
                fromSources({"127.0.0.1", "127.0.0.2"}, {"/v6/", "/unix/", "/"})};
    QTest::newRow("http level inherited") << Case{
        "    deny 127.0.0.5;\n    deny 127.0.0.6;\n",
        {},
        "        location / {\n" + proxied + "        location /own/ {\n            deny 127.0.0.1;\n" + proxied,
        fromSources(loopbackSources(6), {"/", "/own/"})};
    // With no location, the server's rules; nginx then answers 404 (no static files here).
    QList<Request> unrouted = fromSources({"127.0.0.1", "127.0.0.2"}, {"/app/", "/elsewhere"});
    for (Request &request : unrouted)
        request.variables = request.path == "/app/"; // LB Scope adds no add_header without a location
    QTest::newRow("no location matches") << Case{
        {}, "        deny 127.0.0.2;\n", "        location /app/ {\n" + proxied, unrouted};
    QTest::newRow("a location without proxy_pass") << Case{{},
                                                           "        deny 127.0.0.2;\n",
                                                           "        location /static/ {\n        }\n",
                                                           fromSources({"127.0.0.1", "127.0.0.2"}, {"/static/x"})};
    // 403 keeps the connection, as nginx does.
    QList<Request> keptAlive;
    for (const QByteArray path : {"/", "/closed/", "/", "/closed/", "/closed/", "/"}) {
        Request request = from("127.0.0.3", path);
        request.sameConnection = !keptAlive.isEmpty();
        keptAlive.append(request);
    }
    keptAlive[2].method = "HEAD";
    keptAlive[3].method = "HEAD";
    QTest::newRow("kept alive after 403")
        << Case{{},
                {},
                "        location / {\n" + proxied + "        location /closed/ {\n            deny all;\n" + proxied,
                keptAlive};
    // client_max_body_size is checked when the location is found, before the access phase.
    QList<Request> bodies = {from("127.0.0.2", "/small/"), from("127.0.0.1", "/small/"), from("127.0.0.2", "/small/")};
    bodies[0].method = bodies[1].method = "POST";
    bodies[0].contentLength = bodies[1].contentLength = 50;
    QTest::newRow("413 before 403") << Case{{},
                                            "        deny 127.0.0.2;\n",
                                            "        location /small/ {\n            client_max_body_size 10;\n" +
                                                proxied,
                                            bodies};
}

void TestNginxRealIp::realIpBeforeAccess_data()
{
    QTest::addColumn<Case>("test");
    const QList<Request> forwarded = {
        withHeaders({"X-Forwarded-For: 20.1.1.1"}),
        withHeaders({"X-Forwarded-For: 30.1.1.1"}),
        withHeaders({"X-Forwarded-For: 20.1.1.1, 10.0.0.1"}),
        withHeaders({"X-Forwarded-For: 30.1.1.1, 20.1.1.1, 10.0.0.1"}),
        withHeaders({"X-Forwarded-For: 20.1.1.1, 172.16.0.1, 10.0.0.1"}),
        withHeaders({"X-Forwarded-For: junk, 20.1.1.1"}),
        withHeaders({"X-Forwarded-For: 20.1.1.1", "X-Forwarded-For: 10.0.0.3"}),
        from("127.0.0.2", "/", {"X-Forwarded-For: 20.1.1.1"}),
        from("127.0.0.3", "/", {"X-Forwarded-For: 20.1.1.1"}),
        from("127.0.0.1"),
    };
    QTest::newRow("the real client is let in or not")
        << Case{{},
                "        set_real_ip_from 127.0.0.1;\n        set_real_ip_from 10.0.0.0/8;\n"
                "        real_ip_header X-Forwarded-For;\n        real_ip_recursive on;\n"
                "        allow 20.0.0.0/8;\n        allow 127.0.0.3;\n        deny all;\n",
                {},
                forwarded};
    QTest::newRow("the location's realip before the location's rules")
        << Case{{},
                "        allow 127.0.0.1;\n        deny all;\n",
                "        location / {\n            set_real_ip_from 127.0.0.0/8;\n            set_real_ip_from "
                "10.0.0.0/8;\n            real_ip_header X-Forwarded-For;\n            real_ip_recursive on;\n"
                "            allow 20.0.0.0/8;\n            allow 127.0.0.3;\n            deny all;\n"
                "            proxy_pass http://pool;\n        }\n",
                forwarded};
    // The server's realip has replaced the client before the server's rules are looked at.
    QTest::newRow("realip at server level, rules at location level")
        << Case{{},
                "        set_real_ip_from 127.0.0.0/8;\n",
                "        location / {\n            deny 20.1.1.1;\n            proxy_pass http://pool;\n        }\n",
                {withHeaders({"X-Real-IP: 20.1.1.1"}), withHeaders({"X-Real-IP: 20.1.1.2"}),
                 from("127.0.0.2", "/", {"X-Real-IP: 20.1.1.1"}), from("127.0.0.2")}};
}

QTEST_GUILESS_MAIN(TestNginxRealIp)
#include "tst_nginxrealip.moc"
