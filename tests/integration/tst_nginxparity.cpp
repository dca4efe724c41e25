// Parity with the real nginx: nginx 1.22 (as a child process) and LB Scope's engine read the
// same configuration file and proxy to the same demo backends. The same requests go first to
// nginx, then to LB Scope, each started fresh, and the backends they choose (X-Upstream-Addr,
// filled from $upstream_addr by both) must be the same, request for request. Every wait is
// bounded and event-driven.

#include "config/configreader.h"
#include "demo/demobackend.h"
#include "httptestclient.h"
#include "proxy/engine.h"
#include "twin/nginxprocess.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int StartTimeoutMs = 10'000;
constexpr int ResponseTimeoutMs = 10'000;

struct Request
{
    QByteArray path = "/";
    QHostAddress source; // null: the system's choice (127.0.0.1)
};

// Backends that refuse connections during a run: `refusing` for all of it,
// `refusingFirst` only until the first request has been answered (-1: none).
struct Faults
{
    QList<int> refusing;
    int refusingFirst = -1;
};

} // namespace

Q_DECLARE_METATYPE(Request)
Q_DECLARE_METATYPE(Faults)

namespace {

// ---- requests ---------------------------------------------------------------------------

QList<Request> repeated(int count, const QByteArray &path = "/")
{
    return QList<Request>(count, Request{path, {}});
}

QList<Request> fromPaths(const QByteArrayList &paths)
{
    QList<Request> requests;
    for (const QByteArray &path : paths)
        requests.append(Request{path, {}});
    return requests;
}

QList<Request> fromSources(const QList<QHostAddress> &sources)
{
    QList<Request> requests;
    for (const QHostAddress &source : sources)
        requests.append(Request{"/", source});
    return requests;
}

QList<Request> twice(const QList<Request> &requests)
{
    return requests + requests;
}

QByteArrayList numbered(const QByteArray &prefix, int count)
{
    QByteArrayList paths;
    for (int i = 0; i < count; ++i)
        paths.append(prefix + QByteArray::number(i));
    return paths;
}

// ip_hash keys on the first three octets, so the second and third both vary.
QList<QHostAddress> ipHashSources(int count)
{
    QList<QHostAddress> sources;
    for (int k = 0; k < count; ++k)
        sources.append(QHostAddress(u"127.%1.%2.1"_s.arg(k).arg((k * 37) % 256)));
    return sources;
}

// $remote_addr hashes the whole text, so the last octet varies too.
QList<QHostAddress> remoteAddrSources(int count)
{
    QList<QHostAddress> sources;
    for (int k = 0; k < count; ++k)
        sources.append(QHostAddress(u"127.%1.%2.%3"_s.arg(k * 7 % 256).arg(k * 13 % 256).arg(k + 2)));
    return sources;
}

QByteArray wire(const QByteArray &path)
{
    return "GET " + path + " HTTP/1.1\r\nHost: parity.test\r\nConnection: close\r\n\r\n";
}

QByteArray describe(const Request &request)
{
    if (request.source.isNull())
        return request.path;
    return request.path + " from " + request.source.toString().toLatin1();
}

QByteArray outcome(const std::optional<HttpResponse> &response)
{
    if (!response)
        return "no response";
    if (!response->hasHeader("X-Upstream-Addr"))
        return QByteArray::number(response->status) + " without X-Upstream-Addr";
    return QByteArray::number(response->status) + ' ' + response->header("X-Upstream-Addr");
}

// ---- backends ---------------------------------------------------------------------------

class Backends
{
public:
    bool start(int count, QString *error)
    {
        for (int i = 0; i < count; ++i) {
            auto backend = std::make_unique<DemoBackend>();
            DemoBackend::Options options;
            options.name = u"backend-"_s + QChar(u'A' + i);
            if (!backend->start(options, error))
                return false;
            m_list.push_back(std::move(backend));
        }
        return true;
    }

    int size() const { return int(m_list.size()); }

    QByteArray address(int index) const { return "127.0.0.1:" + QByteArray::number(m_list[size_t(index)]->port()); }

