// AccessLogExport and AccessLogFilter: RFC 4180 quoting, JSON Lines that parse back with the
// right types, every filter condition, and errors from the device.

#include "stats/accesslogexport.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

// 2026-11-24 08:18:58.123 UTC
constexpr qint64 sampleTimeMs = 1'795'508'338'123;

AccessRecord makeRecord(quint64 id, int status, const QString &upstream, const QByteArray &upstreamAddr, qint64 timeMs)
{
    AccessRecord record;
    record.id = id;
    record.timeMs = timeMs;
    record.clientAddress = "127.0.0.1";
    record.clientPort = 40000;
    record.method = "GET";
    record.uri = "/photos/" + QByteArray::number(id);
    record.host = "photos.example";
    record.status = status;
    record.bytesSent = 1234;
    record.bodyBytesSent = 1000;
    record.requestTimeMs = 1500 + qint64(id);
    record.upstream = upstream;
    record.upstreamAddr = upstreamAddr;
    record.upstreamStatus = QByteArray::number(status);
    record.upstreamResponseTime = "0.012";
    return record;
}

// The five records the filter tests choose from: ids 1..5.
QList<AccessRecord> filterRecords()
{
    return {
        makeRecord(1, 200, u"photos"_s, "127.0.0.1:3000", 1000),
        makeRecord(2, 502, u"photos"_s, "127.0.0.1:3001, 127.0.0.1:3000", 2000),
        makeRecord(3, 404, u"api"_s, "10.0.0.5:8080", 3000),
        makeRecord(4, 200, u"api"_s, "10.0.0.6:8080", 4000),
        makeRecord(5, 400, QString(), QByteArray(), 5000),
    };
}

QList<quint64> ids(const QList<AccessRecord> &records)
{
    QList<quint64> result;
    for (const AccessRecord &record : records)
        result.append(record.id);
    return result;
}

// Accepts maxBytes bytes, then fails every write.
class FailingDevice final : public QIODevice
{
public:
    explicit FailingDevice(qint64 maxBytes)
        : m_maxBytes(maxBytes)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 size) override
    {
        if (m_written + size > m_maxBytes) {
            setErrorString(u"disk full"_s);
            return -1;
        }
        m_written += size;
        return size;
    }

private:
    qint64 m_maxBytes;
    qint64 m_written = 0;
};

} // namespace

class TestAccessLogExport final : public QObject
{
    Q_OBJECT

private slots:
    void csvHeader();
    void csvRow();
    void csvQuoting_data();
    void csvQuoting();
    void jsonLines();
    void filters_data();
    void filters();
    void wholeRing();
    void deviceErrors();
};

void TestAccessLogExport::csvHeader()
{
    QCOMPARE(AccessLogExport::csvHeader(),
             QByteArray("id,time,client,method,uri,version,host,status,bytes_sent,request_time,upstream,"
                        "upstream_addr,upstream_status,upstream_response_time,decision\r\n"));
}

void TestAccessLogExport::csvRow()
{
    AccessRecord record = makeRecord(7, 200, u"photos"_s, "127.0.0.1:3000", sampleTimeMs);
    Decision decision;
    decision.picked = 0;
    decision.single = true;
    record.decisions = {decision};
    QCOMPARE(AccessLogExport::csvRow(record),
             QByteArray("7,2026-11-24T08:18:58.123Z,127.0.0.1,GET,/photos/7,HTTP/1.1,photos.example,200,1234,1.507,"
                        "photos,127.0.0.1:3000,200,0.012,rr: single server\r\n"));

    const AccessRecord empty;
    QCOMPARE(AccessLogExport::csvRow(empty), QByteArray("0,1970-01-01T00:00:00.000Z,,,,,,0,0,0.000,,,,,\r\n"));
}

