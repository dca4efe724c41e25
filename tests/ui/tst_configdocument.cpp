// The file the window works on: open, save as nginx text that reads back the same, the modified
// flag, recent files, and the last session's pool coming back at the next start.

#include "config/configreader.h"
#include "configdocument.h"
#include "proxy/engine.h"

#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

// A pool on a loopback address of this test's own, so that port 8080 is free whatever else runs.
QByteArray poolText(const QString &host)
{
    return u"upstream photos {\n    server %1:3000;\n    server %1:3100;\n}\n"
           "server {\n    listen %1:8080;\n    location / {\n        proxy_pass http://photos;\n    }\n}\n"_s.arg(host)
               .toUtf8();
}

QString randomLoopbackHost()
{
    const quint32 random = QRandomGenerator::global()->bounded(1u, 250u * 250u);
    return u"127.%1.%2.7"_s.arg(random / 250 + 1).arg(random % 250 + 1);
}

} // namespace

class TestConfigDocument : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void openEditSaveAndReadBack()
    {
        const QString host = randomLoopbackHost();
        QTemporaryDir dir;
        const QString path = dir.filePath(u"pool.conf"_s);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(poolText(host));
        }
        Engine engine;
        ConfigDocument document(engine);
        document.setDemoInstancesEnabled(false);
        QString error;
        QVERIFY2(document.open(path, &error), qPrintable(error));
        QVERIFY(engine.isRunning());
        QCOMPARE(document.displayName(), u"pool.conf"_s);
        QVERIFY(!document.isModified());
        QCOMPARE(document.recentFiles().value(0), path);

        QSignalSpy changed(&document, &ConfigDocument::documentChanged);
        UpstreamServer server = engine.configuration().upstreams[0].servers[1];
        server.weight = 5;
        QVERIFY2(engine.updateServer(u"photos"_s, server.address, server, &error), qPrintable(error));
        QTRY_VERIFY(document.isModified());
        QVERIFY(changed.count() >= 1);

        QVERIFY2(document.save(&error), qPrintable(error));
        QVERIFY(!document.isModified());
        const ConfigReadResult saved = ConfigReader::readFile(path);
        QVERIFY(saved.ok());
        QCOMPARE(saved.config->upstreams[0].servers[1].weight, 5);
    }

    void aBrokenFileChangesNothing()
    {
        const QString host = randomLoopbackHost();
        Engine engine;
        ConfigDocument document(engine);
        document.setDemoInstancesEnabled(false);
        QString error;
        QVERIFY2(document.openText(poolText(host), u"first.conf"_s, &error), qPrintable(error));
        const ProxyConfig before = engine.configuration();

        QTemporaryDir dir;
        const QString path = dir.filePath(u"broken.conf"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("upstream photos {\n    server 127.0.0.1:3000 weight=zero;\n}\n");
        file.close();
        QVERIFY(!document.open(path, &error));
        QVERIFY2(error.contains(u"broken.conf:2:"_s), qPrintable(error));
        QCOMPARE(engine.configuration(), before);
        QCOMPARE(document.displayName(), u"first.conf"_s);
    }

    void theLastPoolComesBack()
    {
        const QString host = randomLoopbackHost();
        QString error;
        {
            Engine engine;
            ConfigDocument document(engine);
            document.setDemoInstancesEnabled(false);
            QVERIFY2(document.openText(poolText(host), u"class.conf"_s, &error), qPrintable(error));
            UpstreamServer server = engine.configuration().upstreams[0].servers[0];
            server.weight = 3;
            QVERIFY2(engine.updateServer(u"photos"_s, server.address, server, &error), qPrintable(error));
            QTRY_VERIFY(document.isModified());
            document.saveSession();
        }
        Engine engine;
        ConfigDocument document(engine);
        document.setDemoInstancesEnabled(false);
        QString problems;
        QVERIFY(document.openAtStart({}, QByteArray("this seed must not be used"), &problems));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
        QCOMPARE(document.displayName(), u"class.conf"_s);
        QVERIFY(document.isModified());
        QCOMPARE(engine.configuration().upstreams[0].servers[0].weight, 3);
        QCOMPARE(engine.listeningAddresses().value(0).first, QHostAddress(host));
    }

    void listeningBeyondLoopbackIsNoticed()
    {
        ConfigReadResult local = ConfigReader::readText(poolText(u"127.0.0.1"_s), u"a.conf"_s);
        QVERIFY(local.ok());
        QVERIFY(!ConfigDocument::listensBeyondLoopback(*local.config));
        // A bare port stays on loopback; every address only when the file names it.
        const auto pool = [](const QByteArray &listen) {
            return ConfigReader::readText("upstream p {\n server 127.0.0.1:3000;\n}\nserver {\n listen " + listen +
                                              ";\n location / {\n proxy_pass http://p;\n }\n}\n",
                                          u"b.conf"_s);
        };
        const ConfigReadResult barePort = pool("8080");
        QVERIFY(barePort.ok());
        QVERIFY(!ConfigDocument::listensBeyondLoopback(*barePort.config));
        for (const QByteArray &listen :
             {QByteArray("*:8080"), QByteArray("0.0.0.0:8080"), QByteArray("10.0.0.1:8080")}) {
            const ConfigReadResult everywhere = pool(listen);
            QVERIFY(everywhere.ok());
            QVERIFY2(ConfigDocument::listensBeyondLoopback(*everywhere.config), listen.constData());
        }
    }
};

QTEST_MAIN(TestConfigDocument)
#include "tst_configdocument.moc"
