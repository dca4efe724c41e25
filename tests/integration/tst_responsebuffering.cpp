// Response buffering as nginx 1.22 does it, compared with the real nginx. With
// proxy_buffering on (the default) a response the client does not take is read into buffers
// and a temporary file, so the upstream finishes and is let go: least_conn then counts it
// idle. With proxy_buffering off the upstream is read only as fast as the client reads, and
// stays busy meanwhile. The same file and the same requests go to both proxies, and the
// backends they choose must be the same.

#include "demo/demobackend.h"
#include "httptestclient.h"
#include "nginxandlbscope.h"

#include <QTest>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 20'000;
// Far more than loopback's socket buffers and nginx's own can hold together.
constexpr qint64 LargeBody = 64LL * 1024 * 1024;

struct Outcome
{
    bool upstreamReleased = false; // while the slow client had read nothing
    QByteArrayList chosen;         // X-Upstream-Addr of the requests after the slow one
    qint64 slowBodyBytes = 0;

    friend bool operator==(const Outcome &, const Outcome &) = default;
};

QByteArray describe(const Outcome &outcome, const QList<QByteArray> &names)
{
    QByteArray text = outcome.upstreamReleased ? "released;" : "held;";
    for (QByteArray address : outcome.chosen) {
        for (qsizetype i = 0; i < names.size(); i += 2)
            address.replace(names[i], names[i + 1]);
        text += ' ' + address;
    }
    return text + "; slow body " + QByteArray::number(outcome.slowBodyBytes);
}

} // namespace

class TestResponseBuffering : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
    }

    void slowClientAndLeastConn_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<bool>("released");
        QTest::newRow("proxy_buffering on: the upstream is let go") << QString() << true;
        QTest::newRow("proxy_buffering off: the upstream waits for the client")
            << u"            proxy_buffering off;\n"_s << false;
        QTest::newRow("on, without a temporary file: only the buffers")
            << u"            proxy_max_temp_file_size 0;\n"_s << false;
    }

    void slowClientAndLeastConn()
    {
        QFETCH(QString, location);
        QFETCH(bool, released);
        NginxAndLbscope proxies(m_nginx);
        Outcome nginx, lbscope;
        QList<QByteArray> names;
        QString error;
        QVERIFY2(run(proxies, true, location, released, &nginx, &names, &error), qPrintable(error));
        QVERIFY2(run(proxies, false, location, released, &lbscope, &names, &error), qPrintable(error));
        const QByteArray both = "nginx: " + describe(nginx, names) + "\nlbscope: " + describe(lbscope, names);
        QVERIFY2(nginx.upstreamReleased == released, both.constData());
        QCOMPARE(nginx.slowBodyBytes, LargeBody);
        // The backends differ between the runs: compare them by their place in the upstream.
        QVERIFY2(describe(lbscope, names) == describe(nginx, names), both.constData());
    }

private:
    // A slow client fetches a large body from A; then two quick requests. least_conn sends the
    // second to B either way; the third goes to A only if A's connection was let go.
    bool run(NginxAndLbscope &proxies, bool nginx, const QString &location, bool expectRelease, Outcome *outcome,
             QList<QByteArray> *names, QString *error)
    {
        std::vector<std::unique_ptr<DemoBackend>> backends;
        for (const char *name : {"A", "B"}) {
            auto backend = std::make_unique<DemoBackend>();
            DemoBackend::Options options;
            options.name = QString::fromLatin1(name);
            if (!backend->start(options, error))
                return false;
            names->append("127.0.0.1:" + QByteArray::number(backend->port()));
            names->append(name);
            backends.push_back(std::move(backend));
        }
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    upstream pool {
        least_conn;
        server 127.0.0.1:%1;
        server 127.0.0.1:%2;
    }
    server {
        listen 127.0.0.1:%3;
        location / {
            proxy_pass http://pool;
            add_header X-Upstream-Addr $upstream_addr always;
%4        }
    }
)"_s
                .arg(backends[0]->port())
                .arg(backends[1]->port())
                .arg(port)
                .arg(location));
        };
        DemoBackend &a = *backends[0];
        const auto requests = [&](quint16 port) {
            HttpTestClient slow;
            slow.setKeepBody(false);
            slow.socket().setReadBufferSize(64 * 1024); // Qt stops reading the socket there
            if (!slow.connectTo(port))
                return;
            slow.send("GET /bytes/" + QByteArray::number(LargeBody) + " HTTP/1.1\r\nHost: buffering.test\r\n\r\n");
            // requestCount() counts answered requests; a stalled one only shows as a connection.
            if (!QTest::qWaitFor([&] { return a.requestCount() == 1 || a.connectionCount() == 1; }, WaitMs))
                return;
            // Either A finishes (the proxy took it all) or it stalls on full buffers. A stall has no
            // moment to wait for: where the case expects one, A is seen still open at once.
            outcome->upstreamReleased =
                expectRelease ? QTest::qWaitFor([&] { return a.connectionCount() == 0; }, WaitMs)
                              : a.connectionCount() == 0;
            for (int i = 0; i < 2; ++i) {
                HttpTestClient quick;
                if (!quick.connectTo(port))
                    return;
                quick.send("GET / HTTP/1.1\r\nHost: buffering.test\r\nConnection: close\r\n\r\n");
                const std::optional<HttpResponse> response = quick.readResponse(false, WaitMs);
                outcome->chosen.append(response ? response->header("X-Upstream-Addr") : "no response");
            }
            slow.socket().setReadBufferSize(0);
            slow.readResponse(false, 120'000);
            outcome->slowBodyBytes = slow.bodyBytesSeen();
        };
        return proxies.run(nginx, config, requests, error);
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestResponseBuffering)
#include "tst_responsebuffering.moc"