void TestAccessLogExport::csvQuoting_data()
{
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<QByteArray>("field");

    QTest::newRow("plain") << QByteArray("/a/b") << QByteArray("/a/b");
    QTest::newRow("comma") << QByteArray("/a,b") << QByteArray("\"/a,b\"");
    QTest::newRow("quote") << QByteArray("/a\"b\"") << QByteArray("\"/a\"\"b\"\"\"");
    QTest::newRow("newline") << QByteArray("/a\nb") << QByteArray("\"/a\nb\"");
    QTest::newRow("carriage return") << QByteArray("/a\rb") << QByteArray("\"/a\rb\"");
    QTest::newRow("all of them") << QByteArray("\",\r\n") << QByteArray("\"\"\",\r\n\"");
    QTest::newRow("semicolon and space stay plain") << QByteArray("/a; b") << QByteArray("/a; b");
}

void TestAccessLogExport::csvQuoting()
{
    QFETCH(QByteArray, uri);
    QFETCH(QByteArray, field);
    AccessRecord record;
    record.uri = uri;
    record.method = "GET";
    QCOMPARE(AccessLogExport::csvRow(record),
             "0,1970-01-01T00:00:00.000Z,,GET," + field + ",HTTP/1.1,,0,0,0.000,,,,,\r\n");
}

void TestAccessLogExport::jsonLines()
{
    QList<AccessRecord> records = filterRecords();
    records[0].uri = "/quote\"and\\back\nslash,comma";
    records[0].requestHeaders = "User-Agent: not exported";
    Decision decision;
    decision.picked = -1;
    records[1].decisions = {decision, decision};

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error;
    QCOMPARE(AccessLogExport::write(records, AccessLogExport::Format::JsonLines, &buffer, &error), 5);
    QVERIFY(error.isEmpty());
    QVERIFY(buffer.data().endsWith('\n'));
    const QByteArrayList lines = buffer.data().chopped(1).split('\n');
    QCOMPARE(lines.size(), 5);

    const QStringList keys = {u"bytes_sent"_s,
                              u"client"_s,
                              u"decision"_s,
                              u"host"_s,
                              u"id"_s,
                              u"method"_s,
                              u"request_time"_s,
                              u"status"_s,
                              u"time"_s,
                              u"upstream"_s,
                              u"upstream_addr"_s,
                              u"upstream_response_time"_s,
                              u"upstream_status"_s,
                              u"uri"_s,
                              u"version"_s};
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(lines[i], &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
        QVERIFY(document.isObject());
        const QJsonObject object = document.object();
        QCOMPARE(object.keys(), keys);
        for (const char *number : {"id", "status", "bytes_sent", "request_time"})
            QVERIFY2(object.value(QLatin1StringView(number)).isDouble(), number);
        QCOMPARE(object.value("id"_L1).toInteger(), qint64(i + 1));
        QCOMPARE(object, AccessLogExport::jsonObject(records[i]));
    }
    const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
    QCOMPARE(first.value("uri"_L1).toString(), u"/quote\"and\\back\nslash,comma"_s);
    QCOMPARE(first.value("time"_L1).toString(), u"1970-01-01T00:00:01.000Z"_s);
    QCOMPARE(first.value("request_time"_L1).toDouble(), 1.501);
    QCOMPARE(first.value("status"_L1).toInt(), 200);
    QCOMPARE(first.value("version"_L1).toString(), u"HTTP/1.1"_s);
    const QJsonObject second = QJsonDocument::fromJson(lines[1]).object();
    QCOMPARE(second.value("decision"_L1).toString(), u"rr: no live upstreams; then rr: no live upstreams"_s);
    QCOMPARE(second.value("upstream_addr"_L1).toString(), u"127.0.0.1:3001, 127.0.0.1:3000"_s);
}

