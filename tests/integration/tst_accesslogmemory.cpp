// The access log is a fixed-capacity ring: memory stays flat however long the proxy runs.
// A million real requests through the engine; the resident size after them is within 10% of
// the resident size after the first 100,000, when the ring (100,000 records) became full.

#include "config/configreader.h"
#include "demo/demofleet.h"
#include "loadthread.h"
#include "processmemory.h"
#include "proxy/engine.h"

#include <QFile>
#include <QTcpServer>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace

class TestAccessLogMemory : public QObject
{
    Q_OBJECT

private slots:
    void residentSizeStaysFlat()
    {
        const quint16 first = freePort();
        const quint16 second = freePort();
        const QString text =
            u"upstream pool {\n    server 127.0.0.1:%1;\n    server 127.0.0.1:%2;\n    keepalive 16;\n}\n"
            "server {\n    listen 127.0.0.1:8080;\n    location / {\n        proxy_pass http://pool;\n"
            "        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n    }\n}\n"_s.arg(first)
                .arg(second);
        ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"memory.conf"_s);
        QVERIFY(result.ok());
        result.config->servers[0].listens[0].port = 0;
        DemoFleet backends; // in a thread of their own: this thread only watches
        QString error;
        QVERIFY2(backends.start(*result.config, &error), qPrintable(error));
        Engine engine;
        QVERIFY2(engine.start(*result.config, &error), qPrintable(error));
        QCOMPARE(engine.accessLog().capacity(), 100'000);
        const quint16 port = engine.listeningAddresses().first().second;

        const qint64 beforeLoad = residentKiB();
        constexpr int total = 1'000'000;
        LoadThread a(port, total / 2);
        LoadThread b(port, total / 2);
        QTRY_VERIFY_WITH_TIMEOUT(engine.accessLog().lastId() >= 100'000, 120'000);
        const qint64 atFullRing = residentKiB();
        // What the full ring costs, spread over its records (the engine's own growth in it too).
        qInfo("RSS %lld KiB before the load: %.0f bytes per record at a full ring", beforeLoad,
              1024.0 * double(atFullRing - beforeLoad) / 100'000.0);
        QTRY_VERIFY_WITH_TIMEOUT(a.isFinished() && b.isFinished(), 600'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.accessLog().lastId(), quint64(total), 10'000);
        const qint64 atEnd = residentKiB();
        qInfo("RSS %lld KiB after 100,000 requests, %lld KiB after 1,000,000 (%+.1f%%)", atFullRing, atEnd,
              100.0 * double(atEnd - atFullRing) / double(atFullRing));
        QCOMPARE(a.ok() + b.ok(), total);
        QVERIFY2(atEnd <= atFullRing * 11 / 10, qPrintable(u"%1 KiB -> %2 KiB"_s.arg(atFullRing).arg(atEnd)));
    }
};

QTEST_GUILESS_MAIN(TestAccessLogMemory)
#include "tst_accesslogmemory.moc"
