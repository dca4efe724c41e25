// AccessLogFileWriter behind a real engine: demo backends, requests with known headers, and the
// files compared line by line with what nginx's documented formats give for them.

#include "config/configreader.h"
#include "demo/demobackend.h"
#include "httptestclient.h"
#include "proxy/engine.h"
#include "stats/accesslogfile.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

const QString configTemplate = uR"(http {
    log_format upstreamlog '$remote_addr "$request" $status $body_bytes_sent '
                           'ua=$upstream_addr us=$upstream_status rt=$request_time '
                           'h=$host d="$lbscope_decision"';
    log_format jsonlog escape=json '{"uri":"$request_uri","ua":"$http_user_agent","status":$status}';
    access_log DIR/access.log;
    access_log DIR/upstream.log upstreamlog;

    upstream photos {
        server 127.0.0.1:PORT1;
        server 127.0.0.1:PORT2;
    }

    server {
        listen 127.0.0.1:8080;
        server_name photos.example.com;
        location / {
            proxy_pass http://photos;
        }
        location /quiet/ {
            proxy_pass http://photos;
            access_log off;
            location /quiet/nested/ {
                proxy_pass http://photos;
            }
        }
        location ~ \.gif$ {
            proxy_pass http://photos;
            access_log DIR/json.log jsonlog;
        }
        location /json/ {
            proxy_pass http://photos;
            access_log DIR/json.log jsonlog;
        }
    }

    server {
        listen 127.0.0.1:8080;
        server_name other.example.com *.wild.example.com;
        access_log DIR/other.log;
        location / {
            proxy_pass http://photos;
        }
    }
}
)"_s;

// What one request sent and got, and the record the proxy kept for it.
struct Exchange
{
    QByteArray path;
    QByteArray host;
    QByteArray referer;
    QByteArray userAgent;
    int status = 0;
    qint64 bodySize = 0;
    AccessRecord record;
};

QByteArray seconds(qint64 ms)
{
    return QByteArray::number(ms / 1000) + '.' + QByteArray::number(ms % 1000).rightJustified(3, '0');
}

// [$time_local], written here with Qt's C-locale formatting (the test runs with TZ=UTC).
QByteArray timeLocal(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"dd/MMM/yyyy:HH:mm:ss"_s).toLatin1() + " +0000";
}

// nginx's default escaping, for the few characters these tests send.
QByteArray escaped(const QByteArray &value)
{
    if (value.isEmpty())
        return "-";
    QByteArray out = value;
    return out.replace('"', "\\x22");
}

// log_format combined, from nginx's documentation.
QByteArray combinedLine(const Exchange &e)
{
    return "127.0.0.1 - - [" + timeLocal(e.record.timeMs) + "] \"GET " + e.path + " HTTP/1.1\" " +
           QByteArray::number(e.status) + ' ' + QByteArray::number(e.bodySize) + " \"" + escaped(e.referer) + "\" \"" +
           escaped(e.userAgent) + '"';
}

QByteArray upstreamLine(const Exchange &e, const QByteArray &peer)
{
    QByteArray decisions;
    for (const Decision &decision : e.record.decisions)
        decisions += (decisions.isEmpty() ? "" : "; then ") + decision.describe();
    return "127.0.0.1 \"GET " + e.path + " HTTP/1.1\" " + QByteArray::number(e.status) + ' ' +
           QByteArray::number(e.bodySize) + " ua=" + peer + " us=" + QByteArray::number(e.status) +
           " rt=" + seconds(e.record.requestTimeMs) + " h=" + e.host.toLower() + " d=\"" + decisions + '"';
}

QByteArrayList fileLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray text = file.readAll();
    if (text.isEmpty())
        return {};
    if (!text.endsWith('\n'))
        return {"<no newline at the end>"};
    text.chop(1);
    return text.split('\n');
}

} // namespace

class TestAccessLogFile final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void linesAsNginxWritesThem();
    void timerWritesWithoutFlush();
    void reopenAfterRotation();
    void openErrorRefusesConfiguration();
    void writeErrorReportedOnce();

private:
    bool startProxy();
    std::optional<Exchange> exchange(const QByteArray &path, const QByteArray &referer = {},
                                     const QByteArray &userAgent = {}, const QByteArray &host = "photos.example.com");
    QString logPath(const QString &name) const { return m_dir->filePath(name); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QList<std::shared_ptr<DemoBackend>> m_backends;
    std::unique_ptr<Engine> m_engine;
    ProxyConfig m_config;
    quint16 m_port = 0;
    quint64 m_cursor = 0;
};

void TestAccessLogFile::initTestCase()
{
    qputenv("TZ", "UTC"); // $time_local is local time: pin it
}

void TestAccessLogFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    for (int i = 0; i < 2; ++i) {
        auto backend = std::make_shared<DemoBackend>();
        QString error;
        QVERIFY2(backend->start(DemoBackend::Options{u"web%1"_s.arg(i + 1), {}, 0, 0, 0.0}, &error), qPrintable(error));
        m_backends.append(backend);
    }
    QVERIFY(startProxy());
}

void TestAccessLogFile::cleanup()
{
    m_engine.reset();
    m_backends.clear();
    m_dir.reset();
    m_cursor = 0;
}

bool TestAccessLogFile::startProxy()
{
    QString text = configTemplate;
    text.replace(u"DIR"_s, m_dir->path());
    text.replace(u"PORT1"_s, QString::number(m_backends[0]->port()));
    text.replace(u"PORT2"_s, QString::number(m_backends[1]->port()));
    const ConfigReadResult result = ConfigReader::readText(text.toUtf8(), u"test.conf"_s);
    if (!result.ok()) {
        qWarning() << result.error->toString();
        return false;
    }
    m_config = *result.config;
    for (ServerConfig &server : m_config.servers)
        server.listens[0].port = 0; // one listener for both servers, on a port the system picks
    m_engine = std::make_unique<Engine>();
    QString error;
    if (!m_engine->start(m_config, &error)) {
        qWarning() << error;
        return false;
    }
    m_port = m_engine->listeningAddresses().first().second;
    return true;
}

// One request on its own connection; waits until the proxy has logged it.
std::optional<Exchange> TestAccessLogFile::exchange(const QByteArray &path, const QByteArray &referer,
                                                    const QByteArray &userAgent, const QByteArray &host)
{
    Exchange e{path, host, referer, userAgent, 0, 0, {}};
    QByteArray wire = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (!referer.isEmpty())
        wire += "Referer: " + referer + "\r\n";
    if (!userAgent.isEmpty())
        wire += "User-Agent: " + userAgent + "\r\n";
    HttpTestClient client;
    if (!client.connectTo(m_port))
        return std::nullopt;
    client.send(wire + "\r\n");
    const std::optional<HttpResponse> response = client.readResponse();
    if (!response)
        return std::nullopt;
    e.status = response->status;
    e.bodySize = response->body.size();
    const AccessLog &log = m_engine->accessLog();
    if (!QTest::qWaitFor([&] { return log.lastId() > m_cursor; }, 5000))
        return std::nullopt;
    QList<AccessRecord> records;
    m_cursor = log.readAfter(m_cursor, &records);
    if (records.size() != 1)
        return std::nullopt;
    e.record = records.front();
    return e;
}

void TestAccessLogFile::linesAsNginxWritesThem()
{
    AccessLogFileWriter writer(m_engine->accessLog());
    QString error;
    QVERIFY2(writer.setConfiguration(m_config, &error), qPrintable(error));
    QCOMPARE(writer.filePaths(), (QStringList{logPath(u"access.log"_s), logPath(u"upstream.log"_s),
                                              logPath(u"json.log"_s), logPath(u"other.log"_s)}));

    const auto first = exchange("/photos/1", "http://ref.example/", "tester/1.0");
    QVERIFY(first);
    const auto quoted = exchange("/photos/2", {}, "UA \"quoted\"");
    QVERIFY(quoted);
    const auto quiet = exchange("/quiet/x", "http://ref.example/", "tester/1.0");
    QVERIFY(quiet);
    const auto json = exchange("/json/a?b=1", {}, "json \"agent\"");
    QVERIFY(json);
    const auto notFound = exchange("/status/404");
    QVERIFY(notFound);
    const auto other = exchange("/photos/3", "http://other/", "tester/2.0", "Other.Example.COM:8080");
    QVERIFY(other);
    // The records name their location: a regex one logs where it says, a nested one inherits "off".
    const auto gif = exchange("/photos/x.gif", {}, "gif");
    QVERIFY(gif);
    const auto nested = exchange("/quiet/nested/x");
    QVERIFY(nested);
    const auto wild = exchange("/photos/4", "http://other/", "tester/3.0", "a.wild.example.com");
    QVERIFY(wild);
    writer.flushNow();
    QCOMPARE(writer.cursor(), m_cursor);

    QCOMPARE(first->status, 200);
    QCOMPARE(notFound->status, 404);
    QVERIFY(first->bodySize > 0);
    // Round robin over two equal peers: 1, 2, 1, 2, 1, 2.
    const QByteArray peer1 = "127.0.0.1:" + QByteArray::number(m_backends[0]->port());
    const QByteArray peer2 = "127.0.0.1:" + QByteArray::number(m_backends[1]->port());

    const QByteArrayList access = fileLines(logPath(u"access.log"_s));
    QCOMPARE(access, (QByteArrayList{combinedLine(*first), combinedLine(*quoted), combinedLine(*notFound)}));
    // The exact sample shape of nginx's docs, time field included.
    static const QRegularExpression shape(
        uR"(^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] )"
        uR"("GET /photos/1 HTTP/1\.1" 200 \d+ "http://ref\.example/" "tester/1\.0"$)"_s);
    QVERIFY2(shape.match(QString::fromLatin1(access.value(0))).hasMatch(), access.value(0).constData());
    QVERIFY2(access.value(1).endsWith(R"( "-" "UA \x22quoted\x22")"), access.value(1).constData());

    QCOMPARE(
        fileLines(logPath(u"upstream.log"_s)),
        (QByteArrayList{upstreamLine(*first, peer1), upstreamLine(*quoted, peer2), upstreamLine(*notFound, peer1)}));

    const QByteArrayList jsonLines = fileLines(logPath(u"json.log"_s));
    QCOMPARE(jsonLines, (QByteArrayList{R"({"uri":"/json/a?b=1","ua":"json \"agent\"","status":200})",
                                        R"({"uri":"/photos/x.gif","ua":"gif","status":200})"}));
    const QJsonObject parsed = QJsonDocument::fromJson(jsonLines.value(0)).object();
    QCOMPARE(parsed.value("ua"_L1).toString(), u"json \"agent\""_s);

    // Host "Other.Example.COM:8080" names the second server alone: its own log, not the others;
    // so does a host its wildcard name takes.
    QCOMPARE(fileLines(logPath(u"other.log"_s)), (QByteArrayList{combinedLine(*other), combinedLine(*wild)}));
    QVERIFY(quiet->status == 200); // served, and logged nowhere
}

