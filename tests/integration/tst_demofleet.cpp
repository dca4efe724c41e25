// Integration tests of the demo fleet over real sockets on 127.x addresses: instances from a
// configuration, one by one, crash and restart, knobs, removal, and the log by cursor while
// the instances' threads serve.

#include "demo/demofleet.h"
#include "httptestclient.h"
#include "resetprobe.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <tuple>

using namespace Qt::StringLiterals;
using lbscope::DemoFleet;
using lbscope::DemoLogEntry;
using lbscope::UpstreamServer;
using lbscope::test::HttpTestClient;

namespace {

UpstreamServer server(const QString &host, quint16 port)
{
    UpstreamServer server;
    server.host = host;
    server.port = port;
    return server;
}

std::optional<DemoFleet::Instance> instanceNamed(const DemoFleet &fleet, const QString &name)
{
    for (const DemoFleet::Instance &instance : fleet.instances()) {
        if (instance.name == name)
            return instance;
    }
    return std::nullopt;
}

// One GET on a fresh connection; the X-Backend header, or the status when it is not 200.
QByteArray fetch(const QHostAddress &address, quint16 port, const QByteArray &path = "/")
{
    HttpTestClient client;
    client.socket().connectToHost(address, port);
    if (!client.socket().waitForConnected(5000))
        return "unreachable";
    client.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
    const std::optional<lbscope::test::HttpResponse> response = client.readResponse();
    if (!response)
        return "no answer";
    return response->status == 200 ? response->header("X-Backend") : QByteArray::number(response->status);
}

bool refuses(const QHostAddress &address, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(address, port);
    socket.waitForConnected(5000);
    return socket.error() == QAbstractSocket::ConnectionRefusedError;
}

} // namespace

class TestDemoFleet final : public QObject
{
    Q_OBJECT

private slots:
    void startsFromConfiguration();
    void startInstanceRefusesBadAddresses();
    void stopResetsAndRefusesRestartServes();
    void knobsWhileRunning();
    void removeInstance();
    void unknownInstance();
    void logByCursorUnderLoad();
};

void TestDemoFleet::startsFromConfiguration()
{
    lbscope::ProxyConfig config;
    lbscope::UpstreamConfig upstream;
    upstream.name = u"photos"_s;
    // localhost:0 is 127.0.0.1:0 again; 192.0.2.1 is not a loopback address.
    upstream.servers = {server(u"127.0.0.1"_s, 0), server(u"127.0.0.2"_s, 0), server(u"192.0.2.1"_s, 80),
                        server(u"localhost"_s, 0), server(u"127.0.0.4"_s, 0)};
    config.upstreams.append(upstream);
    DemoFleet fleet;
    QString error;
    QVERIFY2(fleet.start(config, &error), qPrintable(error));
    const QList<DemoFleet::Instance> instances = fleet.instances();
    QCOMPARE(instances.size(), 3);
    QCOMPARE(instances.at(0).name, u"web-client"_s);
    QCOMPARE(instances.at(1).name, u"web-client2"_s);
    QCOMPARE(instances.at(2).name, u"web-client3"_s);
    QCOMPARE(instances.at(1).address, QHostAddress(u"127.0.0.2"_s));
    QCOMPARE(instances.at(2).address, QHostAddress(u"127.0.0.4"_s));
    for (const DemoFleet::Instance &instance : instances) {
        QVERIFY(instance.port != 0);
        QVERIFY(!instance.crashed);
        QCOMPARE(fetch(instance.address, instance.port), instance.name.toUtf8());
    }
    QTRY_COMPARE(instanceNamed(fleet, u"web-client2"_s)->requests, 1u);

    fleet.stop();
    QVERIFY(fleet.instances().isEmpty());
    QVERIFY(refuses(instances.at(0).address, instances.at(0).port));
}