    // -1 for an address that is none of ours.
    int indexOf(QByteArrayView address) const
    {
        for (int i = 0; i < size(); ++i) {
            if (address == this->address(i))
                return i;
        }
        return -1;
    }

    void setRefusing(const QList<int> &indices, bool refusing)
    {
        for (int index : indices)
            m_list[size_t(index)]->setCrashed(refusing);
    }

    void acceptAgain()
    {
        for (const auto &backend : m_list)
            backend->setCrashed(false);
    }

    QList<int> loads() const
    {
        QList<int> loads;
        for (const auto &backend : m_list)
            loads.append(backend->connectionCount());
        return loads;
    }

    int totalLoad() const
    {
        const QList<int> all = loads();
        return std::accumulate(all.cbegin(), all.cend(), 0);
    }

    // The proxy that ran before has closed everything it had open.
    bool waitUntilIdle()
    {
        return QTest::qWaitFor([this] { return totalLoad() == 0; }, 10'000);
    }

private:
    std::vector<std::unique_ptr<DemoBackend>> m_list;
};

// ---- the two proxies --------------------------------------------------------------------

// nginx in the foreground (the core's NginxProcess, as the nginx twin runs it), stopped when
// it goes out of scope.
class Nginx
{
public:
    explicit Nginx(const QString &binary) { m_process.setBinary(binary); }

    bool start(const QString &prefix, quint16 port, QString *error)
    {
        m_process.start(prefix, prefix + u"/nginx.conf"_s, port);
        const bool settled = QTest::qWaitFor(
            [&] {
                return m_process.state() == NginxProcess::State::Running ||
                       m_process.state() == NginxProcess::State::NotRunning;
            },
            NginxProcess::StartTimeoutMs + StartTimeoutMs);
        if (settled && m_process.state() == NginxProcess::State::Running)
            return true;
        *error = u"nginx did not start: "_s + m_process.errorText();
        return false;
    }

private:
    NginxProcess m_process;
};

class LbscopeEngine
{
public:
    bool start(const QString &configPath, QString *error)
    {
        const ConfigReadResult result = ConfigReader::readFile(configPath);
        if (!result.ok()) {
            *error = result.error->toString();
            return false;
        }
        ProxyConfig config = *result.config;
        config.servers[0].listens[0].port = 0; // the system picks one: no clash with nginx's
        if (!m_engine.start(config, error))
            return false;
        m_port = m_engine.listeningAddresses().first().second;
        return true;
    }

    quint16 port() const { return m_port; }

private:
    Engine m_engine;
    quint16 m_port = 0;
};

// ---- one case: backends, the config file, and a run against each proxy -----------------

struct Parity
{
    QByteArrayList nginx;
    QByteArrayList lbscope;
};

class Bench
{
public:
    explicit Bench(const QString &nginxBinary)
        : m_nginxBinary(nginxBinary)
    {
        NginxProcess::preparePrefix(m_dir.path());
    }

    Backends &backends() { return m_backends; }

    // `method` comes before the server lines, whose parameters are `servers` (one per backend).
    bool setUp(const QString &method, const QStringList &servers, const QString &location, int workers, QString *error)
    {
        if (!m_dir.isValid() || !m_backends.start(int(servers.size()), error))
            return false;
        m_nginxPort = NginxProcess::freeLoopbackPort();
        QFile file(configPath());
        if (!file.open(QIODevice::WriteOnly) || file.write(configText(method, servers, location, workers)) < 0) {
            *error = file.errorString();
            return false;
        }
        return true;
    }

    // Runs `run` against a fresh nginx, then against a fresh LB Scope; the backends are idle
    // in between, so neither run can see the other's traffic.
    bool runOnBoth(const std::function<QByteArrayList(quint16 port)> &run, Parity *parity, QString *error)
    {
        {
            Nginx nginx(m_nginxBinary);
            if (!nginx.start(m_dir.path(), m_nginxPort, error))
                return false;
            parity->nginx = run(m_nginxPort);
        }
        m_backends.acceptAgain();
        if (!m_backends.waitUntilIdle()) {
            *error = u"backends still busy after nginx stopped"_s;
            return false;
        }
        LbscopeEngine lbscope;
        if (!lbscope.start(configPath(), error))
            return false;
        parity->lbscope = run(lbscope.port());
        m_backends.acceptAgain();
        return true;
    }

private:
    QString configPath() const { return m_dir.filePath(u"nginx.conf"_s); }