void TestAccessLogFile::timerWritesWithoutFlush()
{
    AccessLogFileWriter writer(m_engine->accessLog());
    writer.setInterval(20);
    QString error;
    QVERIFY2(writer.setConfiguration(m_config, &error), qPrintable(error));
    const auto first = exchange("/photos/timer", {}, "timer");
    QVERIFY(first);
    QTRY_COMPARE(fileLines(logPath(u"access.log"_s)), QByteArrayList{combinedLine(*first)});
    QCOMPARE(writer.interval(), 20);
}

void TestAccessLogFile::reopenAfterRotation()
{
    AccessLogFileWriter writer(m_engine->accessLog());
    QString error;
    QVERIFY2(writer.setConfiguration(m_config, &error), qPrintable(error));
    const auto before = exchange("/photos/before");
    QVERIFY(before);
    writer.flushNow();
    QVERIFY(QFile::rename(logPath(u"access.log"_s), logPath(u"access.log.1"_s)));
    QVERIFY(writer.reopen());
    const auto after = exchange("/photos/after");
    QVERIFY(after);
    writer.flushNow();
    QCOMPARE(fileLines(logPath(u"access.log.1"_s)), QByteArrayList{combinedLine(*before)});
    QCOMPARE(fileLines(logPath(u"access.log"_s)), QByteArrayList{combinedLine(*after)});
}

void TestAccessLogFile::openErrorRefusesConfiguration()
{
    AccessLogFileWriter writer(m_engine->accessLog());
    QString error;
    QVERIFY2(writer.setConfiguration(m_config, &error), qPrintable(error));

    ProxyConfig broken = m_config;
    const QString missing = logPath(u"no/such/dir/x.log"_s);
    broken.settings.accessLogs->append(AccessLogDirective{missing, u"combined"_s, false, {}});
    QVERIFY(!writer.setConfiguration(broken, &error));
    QCOMPARE(error, u"open() \"%1\" failed (No such file or directory)"_s.arg(missing));
    // The running configuration stays.
    QCOMPARE(writer.filePaths().size(), 4);
    const auto e = exchange("/photos/still");
    QVERIFY(e);
    writer.flushNow();
    QCOMPARE(fileLines(logPath(u"access.log"_s)), QByteArrayList{combinedLine(*e)});
}

void TestAccessLogFile::writeErrorReportedOnce()
{
    if (!QFile::exists(u"/dev/full"_s))
        QSKIP("no /dev/full to fail writes with");
    ProxyConfig config = m_config;
    config.servers.removeLast();
    config.settings.accessLogs = QList<AccessLogDirective>{{u"/dev/full"_s, u"combined"_s, false, {}}};
    config.servers[0].locations = {config.servers[0].locations.front()};
    AccessLogFileWriter writer(m_engine->accessLog());
    QSignalSpy errors(&writer, &AccessLogFileWriter::errorOccurred);
    QString error;
    QVERIFY2(writer.setConfiguration(config, &error), qPrintable(error));
    for (int i = 0; i < 2; ++i) {
        QVERIFY(exchange("/photos/full"));
        writer.flushNow();
    }
    QCOMPARE(errors.size(), 1);
    QVERIFY2(writer.lastError().startsWith(u"write() to \"/dev/full\" failed"_s), qPrintable(writer.lastError()));
    QCOMPARE(errors.front().front().toString(), writer.lastError());
}

QTEST_GUILESS_MAIN(TestAccessLogFile)
#include "tst_accesslogfile.moc"
