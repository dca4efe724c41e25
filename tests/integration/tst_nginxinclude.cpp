// include, compared with the real nginx 1.22:
//   - Debian's layout (nginx.conf including modules-enabled/*.conf, mime.types,
//     conf.d/*.conf and sites-enabled/*, a snippet included in a location): the same
//     requests to both get the same answers, and the backend the same request
//   - -t and -T on such a layout run by /usr/sbin/nginx and by the built lbscope binary: the
//     same exit code, status lines, dump (every file once, "# configuration file PATH:") and
//     error log messages (a missing file, a "}" too many in an included file, a file that
//     includes itself is an error in both)

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

using Files = QList<std::pair<QString, QByteArray>>; // path under the folder, text

bool writeFiles(const QString &folder, const Files &files)
{
    return std::all_of(files.cbegin(), files.cend(),
                       [&](const auto &file) { return writeTestFile(folder + u'/' + file.first, file.second); });
}

// Debian's files around an http block's own lines; %1 the port, %2 the backend's.
Files debianLayout(quint16 port, quint16 backendPort)
{
    const auto arg = [&](const char *text) { return QString::fromLatin1(text).arg(port).arg(backendPort).toUtf8(); };
    return {
        {u"mime.types"_s, "types {\n    text/html html;\n    text/plain txt;\n}\n"},
        {u"conf.d/upstreams.conf"_s, arg("upstream backends {\n    server 127.0.0.1:%2;\n}\n")},
        {u"conf.d/headers.conf"_s, "proxy_set_header X-From conf.d;\n"},
        {u"snippets/proxy.conf"_s, "proxy_set_header X-Snippet on;\nproxy_set_header X-Host $host;\n"},
        {u"sites-enabled/default"_s, arg("server {\n    listen 127.0.0.1:%1 default_server;\n    server_name _;\n"
                                         "    return 200 \"default site $host\\n\";\n}\n")},
        {u"sites-enabled/example"_s, arg("server {\n    listen 127.0.0.1:%1;\n    server_name example.test;\n"
                                         "    location / {\n        proxy_pass http://backends;\n"
                                         "        include snippets/proxy.conf;\n    }\n}\n")},
    };
}

QByteArray debianMain(const QByteArray &mainLines, const QByteArray &httpLines)
{
    return mainLines + "include modules-enabled/*.conf;\nevents {\n}\nhttp {\n    access_log off;\n" + httpLines +
           "    include mime.types;\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n";
}

} // namespace