    QByteArray configText(const QString &method, const QStringList &servers, const QString &location, int workers) const
    {
        QString upstream = u"        "_s + method + u'\n';
        for (int i = 0; i < m_backends.size(); ++i)
            upstream += u"        server %1 %2;\n"_s.arg(QString::fromLatin1(m_backends.address(i)), servers[i]);
        const QString text = uR"(worker_processes %1;
%2events {}
http {
    access_log off;
%6    upstream pool {
%3    }
    server {
        listen 127.0.0.1:%4;
        location / {
            proxy_pass http://pool;
            add_header X-Upstream-Addr $upstream_addr always;
%5        }
    }
}
)"_s;
        return text
            .arg(QString::number(workers), QString::fromUtf8(NginxProcess::mainDirectives(m_dir.path())), upstream,
                 QString::number(m_nginxPort), location,
                 QString::fromUtf8(NginxProcess::httpTempDirectives(m_dir.path())))
            .toUtf8();
    }

    QString m_nginxBinary;
    QTemporaryDir m_dir;
    Backends m_backends;
    quint16 m_nginxPort = 0;
};

// ---- runs -------------------------------------------------------------------------------

std::optional<HttpResponse> send(quint16 port, const Request &request)
{
    HttpTestClient client;
    if (!client.connectTo(port, request.source))
        return std::nullopt;
    client.send(wire(request.path));
    return client.readResponse(false, ResponseTimeoutMs);
}

// One request at a time, each on its own connection and read fully before the next.
QByteArrayList runSequence(quint16 port, const QList<Request> &requests, const Faults &faults, Backends &backends)
{
    backends.setRefusing(faults.refusing, true);
    if (faults.refusingFirst >= 0)
        backends.setRefusing({faults.refusingFirst}, true);
    QByteArrayList entries;
    for (const Request &request : requests) {
        const auto response = send(port, request);
        if (faults.refusingFirst >= 0)
            backends.setRefusing({faults.refusingFirst}, false);
        entries.append(describe(request) + " -> " + outcome(response));
        if (!response)
            break; // one timeout tells enough; do not wait out the rest
    }
    return entries;
}

QByteArray joined(const QList<int> &numbers)
{
    QByteArrayList texts;
    for (int number : numbers)
        texts.append(QByteArray::number(number));
    return texts.join(',');
}

// `count` slow requests sent one after another without waiting for the answers; each is
// sent only once the previous one has reached a backend, so every pick sees all earlier
// ones in flight. Entries: the backends' loads when the request was sent, then the outcome.
QByteArrayList runConcurrent(quint16 port, Backends &backends, int count, const QByteArray &path)
{
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    QByteArrayList loads;
    QByteArray stalled;
    for (int i = 0; i < count && stalled.isEmpty(); ++i) {
        loads.append(joined(backends.loads()));
        auto client = std::make_unique<HttpTestClient>();
        if (!client->connectTo(port)) {
            stalled = "request " + QByteArray::number(i) + " could not connect";
            break;
        }
        client->send(wire(path));
        clients.push_back(std::move(client));
        if (!QTest::qWaitFor([&] { return backends.totalLoad() == i + 1; }, 5'000))
            stalled = "request " + QByteArray::number(i) + " never reached a backend";
    }
    QByteArrayList entries;
    for (size_t i = 0; i < clients.size(); ++i)
        entries.append("in flight " + loads[qsizetype(i)] + " -> " +
                       outcome(clients[i]->readResponse(false, ResponseTimeoutMs)));
    if (!stalled.isEmpty())
        entries.append(stalled);
    return entries;
}

// ---- statistics for random --------------------------------------------------------------

QList<double> shares(const QList<int> &weights)
{
    const double total = std::accumulate(weights.cbegin(), weights.cend(), 0.0);
    QList<double> shares;
    for (int weight : weights)
        shares.append(weight / total);
    return shares;
}

// With nothing in flight every pair ties, and `random two` takes its second draw: a peer
// other than the first draw, drawn by weight. So it does NOT follow the weights.
QList<double> secondDrawShares(const QList<int> &weights)
{
    const QList<double> p = shares(weights);
    QList<double> q(p.size(), 0.0);
    for (qsizetype first = 0; first < p.size(); ++first) {
        for (qsizetype second = 0; second < p.size(); ++second) {
            if (second != first)
                q[second] += p[first] * p[second] / (1.0 - p[first]);
        }
    }
    return q;
}

double chiSquare(const QList<int> &picks, const QList<double> &expectedShares)
{
    QList<int> counts(expectedShares.size(), 0);
    for (int pick : picks)
        ++counts[pick];
    double chi2 = 0.0;
    for (qsizetype i = 0; i < counts.size(); ++i) {
        const double expected = expectedShares[i] * double(picks.size());
        chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    return chi2;
}

// How many standard deviations the number of "same backend as the previous request" lies
// from what independent draws give. A fixed cycle (round robin) fits the weights exactly,
// so the chi-square test alone would pass it; its repeats are far off.
double repeatsDeviation(const QList<int> &picks, const QList<double> &shares)
{
    double same = 0.0;
    double sameTriple = 0.0;
    for (double share : shares) {
        same += share * share;
        sameTriple += share * share * share;
    }
    int repeats = 0;
    for (qsizetype i = 1; i < picks.size(); ++i)
        repeats += picks[i] == picks[i - 1] ? 1 : 0;
    const double pairs = double(picks.size() - 1);
    // Neighbouring pairs overlap, hence the covariance term.
    const double variance = pairs * same * (1.0 - same) + 2.0 * (pairs - 1.0) * (sameTriple - same * same);
    return (repeats - pairs * same) / std::sqrt(variance);
}

// The backend index of each "200 ADDR" entry; an empty list with *bad set otherwise.
QList<int> picksOf(const QByteArrayList &entries, const Backends &backends, QByteArray *bad)
{
    QList<int> picks;
    for (const QByteArray &entry : entries) {
        const QByteArray address = entry.mid(entry.indexOf(" -> ") + 4);
        const int index = address.startsWith("200 ") ? backends.indexOf(address.mid(4)) : -1;
        if (index < 0) {
            *bad = entry;
            return {};
        }
        picks.append(index);
    }
    return picks;
}

QByteArray randomFit(const QByteArrayList &entries, const Backends &backends, const QList<double> &expected)
{
    QByteArray bad;
    const QList<int> picks = picksOf(entries, backends, &bad);
    if (picks.isEmpty())
        return "unexpected answer: " + bad;
    const double chi2 = chiSquare(picks, expected);
    const double deviation = repeatsDeviation(picks, expected);
    QList<int> counts(expected.size(), 0);
    for (int pick : picks)
        ++counts[pick];
    const QByteArray summary = "counts " + joined(counts) + ", chi2 " + QByteArray::number(chi2, 'f', 2) +
                               ", repeats off by " + QByteArray::number(deviation, 'f', 1) + " sd";
    // 13.82: p < 0.001 with 2 degrees of freedom; 5 sd: p < 1e-6.
    if (chi2 > 13.82 || std::abs(deviation) > 5.0)
        return "not random by the weights: " + summary;
    return {};
}

// `random two` picks the less loaded (per weight) of two distinct peers, so it never picks
// a peer that is strictly busier per weight than every other one.
QByteArray busiestPick(const QByteArrayList &entries, const Backends &backends, const QList<int> &weights)
{
    for (const QByteArray &entry : entries) {
        const QByteArrayList parts = entry.split(' '); // in flight L,L,L -> 200 ADDR
        if (parts.size() != 6 || parts[4] != "200")
            return "unexpected answer: " + entry;
        const int chosen = backends.indexOf(parts[5]);
        const QByteArrayList loads = parts[2].split(',');
        if (chosen < 0 || loads.size() != weights.size())
            return "unexpected answer: " + entry;
        bool someoneBusier = false;
        for (qsizetype other = 0; other < weights.size(); ++other) {
            if (other != chosen && loads[other].toInt() * weights[chosen] >= loads[chosen].toInt() * weights[other])
                someoneBusier = true;
        }
        if (!someoneBusier)
            return "picked the busiest peer: " + entry;
    }
    return {};
}

QStringList weighted(const QList<int> &weights)
{
    QStringList servers;
    for (int weight : weights)
        servers.append(weight == 1 ? QString() : u"weight=%1"_s.arg(weight));
    return servers;
}

} // namespace

class TestNginxParity : public QObject
{
    Q_OBJECT

private:
    QString m_nginx;

    void addSequence(const char *name, const QString &method, const QStringList &servers,
                     const QList<Request> &requests, const Faults &faults = {}, int workers = 1)
    {
        QTest::newRow(name) << method << servers << requests << faults << workers;
    }

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it");
    }

    void sequencesMatch_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QStringList>("servers");
        QTest::addColumn<QList<Request>>("requests");
        QTest::addColumn<Faults>("faults");
        QTest::addColumn<int>("workers");

        addSequence("rr 1,1,1", {}, weighted({1, 1, 1}), repeated(30));
        addSequence("rr 5,1,1", {}, weighted({5, 1, 1}), repeated(30));
        addSequence("rr 3,2", {}, weighted({3, 2}), repeated(30));
        addSequence("rr 2,1,4,1", {}, weighted({2, 1, 4, 1}), repeated(30));

        addSequence("down and backup", {}, {{}, u"down"_s, u"backup"_s}, repeated(20));
        addSequence("only backups live", {}, {u"down"_s, u"down"_s, u"backup"_s, u"backup weight=2"_s}, repeated(20));

        const QString failOnce = u"max_fails=1 fail_timeout=30s"_s;
        addSequence("refusing peer", {}, {failOnce, {}, {}}, repeated(20), Faults{{0}, -1});
        // The spec's verified example (1.5): A's weight drops by 4/2 and climbs back.
        addSequence("refusing first request, weight=4 max_fails=2", {},
                    {u"weight=4 max_fails=2 fail_timeout=30s"_s, {}}, repeated(20), Faults{{}, 0});
        addSequence("all refusing: no live upstreams", {}, {failOnce, failOnce}, repeated(6), Faults{{0, 1}, -1});
        addSequence("refusing primaries, backup", {}, {failOnce, failOnce, u"backup"_s}, repeated(10),
                    Faults{{0, 1}, -1});

        const QList<Request> ipHashClients = twice(fromSources(ipHashSources(60)));
        addSequence("ip_hash", u"ip_hash;"_s, weighted({1, 1, 1}), ipHashClients);
        addSequence("ip_hash 2,1,3", u"ip_hash;"_s, weighted({2, 1, 3}), ipHashClients);
        addSequence("ip_hash with down", u"ip_hash;"_s, {{}, u"down"_s, {}}, ipHashClients);
        addSequence("ip_hash with refusing peer", u"ip_hash;"_s, {failOnce, {}, {}}, ipHashClients, Faults{{0}, -1});

        const QList<Request> items = fromPaths(numbered("/item/", 100));
        addSequence("hash uri 1,2,1", u"hash $request_uri;"_s, weighted({1, 2, 1}), items);
        addSequence("hash uri consistent 1,2,1", u"hash $request_uri consistent;"_s, weighted({1, 2, 1}), items);
        addSequence("hash arg_user 1,2,1", u"hash $arg_user;"_s, weighted({1, 2, 1}),
                    fromPaths(numbered("/profile?user=user", 50)));
        addSequence("hash remote_addr consistent", u"hash $remote_addr consistent;"_s, weighted({1, 1, 1}),
                    twice(fromSources(remoteAddrSources(30))));
        addSequence("hash uri with down", u"hash $request_uri;"_s, {{}, u"down"_s, {}}, items);
        addSequence("hash uri consistent with down", u"hash $request_uri consistent;"_s, {{}, u"down"_s, {}}, items);

        addSequence("least_conn sequential 5,1,1", u"least_conn;"_s, weighted({5, 1, 1}), repeated(21));

        // Shared state: deterministic whichever worker accepts each connection.
        addSequence("zone, two workers, 5,1,1", u"zone pool 64k;"_s, weighted({5, 1, 1}), repeated(30), {}, 2);
    }

    void sequencesMatch()
    {
        QFETCH(QString, method);
        QFETCH(QStringList, servers);
        QFETCH(QList<Request>, requests);
        QFETCH(Faults, faults);
        QFETCH(int, workers);

        Bench bench(m_nginx);
        QString error;
        QVERIFY2(bench.setUp(method, servers, {}, workers, &error), qPrintable(error));
        Parity parity;
        const auto run = [&](quint16 port) { return runSequence(port, requests, faults, bench.backends()); };
        QVERIFY2(bench.runOnBoth(run, &parity, &error), qPrintable(error));
        QCOMPARE(parity.nginx.size(), requests.size());
        QCOMPARE(parity.lbscope, parity.nginx);
    }

    void concurrentLeastConnMatches_data()
    {
        QTest::addColumn<QList<int>>("weights");
        QTest::newRow("1,1,1") << QList<int>{1, 1, 1};
        QTest::newRow("2,1,1") << QList<int>{2, 1, 1};
    }

    void concurrentLeastConnMatches()
    {
        QFETCH(QList<int>, weights);
        Bench bench(m_nginx);
        QString error;
        QVERIFY2(bench.setUp(u"least_conn;"_s, weighted(weights), {}, 1, &error), qPrintable(error));
        Parity parity;
        const auto run = [&](quint16 port) { return runConcurrent(port, bench.backends(), 9, "/sleep/2000"); };
        QVERIFY2(bench.runOnBoth(run, &parity, &error), qPrintable(error));
        QCOMPARE(parity.nginx.size(), 9);
        QCOMPARE(parity.lbscope, parity.nginx);
    }

    void randomFollowsItsDistribution_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QList<double>>("expected");
        const QList<int> weights{1, 2, 3};
        QTest::newRow("random") << u"random;"_s << shares(weights);
        QTest::newRow("random two") << u"random two;"_s << secondDrawShares(weights);
    }

