// RoutingTable::build: the counters' slot each peer gets, and a configuration refused with a
// clear error when its peers would need more counter slots than a worker keeps.

#include "config/configreader.h"
#include "proxy/routing.h"
#include "stats/peercounters.h"

#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

ProxyConfig twoPeers()
{
    const QByteArray text = "upstream pool {\n    server 127.0.0.1:3001;\n    server 127.0.0.1:3002;\n}\n"
                            "server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass http://pool;\n"
                            "    }\n}\n";
    const ConfigReadResult result = ConfigReader::readText(text, u"slots.conf"_s);
    return result.ok() ? *result.config : ProxyConfig{};
}

} // namespace

class TestRoutingTable : public QObject
{
    Q_OBJECT

private slots:
    void peersGetTheAssignedSlots()
    {
        const ProxyConfig config = twoPeers();
        QCOMPARE(config.upstreams.size(), 1);
        int next = PeerCounterTable::MaxSlots - 2; // the last two slots there are
        QString error;
        const auto table = RoutingTable::build(
            config, [&](const QString &, const QByteArray &) { return next++; }, &error);
        QVERIFY2(table, qPrintable(error));
        const QList<Peer> &peers = table->upstreams.first().peers.primary.peers;
        QCOMPARE(peers[0].statsSlot, PeerCounterTable::MaxSlots - 2);
        QCOMPARE(peers[1].statsSlot, PeerCounterTable::MaxSlots - 1);
    }

    void tooManySlotsAreRefused()
    {
        const ProxyConfig config = twoPeers();
        QCOMPARE(config.upstreams.size(), 1);
        int next = PeerCounterTable::MaxSlots - 1; // the second peer would be one too many
        QString error;
        const auto table = RoutingTable::build(
            config, [&](const QString &, const QByteArray &) { return next++; }, &error);
        QVERIFY(!table);
        QCOMPARE(error, u"slots.conf:1: upstream \"pool\": server 127.0.0.1:3002 would be peer number 65537 since "
                        "the start; LB Scope keeps counters for 65536 peers at most: restart the proxy to count "
                        "from zero"_s);
    }

    void serverBlocksAreLabelled()
    {
        const QByteArray text = "upstream pool {\n    server 127.0.0.1:3001;\n}\n"
                                "server {\n    listen 127.0.0.1:8080;\n    server_name Photos.Example www.example;\n"
                                "    location / {\n        proxy_pass http://pool;\n    }\n}\n"
                                "server {\n    listen 127.0.0.1:8081;\n    location /api/ {\n"
                                "        proxy_pass http://pool;\n    }\n}\n";
        const ConfigReadResult result = ConfigReader::readText(text, u"labels.conf"_s);
        QVERIFY(result.ok());
        QString error;
        const auto table = RoutingTable::build(
            *result.config, [](const QString &, const QByteArray &) { return 0; }, &error);
        QVERIFY2(table, qPrintable(error));
        QCOMPARE(table->listeners.size(), 2);
        QCOMPARE(table->listeners[0].servers[0].label, QByteArray("Photos.Example")); // as written
        QCOMPARE(table->listeners[1].servers[0].label, QByteArray("127.0.0.1:8081")); // no server_name
    }

    // Every interface only when the file names it (`*` or 0.0.0.0): a bare port and a server
    // without listen stay on loopback, where nginx would open every address. A bare port
    // beside an explicit *:PORT joins that listener (one address in nginx), opening nothing more.
    void everyInterfaceOnlyWhenNamed_data()
    {
        QTest::addColumn<QByteArray>("listens");
        QTest::addColumn<QStringList>("bound");
        QTest::newRow("a bare port") << QByteArray("listen 8080;") << QStringList{u"127.0.0.1:8080"_s};
        QTest::newRow("no listen") << QByteArray() << QStringList{u"127.0.0.1:80"_s};
        QTest::newRow("*") << QByteArray("listen *:8080;") << QStringList{u"0.0.0.0:8080"_s};
        QTest::newRow("0.0.0.0") << QByteArray("listen 0.0.0.0:8080;") << QStringList{u"0.0.0.0:8080"_s};
        QTest::newRow("a bare port beside *:PORT")
            << QByteArray("listen 8080; } server { listen *:8080; server_name b;") << QStringList{u"0.0.0.0:8080"_s};
        QTest::newRow("a bare port beside *:OTHER")
            << QByteArray("listen 8080; } server { listen *:8081; server_name b;")
            << QStringList{u"127.0.0.1:8080"_s, u"0.0.0.0:8081"_s};
    }

    void everyInterfaceOnlyWhenNamed()
    {
        QFETCH(QByteArray, listens);
        QFETCH(QStringList, bound);
        const QByteArray text = "server { " + listens + " return 200; }\n";
        const ConfigReadResult result = ConfigReader::readText(text, u"listen.conf"_s);
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error->toString()));
        QString error;
        const auto table = RoutingTable::build(
            *result.config, [](const QString &, const QByteArray &) { return 0; }, &error);
        QVERIFY2(table, qPrintable(error));
        QStringList actual;
        for (const Listener &listener : table->listeners)
            actual.append(listener.address.toString() + u':' + QString::number(listener.port));
        actual.sort();
        bound.sort();
        QCOMPARE(actual, bound);
    }

    // set_real_ip_from takes host names, looked up when the table is built, as nginx looks them
    // up when it reads the file; a name without an address is refused where it stands.
    void realIpHostNames()
    {
        const auto build = [](const QByteArray &name, QString *error) {
            const QByteArray text = "upstream pool {\n    server 127.0.0.1:3001;\n}\nserver {\n"
                                    "    listen 127.0.0.1:8080;\n    location / {\n        set_real_ip_from " +
                                    name + ";\n        proxy_pass http://pool;\n    }\n}\n";
            const ConfigReadResult result = ConfigReader::readText(text, u"realip.conf"_s);
            if (!result.ok()) {
                *error = result.error->toString();
                return false;
            }
            return RoutingTable::build(
                       *result.config, [](const QString &, const QByteArray &) { return 0; }, error) != nullptr;
        };
        QString error;
        QVERIFY2(build("localhost", &error), qPrintable(error));
        QVERIFY(!build("no-such-host.invalid", &error));
        QCOMPARE(error, u"realip.conf:7: host not found in set_real_ip_from \"no-such-host.invalid\""_s);
    }
};

QTEST_GUILESS_MAIN(TestRoutingTable)
#include "tst_routingtable.moc"