class TestNginxInclude : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
    }

    void debianLayoutSameAsNginx_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::newRow("the site with the snippet: proxied to the included upstream") << QByteArray("example.test");
        QTest::newRow("any other host: the default site") << QByteArray("other.test");
    }

    void debianLayoutSameAsNginx()
    {
        QFETCH(QByteArray, host);
        QByteArray nginxAnswer, lbscopeAnswer;
        QString error;
        QVERIFY2(runDebian(true, host, &nginxAnswer, &error), qPrintable(error));
        QVERIFY2(runDebian(false, host, &lbscopeAnswer, &error), qPrintable(error));
        QCOMPARE(lbscopeAnswer, nginxAnswer);
    }

    void commandLineSameAsNginx_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<Files>("files");
        QTest::addColumn<QString>("option");

        const Files debian = debianLayout(1, 2);
        const QByteArray main = debianMain("pid logs/nginx.pid;\n", {});
        QTest::newRow("-t, Debian's layout") << main << debian << u"-t"_s;
        QTest::newRow("-T, Debian's layout") << main << debian << u"-T"_s;
        QTest::newRow("-T, a file included twice is dumped once")
            << debianMain("pid logs/nginx.pid;\n", "    include conf.d/headers.conf;\n") << debian << u"-T"_s;
        QTest::newRow("-T, an absolute path") << debianMain("pid logs/nginx.pid;\n", "    include %P/extra.conf;\n")
                                              << (debian + Files{{u"extra.conf"_s, "gzip off;\n"}}) << u"-T"_s;
        QTest::newRow("a missing file") << debianMain("pid logs/nginx.pid;\n", "    include missing.conf;\n") << debian
                                        << u"-t"_s;
        QTest::newRow("a mask matching nothing is fine")
            << debianMain("pid logs/nginx.pid;\n", "    include none/*.conf;\n") << debian << u"-t"_s;
        QTest::newRow("an error in an included file names it")
            << main
            << (debian + Files{{u"conf.d/bad.conf"_s, "upstream broken {\n    server 127.0.0.1:1 weight=0;\n}\n"}})
            << u"-t"_s;
        QTest::newRow("a \"}\" too many in an included file")
            << main << (debian + Files{{u"conf.d/extra.conf"_s, "gzip off;\n}\n"}}) << u"-t"_s;
        QTest::newRow("an included file's block left open")
            << main << (debian + Files{{u"conf.d/extra.conf"_s, "server {\n"}}) << u"-t"_s;
        QTest::newRow("an include in a skipped block")
            << main
            << (debian +
                Files{{u"conf.d/map.conf"_s, "map $uri $m {\n    include map.d/*;\n}\n"}, {u"map.d/one"_s, "/a 1;\n"}})
            << u"-T"_s;
        QTest::newRow("a directive not allowed where it is included")
            << main << (debian + Files{{u"conf.d/extra.conf"_s, "worker_processes 2;\n"}}) << u"-t"_s;
    }

    void commandLineSameAsNginx()
    {
        QFETCH(QByteArray, config);
        QFETCH(Files, files);
        QFETCH(QString, option);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString prefix = dir.path();
        NginxProcess::preparePrefix(prefix);
        QVERIFY(QDir().mkpath(prefix + u"/logs"_s));
        QVERIFY(writeTestFile(prefix + u"/conf/nginx.conf"_s,
                              config.replace("%P", QFile::encodeName(prefix + u"/conf"_s))));
        QVERIFY(writeFiles(prefix + u"/conf"_s, files));
        const QString log = prefix + u"/logs/startup.log"_s;
        const QStringList arguments = {u"-p"_s, prefix, u"-c"_s, u"conf/nginx.conf"_s, u"-e"_s, u"logs/startup.log"_s,
                                       option};
        const ConfigTestRun nginx = ConfigTestRun::run(m_nginx, arguments, log);
        const ConfigTestRun lbscope = ConfigTestRun::run(lbscopeBinary, arguments, log);
        QVERIFY2(nginx.exitCode >= 0, "nginx did not finish");
        QCOMPARE(lbscope.exitCode, nginx.exitCode);
        QCOMPARE(lbscope.statusLines, nginx.statusLines);
        QCOMPARE(lbscope.output, nginx.output);
        QCOMPARE(lbscope.logMessages, nginx.logMessages);
    }

    // nginx has no check for a file including itself: it fails when it runs out of open files
    // or stack. LB Scope stops with an error at the include's line.
    void includeLoopFails()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(writeTestFile(dir.filePath(u"loop.conf"_s), "include loop.conf;\n"));
        QVERIFY(writeTestFile(dir.filePath(u"nginx.conf"_s), "events {\n}\nhttp {\n    include loop.conf;\n}\n"));
        const ConfigReadResult result = ConfigReader::readFile(dir.filePath(u"nginx.conf"_s));
        QVERIFY(!result.ok());
        QCOMPARE(result.error->where.file, dir.filePath(u"loop.conf"_s));
        QCOMPARE(result.error->where.line, 1);
        QVERIFY2(result.error->text.contains(u"nested more than"_s), qPrintable(result.error->text));
    }

private:
    bool runDebian(bool nginx, const QByteArray &host, QByteArray *answer, QString *error)
    {
        NginxAndLbscope proxies(m_nginx);
        RecordingBackend backend("backend");
        if (!backend.listen()) {
            *error = u"the backend cannot listen"_s;
            return false;
        }
        QString written;
        const auto config = [&](quint16 port) {
            if (!writeFiles(proxies.prefix(), debianLayout(port, backend.port())))
                written = u"could not write the included files"_s;
            return debianMain(proxies.mainDirectives(), proxies.httpDirectives());
        };
        const auto requests = [&](quint16 port) {
            HttpTestClient client;
            if (!client.connectTo(port))
                return;
            client.send("GET /page?x=1 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            if (const std::optional<HttpResponse> response = client.readResponse(false, 10'000))
                *answer = QByteArray::number(response->status) + ' ' + response->body;
            client.waitForClose(10'000);
            for (const QByteArray &raw : backend.received()) {
                const QByteArrayList lines = raw.left(raw.indexOf("\r\n\r\n")).split('\n');
                *answer += " | " + lines.value(0).trimmed();
                for (const QByteArray &line : lines.mid(1)) {
                    if (line.toLower().startsWith("x-"))
                        *answer += " +" + line.trimmed();
                }
            }
        };
        const bool ran = proxies.runAsWritten(nginx, config, requests, error);
        if (!written.isEmpty())
            *error = written;
        return ran && written.isEmpty();
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestNginxInclude)
#include "tst_nginxinclude.moc"
