// Directives outside LB Scope's subset that change what requests get: for each, the warning
// LB Scope gives says what nginx would do, and the real nginx is asked whether it does. The
// same file runs under both; nginx's response shows the effect, LB Scope's does not, and LB
// Scope's warning names it. Directives that only tune nginx itself draw a plain warning.

#include "demo/demobackend.h"
#include "httptestclient.h"
#include "nginxandlbscope.h"

#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestIgnoredDirectives : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
        DemoBackend::Options options;
        options.name = u"web-client"_s;
        QString error;
        QVERIFY2(m_backend.start(options, &error), qPrintable(error));
    }

    void nginxDoesWhatTheWarningSays_data()
    {
        QTest::addColumn<QString>("directives"); // in the location
        QTest::addColumn<QByteArray>("header");  // what nginx's response has and LB Scope's lacks
        QTest::addColumn<QString>("warning");
        QTest::newRow("gzip") << u"gzip on;\n            gzip_types *;"_s << QByteArray("Content-Encoding")
                              << u"ignoring \"gzip\": nginx would compress responses, LB Scope does not"_s;
        QTest::newRow("expires") << u"expires 1h;"_s << QByteArray("Expires")
                                 << u"ignoring \"expires\": nginx would set Expires and Cache-Control on responses, "
                                    u"LB Scope does not"_s;
        QTest::newRow("auth_basic") << u"auth_basic \"closed\";\n            auth_basic_user_file users;"_s
                                    << QByteArray("WWW-Authenticate")
                                    << u"ignoring \"auth_basic\": nginx would ask for a password, LB Scope does not"_s;
    }

    void nginxDoesWhatTheWarningSays()
    {
        QFETCH(QString, directives);
        QFETCH(QByteArray, header);
        QFETCH(QString, warning);
        NginxAndLbscope proxies(m_nginx);
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    server {
        listen 127.0.0.1:%1;
        location / {
            proxy_pass http://127.0.0.1:%2;
            %3
        }
    }
)"_s
                .arg(port)
                .arg(m_backend.port())
                .arg(directives));
        };
        std::optional<HttpResponse> nginx, lbscope;
        const auto fetch = [](std::optional<HttpResponse> *response) {
            return [response](quint16 port) {
                HttpTestClient client;
                if (!client.connectTo(port))
                    return;
                client.send("GET /bytes/4096 HTTP/1.1\r\nHost: ignored.test\r\nAccept-Encoding: gzip\r\n"
                            "Connection: close\r\n\r\n");
                *response = client.readResponse();
            };
        };
        QString error;
        QVERIFY2(proxies.runNginx(config, fetch(&nginx), &error), qPrintable(error));
        QVERIFY2(proxies.runLbscope(config, fetch(&lbscope), &error), qPrintable(error));
        QVERIFY(nginx && lbscope);
        QVERIFY2(nginx->hasHeader(header), "nginx does not do what the warning says it would");
        QVERIFY(!lbscope->hasHeader(header));

        const ConfigReadResult result = ConfigReader::readText(config(8080), u"t.conf"_s);
        QVERIFY(result.ok());
        QStringList changing;
        for (const ConfigMessage &message : result.warnings) {
            if (message.changesResponses)
                changing.append(message.text);
        }
        QCOMPARE(changing, QStringList{warning});
        QCOMPARE(result.responseChangingWarnings(), qsizetype(1));
    }

private:
    QString m_nginx;
    DemoBackend m_backend;
};

QTEST_GUILESS_MAIN(TestIgnoredDirectives)
#include "tst_ignoreddirectives.moc"
