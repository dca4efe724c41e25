// Smoke tests of the real binary: lbscope -t, and lbscope --headless --demo serving the
// shipped photos pool until SIGTERM, with its per-backend summary.

#include "httptestclient.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

const QString lbscopeBinary = QStringLiteral(LBSCOPE_BINARY_DIR "/app/lbscope");

// Ports for a child process cannot be ephemeral from the child's side: ask the system for
// free ones and release them just before the child binds.
QList<quint16> freePorts(int count)
{
    QList<std::shared_ptr<QTcpServer>> holders;
    QList<quint16> ports;
    for (int i = 0; i < count; ++i) {
        auto server = std::make_shared<QTcpServer>();
        if (!server->listen(QHostAddress::LocalHost, 0))
            return {};
        ports.append(server->serverPort());
        holders.append(server);
    }
    return ports;
}

} // namespace

class TestHeadless : public QObject
{
    Q_OBJECT

private slots:
    void checkAcceptsTheShippedConfig()
    {
        QProcess process;
        process.start(lbscopeBinary,
                      {u"-t"_s, u"--config"_s, QStringLiteral(LBSCOPE_SOURCE_DIR "/resources/configs/photos.conf")});
        QVERIFY(process.waitForFinished(20'000));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(process.readAllStandardError().contains("test is successful"));
    }

    // nginx -V's two lines, on stderr as nginx prints them, with no display and no -c.
    void capitalVPrintsTheNginxVersionFollowed()
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(u"DISPLAY"_s);
        process.setProcessEnvironment(environment);
        process.start(lbscopeBinary, {u"-V"_s});
        QVERIFY(process.waitForFinished(20'000));
        QCOMPARE(process.exitCode(), 0);
        const QList<QByteArray> lines = process.readAllStandardError().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0], QByteArray("nginx version: nginx/1.22.1 (lbscope " LBSCOPE_PROJECT_VERSION ")"));
        QVERIFY(lines[1].startsWith("configure arguments: --without-"));
        QVERIFY(lines[1].contains(" --without-http_gzip_module"));
        QVERIFY(!lines[1].contains("http_rewrite_module")); // implemented now
        QVERIFY(!lines[1].contains("upstream"));
    }

    void checkRejectsABadConfigWithItsPosition()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bad.conf"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("upstream photos {\n    server 127.0.0.1:3000 weight=0;\n}\n");
        file.close();
        QProcess process;
        process.start(lbscopeBinary, {u"-t"_s, u"-c"_s, path});
        QVERIFY(process.waitForFinished(20'000));
        QCOMPARE(process.exitCode(), 1);
        const QString errors = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(errors.contains(path + u":2:"_s), qPrintable(errors));
        QVERIFY(errors.contains(u"test failed"_s));
    }

    void headlessDemoServesUntilTerminated()
    {
        const QList<quint16> ports = freePorts(4);
        QCOMPARE(ports.size(), 4);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"photos.conf"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            u"upstream photos {\n    server 127.0.0.1:%1;\n    server 127.0.0.1:%2;\n    server 127.0.0.1:%3;\n}\n"
            "server {\n    listen 127.0.0.1:%4;\n    location / {\n        proxy_pass http://photos;\n"
            "        add_header X-Upstream-Addr $upstream_addr;\n    }\n}\n"_s.arg(ports[0])
                .arg(ports[1])
                .arg(ports[2])
                .arg(ports[3])
                .toUtf8());
        file.close();

        QProcess process;
        process.start(lbscopeBinary, {u"--headless"_s, u"--config"_s, path, u"--demo"_s});
        QVERIFY(process.waitForStarted());
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += process.readAllStandardOutput()).contains("listening on"), 20'000);
        QVERIFY(output.contains(QByteArray("listening on 127.0.0.1:" + QByteArray::number(ports[3]))));

        for (int i = 0; i < 6; ++i) {
            HttpTestClient client;
            QVERIFY(client.connectTo(ports[3]));
            client.send("GET / HTTP/1.1\r\nHost: photos.example.com\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->header("X-Upstream-Addr"), "127.0.0.1:" + QByteArray::number(ports[i % 3]));
        }

        ::kill(pid_t(process.processId()), SIGTERM);
        QVERIFY(process.waitForFinished(20'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        output += process.readAllStandardOutput();
        // Each demo instance logged its two requests, and the summary gives each a third.
        QCOMPARE(output.count("name=web-client2"), 2);
        for (quint16 port : ports.first(3)) {
            const QRegularExpression row(u"photos\\s+127\\.0\\.0\\.1:%1\\s+2\\s+33\\.3%"_s.arg(port));
            QVERIFY2(row.match(QString::fromUtf8(output)).hasMatch(), output.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