    void randomFollowsItsDistribution()
    {
        QFETCH(QString, method);
        QFETCH(QList<double>, expected);
        Bench bench(m_nginx);
        QString error;
        QVERIFY2(bench.setUp(method, weighted({1, 2, 3}), {}, 1, &error), qPrintable(error));
        Parity parity;
        const auto run = [&](quint16 port) { return runSequence(port, repeated(600), {}, bench.backends()); };
        QVERIFY2(bench.runOnBoth(run, &parity, &error), qPrintable(error));
        const QByteArray nginxFit = randomFit(parity.nginx, bench.backends(), expected);
        QVERIFY2(nginxFit.isEmpty(), QByteArray("nginx: " + nginxFit).constData());
        const QByteArray lbscopeFit = randomFit(parity.lbscope, bench.backends(), expected);
        QVERIFY2(lbscopeFit.isEmpty(), QByteArray("lbscope: " + lbscopeFit).constData());
    }

    void randomTwoAvoidsTheBusiest()
    {
        const QList<int> weights{1, 2, 3};
        Bench bench(m_nginx);
        QString error;
        QVERIFY2(bench.setUp(u"random two;"_s, weighted(weights), {}, 1, &error), qPrintable(error));
        Parity parity;
        const auto run = [&](quint16 port) { return runConcurrent(port, bench.backends(), 9, "/sleep/2000"); };
        QVERIFY2(bench.runOnBoth(run, &parity, &error), qPrintable(error));
        const QByteArray nginxBusiest = busiestPick(parity.nginx, bench.backends(), weights);
        QVERIFY2(nginxBusiest.isEmpty(), QByteArray("nginx: " + nginxBusiest).constData());
        const QByteArray lbscopeBusiest = busiestPick(parity.lbscope, bench.backends(), weights);
        QVERIFY2(lbscopeBusiest.isEmpty(), QByteArray("lbscope: " + lbscopeBusiest).constData());
    }
};

QTEST_GUILESS_MAIN(TestNginxParity)
#include "tst_nginxparity.moc"