void TestDemoFleet::startInstanceRefusesBadAddresses()
{
    DemoFleet fleet;
    QString error;
    QVERIFY(!fleet.startInstance(QHostAddress(u"192.0.2.7"_s), 3000, &error));
    QVERIFY2(error.contains(u"not a loopback address"_s), qPrintable(error));
    QVERIFY(fleet.instances().isEmpty());

    QString name;
    QVERIFY2(fleet.startInstance(QHostAddress(u"127.0.0.3"_s), 0, &error, &name), qPrintable(error));
    QCOMPARE(name, u"web-client"_s);
    const DemoFleet::Instance first = fleet.instances().at(0);
    // The same address and port again: refused, nothing changes.
    QVERIFY(!fleet.startInstance(first.address, first.port, &error));
    QVERIFY2(error.contains(u"there is one already"_s), qPrintable(error));
    // A port something else holds: refused with the reason.
    QTcpServer busy;
    QVERIFY(busy.listen(QHostAddress(u"127.0.0.3"_s), 0));
    QVERIFY(!fleet.startInstance(QHostAddress(u"127.0.0.3"_s), busy.serverPort(), &error));
    QVERIFY2(error.contains(QString::number(busy.serverPort())), qPrintable(error));
    QCOMPARE(fleet.instances().size(), 1);

    QVERIFY2(fleet.startInstance(QHostAddress(u"127.0.0.3"_s), 0, &error, &name), qPrintable(error));
    QVERIFY2(name.startsWith(u"web-client"_s) && name != u"web-client"_s, qPrintable(name));
    QCOMPARE(fleet.instances().size(), 2);
    QCOMPARE(fetch(QHostAddress(u"127.0.0.3"_s), fleet.instances().at(1).port), name.toUtf8());
}

void TestDemoFleet::stopResetsAndRefusesRestartServes()
{
    DemoFleet fleet;
    QString error;
    QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    const DemoFleet::Instance instance = fleet.instances().at(0);
    const QString where = u"127.0.0.1:%1"_s.arg(instance.port);

    lbscope::test::ResetProbe waiting;
    QVERIFY(waiting.connectTo(instance.port));
    QVERIFY(waiting.send("GET /sleep/10000 HTTP/1.1\r\nHost: a\r\n\r\n"));
    QTRY_COMPARE(instanceNamed(fleet, instance.name)->connections, 1);

    QVERIFY(fleet.stopInstance(where, &error)); // by address:port
    QVERIFY(waiting.waitForReset(5000));
    QTRY_VERIFY(instanceNamed(fleet, instance.name)->crashed);
    QVERIFY(refuses(instance.address, instance.port));
    QCOMPARE(instanceNamed(fleet, instance.name)->requests, 0u); // the aborted request is not logged

    QVERIFY2(fleet.restartInstance(instance.name, &error), qPrintable(error)); // by name
    QVERIFY(!instanceNamed(fleet, instance.name)->crashed);
    QCOMPARE(instanceNamed(fleet, instance.name)->port, instance.port);
    QCOMPARE(fetch(instance.address, instance.port), instance.name.toUtf8());
}

void TestDemoFleet::knobsWhileRunning()
{
    DemoFleet fleet;
    QString error;
    QString name;
    QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error, &name), qPrintable(error));
    const quint16 port = fleet.instances().at(0).port;

    QVERIFY(fleet.setErrorRate(name, 1.0, &error));
    QCOMPARE(instanceNamed(fleet, name)->errorRate, 1.0);
    QCOMPARE(fetch(QHostAddress::LocalHost, port), "500"_ba);
    QVERIFY(fleet.setErrorRate(name, 7.0)); // clamped
    QCOMPARE(instanceNamed(fleet, name)->errorRate, 1.0);
    QVERIFY(fleet.setErrorRate(name, 0.0));
    QCOMPARE(fetch(QHostAddress::LocalHost, port), name.toUtf8());

    QVERIFY(fleet.setDelayMs(u"127.0.0.1:%1"_s.arg(port), 120, &error));
    QCOMPARE(instanceNamed(fleet, name)->delayMs, 120);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(fetch(QHostAddress::LocalHost, port), name.toUtf8());
    QVERIFY2(timer.elapsed() >= 115, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(fleet.setDelayMs(name, -5)); // clamped
    QCOMPARE(instanceNamed(fleet, name)->delayMs, 0);
}