void TestAccessLogExport::filters_data()
{
    QTest::addColumn<QString>("upstream");
    QTest::addColumn<QByteArray>("peer");
    QTest::addColumn<int>("statusClass");
    QTest::addColumn<qint64>("fromMs"); // -1: unset
    QTest::addColumn<qint64>("toMs");   // -1: unset
    QTest::addColumn<QList<quint64>>("expected");

    const QList<quint64> all = {1, 2, 3, 4, 5};
    QTest::newRow("none") << QString() << QByteArray() << 0 << qint64(-1) << qint64(-1) << all;
    QTest::newRow("upstream") << u"api"_s << QByteArray() << 0 << qint64(-1) << qint64(-1) << QList<quint64>{3, 4};
    QTest::newRow("upstream is exact") << u"ap"_s << QByteArray() << 0 << qint64(-1) << qint64(-1) << QList<quint64>();
    QTest::newRow("peer, any attempt") << QString() << QByteArray("127.0.0.1:3000") << 0 << qint64(-1) << qint64(-1)
                                       << QList<quint64>{1, 2};
    QTest::newRow("peer part") << QString() << QByteArray(":8080") << 0 << qint64(-1) << qint64(-1)
                               << QList<quint64>{3, 4};
    QTest::newRow("2xx") << QString() << QByteArray() << 2 << qint64(-1) << qint64(-1) << QList<quint64>{1, 4};
    QTest::newRow("4xx") << QString() << QByteArray() << 4 << qint64(-1) << qint64(-1) << QList<quint64>{3, 5};
    QTest::newRow("5xx") << QString() << QByteArray() << 5 << qint64(-1) << qint64(-1) << QList<quint64>{2};
    QTest::newRow("from, inclusive") << QString() << QByteArray() << 0 << qint64(3000) << qint64(-1)
                                     << QList<quint64>{3, 4, 5};
    QTest::newRow("to, exclusive") << QString() << QByteArray() << 0 << qint64(-1) << qint64(3000)
                                   << QList<quint64>{1, 2};
    QTest::newRow("range") << QString() << QByteArray() << 0 << qint64(2000) << qint64(4001) << QList<quint64>{2, 3, 4};
    QTest::newRow("all conditions") << u"api"_s << QByteArray("10.0.0.6") << 2 << qint64(1000) << qint64(9000)
                                    << QList<quint64>{4};
}

void TestAccessLogExport::filters()
{
    QFETCH(QString, upstream);
    QFETCH(QByteArray, peer);
    QFETCH(int, statusClass);
    QFETCH(qint64, fromMs);
    QFETCH(qint64, toMs);
    QFETCH(QList<quint64>, expected);

    AccessLogFilter filter;
    filter.upstream = upstream;
    filter.peer = peer;
    filter.statusClass = statusClass;
    if (fromMs >= 0)
        filter.fromMs = fromMs;
    if (toMs >= 0)
        filter.toMs = toMs;

    QList<AccessRecord> matching;
    for (const AccessRecord &record : filterRecords()) {
        if (filter.matches(record))
            matching.append(record);
    }
    QCOMPARE(ids(matching), expected);

    // The exports apply the same filter: one CSV row per match after the header.
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error;
    QCOMPARE(AccessLogExport::write(filterRecords(), AccessLogExport::Format::Csv, &buffer, &error, filter),
             expected.size());
    QCOMPARE(buffer.data().count("\r\n"), expected.size() + 1);
}

void TestAccessLogExport::wholeRing()
{
    AccessLog log(3);
    for (const AccessRecord &record : filterRecords())
        log.append(record); // the ring renumbers them 1..5 and keeps 3..5
    QCOMPARE(ids(AccessLogExport::select(log)), (QList<quint64>{3, 4, 5}));
    AccessLogFilter filter;
    filter.statusClass = 2;
    QCOMPARE(ids(AccessLogExport::select(log, filter)), QList<quint64>{4});

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error;
    QCOMPARE(AccessLogExport::write(log, AccessLogExport::Format::JsonLines, &buffer, &error), 3);
    QCOMPARE(buffer.data().count('\n'), 3);
}

void TestAccessLogExport::deviceErrors()
{
    const QList<AccessRecord> records = filterRecords();
    QString error;
    QBuffer closed;
    QCOMPARE(AccessLogExport::write(records, AccessLogExport::Format::Csv, &closed, &error), -1);
    QCOMPARE(error, u"the device is not open for writing"_s);

    error.clear();
    QCOMPARE(AccessLogExport::write(records, AccessLogExport::Format::Csv, nullptr, &error), -1);
    QVERIFY(!error.isEmpty());

    error.clear();
    FailingDevice full(10);
    QCOMPARE(AccessLogExport::write(records, AccessLogExport::Format::JsonLines, &full, &error), -1);
    QCOMPARE(error, u"disk full"_s);
}

QTEST_GUILESS_MAIN(TestAccessLogExport)
#include "tst_accesslogexport.moc"