void TestDemoFleet::removeInstance()
{
    DemoFleet fleet;
    QString error;
    QString first;
    QString second;
    QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error, &first), qPrintable(error));
    QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error, &second), qPrintable(error));
    const DemoFleet::Instance removed = *instanceNamed(fleet, first);
    QCOMPARE(fetch(removed.address, removed.port), first.toUtf8());

    lbscope::test::ResetProbe waiting;
    QVERIFY(waiting.connectTo(removed.port));
    QVERIFY(waiting.send("GET /sleep/10000 HTTP/1.1\r\nHost: a\r\n\r\n"));
    QTRY_COMPARE(instanceNamed(fleet, first)->connections, 1);

    QVERIFY(fleet.removeInstance(first, &error));
    QVERIFY(!instanceNamed(fleet, first));
    QCOMPARE(fleet.instances().size(), 1);
    QVERIFY(waiting.waitForReset(5000));
    QTRY_VERIFY(refuses(removed.address, removed.port));
    QList<DemoLogEntry> entries;
    QCOMPARE(fleet.logAfter(first, 0, &entries), 0u); // gone with its log
    QVERIFY(entries.isEmpty());
    QVERIFY(!fleet.removeInstance(first, &error));

    // The other one is untouched, and a new one takes the next name.
    QCOMPARE(fetch(QHostAddress::LocalHost, instanceNamed(fleet, second)->port), second.toUtf8());
    QString third;
    QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error, &third), qPrintable(error));
    QCOMPARE(third, u"web-client3"_s);
}

void TestDemoFleet::unknownInstance()
{
    DemoFleet fleet;
    QString error;
    QVERIFY(!fleet.stopInstance(u"web-client9"_s, &error));
    QVERIFY2(error.contains(u"no demo instance \"web-client9\""_s), qPrintable(error));
    QVERIFY(!fleet.restartInstance(u"127.0.0.1:1"_s, &error));
    QVERIFY(!fleet.setDelayMs(u"x"_s, 10, &error));
    QVERIFY(!fleet.setErrorRate(u"x"_s, 0.5, &error));
    QList<DemoLogEntry> entries;
    QCOMPARE(fleet.logAfter(u"x"_s, 7, &entries), 7u);
}

// While two instances serve in their own threads, reading by cursor sees every request
// exactly once, in order, and the counts agree with the log.
void TestDemoFleet::logByCursorUnderLoad()
{
    DemoFleet fleet;
    QString error;
    QString names[2];
    for (QString &name : names)
        QVERIFY2(fleet.startInstance(QHostAddress::LocalHost, 0, &error, &name), qPrintable(error));
    constexpr int perInstance = 600; // more than fits between two reads, less than the ring
    HttpTestClient clients[2];
    for (int i = 0; i < 2; ++i) {
        QVERIFY(clients[i].connectTo(instanceNamed(fleet, names[i])->port));
        QByteArray all;
        for (int n = 0; n < perInstance; ++n)
            all += "GET /r/" + QByteArray::number(n) + " HTTP/1.1\r\nHost: a\r\n\r\n";
        clients[i].send(all);
    }
    quint64 cursors[2] = {0, 0};
    QList<DemoLogEntry> seen[2];
    QElapsedTimer timer;
    timer.start();
    while ((seen[0].size() < perInstance || seen[1].size() < perInstance) && timer.elapsed() < 60'000) {
        for (int i = 0; i < 2; ++i) {
            clients[i].socket().readAll(); // keep the answers flowing
            const DemoFleet::Instance before = *instanceNamed(fleet, names[i]);
            cursors[i] = fleet.logAfter(names[i], cursors[i], &seen[i]);
            QVERIFY(cursors[i] >= before.requests); // the count never runs ahead of the log
        }
        // Until more answers arrive (the log grows with them), not for a fixed time; the loop
        // checks whether it is done, so a wait that ends empty-handed needs no check here.
        std::ignore = QTest::qWaitFor(
            [&] { return clients[0].socket().bytesAvailable() > 0 || clients[1].socket().bytesAvailable() > 0; }, 100);
    }
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(seen[i].size(), perInstance);
        for (int n = 0; n < perInstance; ++n) {
            QCOMPARE(seen[i].at(n).sequence, quint64(n + 1));
            QCOMPARE(seen[i].at(n).path, "/r/" + QByteArray::number(n));
            QCOMPARE(seen[i].at(n).connectionRequest, quint32(n + 1));
        }
        QCOMPARE(instanceNamed(fleet, names[i])->requests, quint64(perInstance));
    }
}

QTEST_GUILESS_MAIN(TestDemoFleet)

#include "tst_demofleet.moc"
