// LogFormatter: every variable, the three escaping modes, nginx's "-" for what is not there,
// and the combined format against lines written by hand from nginx's documentation.

#include "stats/logformat.h"
#include "variables/timetext.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

// 2026-11-24 08:18:58.123 UTC
constexpr qint64 sampleTimeMs = 1'795'508'338'123;

AccessRecord sampleRecord()
{
    AccessRecord record;
    record.id = 42;
    record.timeMs = sampleTimeMs;
    record.clientAddress = "127.0.0.1";
    record.clientPort = 51234;
    record.method = "GET";
    record.uri = "/to1/sl%20eep/3?x=1&y=%41";
    record.versionMajor = 1;
    record.versionMinor = 1;
    record.host = "Photos.Example:8080";
    record.requestHeaders = "Host: Photos.Example:8080\r\nX-Request-ID:  abc-123 \r\nCookie: a=1\r\n"
                            "User-Agent: curl/7.88.1\r\ncookie: b=2; Session=s1\r\nReferer: http://example.com/\r\n"
                            "X-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\nUser-Agent: second\r\n"
                            "X-Empty:\r\nContent-Type: text/plain\r\nContent-Length: 12";
    record.status = 504;
    record.bytesSent = 330;
    record.bodyBytesSent = 167;
    record.requestTimeMs = 3004;
    record.upstream = u"photos"_s;
    record.upstreamAddr = "127.0.0.1:18099, 127.0.0.1:18081";
    record.upstreamStatus = "502, 504";
    record.upstreamConnectTime = "-, 0.001";
    record.upstreamHeaderTime = "-, -";
    record.upstreamResponseTime = "0.000, 3.002";
    record.upstreamBytesReceived = "0, 458";
    record.upstreamBytesSent = "0, 212";
    record.upstreamHeaders = "Content-Type: text/html\r\nX-Backend: b1\r\nX-Backend: b2\r\n"
                             "Set-Cookie: sid=abc; Path=/\r\nSet-Cookie: other=x";
    record.sentHeaders = "HTTP/1.1 504 Gateway Time-out\r\nServer: nginx\r\nDate: x\r\nContent-Type: text/html\r\n"
                         "X-Backend: b1\r\nConnection: keep-alive\r\n\r\n";
    record.requestLength = 321;
    record.connection = 17;
    record.connectionRequests = 3;
    record.serverAddress = "127.0.0.1";
    record.serverPort = 8080;
    Decision single;
    single.picked = 0;
    single.single = true;
    Decision none;
    none.method = BalancingMethod::LeastConn;
    none.picked = -1;
    record.decisions = {single, none};
    return record;
}

QByteArray formatWith(const QString &format, const AccessRecord &record, const QString &escape = u"default"_s)
{
    QString error;
    const std::optional<LogFormatter> formatter = LogFormatter::compile({u"t"_s, escape, format, {}}, &error);
    if (!formatter) {
        qWarning("%s", qPrintable(error));
        return "<compile error>";
    }
    return formatter->format(record);
}

class TimeZoneGuard
{
public:
    explicit TimeZoneGuard(const QByteArray &zone)
        : m_old(qgetenv("TZ"))
    {
        qputenv("TZ", zone);
        timeZoneChanged();
    }
    ~TimeZoneGuard()
    {
        qputenv("TZ", m_old);
        timeZoneChanged();
    }
    Q_DISABLE_COPY_MOVE(TimeZoneGuard)

private:
    QByteArray m_old;
};

} // namespace

class TestLogFormat final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void variables_data();
    void variables();
    void realIpVariables();
    void emptyValues_data();
    void emptyValues();
    void escaping_data();
    void escaping();
    void combined_data();
    void combined();
    void timeZones_data();
    void timeZones();
    void compileErrors_data();
    void compileErrors();
};

void TestLogFormat::initTestCase()
{
    // nginx logs local time: pin the zone so that the expected lines hold anywhere.
    qputenv("TZ", "UTC");
}

void TestLogFormat::variables_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("remote_addr") << u"$remote_addr"_s << QByteArray("127.0.0.1");
    QTest::newRow("remote_port") << u"$remote_port"_s << QByteArray("51234");
    QTest::newRow("remote_user") << u"$remote_user"_s << QByteArray("-");
    // Without realip, the peer is the client.
    QTest::newRow("realip_remote_addr") << u"$realip_remote_addr"_s << QByteArray("127.0.0.1");
    QTest::newRow("realip_remote_port") << u"$realip_remote_port"_s << QByteArray("51234");
    QTest::newRow("time_local") << u"$time_local"_s << QByteArray("24/Nov/2026:08:18:58 +0000");
    QTest::newRow("time_iso8601") << u"$time_iso8601"_s << QByteArray("2026-11-24T08:18:58+00:00");
    QTest::newRow("msec") << u"$msec"_s << QByteArray("1795508338.123");
    QTest::newRow("request") << u"$request"_s << QByteArray("GET /to1/sl%20eep/3?x=1&y=%41 HTTP/1.1");
    QTest::newRow("status") << u"$status"_s << QByteArray("504");
    QTest::newRow("body_bytes_sent") << u"$body_bytes_sent"_s << QByteArray("167");
    QTest::newRow("bytes_sent") << u"$bytes_sent"_s << QByteArray("330");
    QTest::newRow("request_time") << u"$request_time"_s << QByteArray("3.004");
    QTest::newRow("request_method") << u"$request_method"_s << QByteArray("GET");
    QTest::newRow("request_uri") << u"$request_uri"_s << QByteArray("/to1/sl%20eep/3?x=1&y=%41");
    QTest::newRow("uri") << u"$uri"_s << QByteArray("/to1/sl eep/3");
    QTest::newRow("document_uri") << u"$document_uri"_s << QByteArray("/to1/sl eep/3");
    QTest::newRow("args") << u"$args"_s << QByteArray("x=1&y=%41");
    QTest::newRow("query_string") << u"$query_string"_s << QByteArray("x=1&y=%41");
    QTest::newRow("is_args") << u"$is_args"_s << QByteArray("?");
    QTest::newRow("scheme") << u"$scheme"_s << QByteArray("http");
    QTest::newRow("host") << u"$host"_s << QByteArray("photos.example");
    QTest::newRow("http_host") << u"$http_host"_s << QByteArray("Photos.Example:8080");
    QTest::newRow("http_referer") << u"$http_referer"_s << QByteArray("http://example.com/");
    QTest::newRow("http_user_agent") << u"$http_user_agent"_s << QByteArray("curl/7.88.1");
    QTest::newRow("http_x_forwarded_for") << u"$http_x_forwarded_for"_s << QByteArray("10.0.0.1, 10.0.0.2");
    QTest::newRow("upstream_addr") << u"$upstream_addr"_s << QByteArray("127.0.0.1:18099, 127.0.0.1:18081");
    QTest::newRow("upstream_status") << u"$upstream_status"_s << QByteArray("502, 504");
    QTest::newRow("upstream_connect_time") << u"$upstream_connect_time"_s << QByteArray("-, 0.001");
    QTest::newRow("upstream_header_time") << u"$upstream_header_time"_s << QByteArray("-, -");
    QTest::newRow("upstream_response_time") << u"$upstream_response_time"_s << QByteArray("0.000, 3.002");
    QTest::newRow("server_protocol") << u"$server_protocol"_s << QByteArray("HTTP/1.1");
    // Any header, by nginx's rule: any case, '_' for '-'; several with one name joined.
    QTest::newRow("http_x_request_id") << u"$http_x_request_id"_s << QByteArray("abc-123");
    QTest::newRow("HTTP_X_Request_Id") << u"$HTTP_X_Request_Id"_s << QByteArray("abc-123");
    QTest::newRow("http_cookie, two") << u"$http_cookie"_s << QByteArray("a=1; b=2; Session=s1");
    QTest::newRow("http_ absent") << u"$http_x_absent"_s << QByteArray("-");
    QTest::newRow("arg_x") << u"$arg_x"_s << QByteArray("1");
    QTest::newRow("ARG_Y, raw") << u"${ARG_Y}"_s << QByteArray("%41");
    QTest::newRow("arg_ absent") << u"$arg_z"_s << QByteArray("-");
    QTest::newRow("lbscope_decision") << u"$lbscope_decision"_s
                                      << QByteArray("rr: single server; then least_conn: no live upstreams");
    QTest::newRow("braced, with text around") << u"<${status}>${remote_port}x"_s << QByteArray("<504>51234x");
    QTest::newRow("any case") << u"$STATUS $Remote_Addr"_s << QByteArray("504 127.0.0.1");
    QTest::newRow("literal text only") << u"plain \"text\" \\ here"_s << QByteArray("plain \"text\" \\ here");
    QTest::newRow("empty format") << QString() << QByteArray();
    // nginx 1.22, checked by hand: the first header of a name, except Cookie ("; ") and
    // X-Forwarded-For (", "), which join every one.
    QTest::newRow("http_user_agent, first of two") << u"$http_user_agent"_s << QByteArray("curl/7.88.1");
    QTest::newRow("http_ with no name") << u"$http_"_s << QByteArray("-");
    QTest::newRow("arg_ with no name") << u"$arg_"_s << QByteArray("-");
    QTest::newRow("header sent empty") << u"[$http_x_empty]"_s << QByteArray("[]");
    QTest::newRow("cookie_") << u"$cookie_b $cookie_SESSION $cookie_a"_s << QByteArray("2 s1 1");
    QTest::newRow("cookie_ absent") << u"$cookie_c"_s << QByteArray("-");
    QTest::newRow("content_type") << u"$content_type"_s << QByteArray("text/plain");
    QTest::newRow("content_length") << u"$content_length"_s << QByteArray("12");
    QTest::newRow("request_length") << u"$request_length"_s << QByteArray("321");
    QTest::newRow("connection") << u"$connection $connection_requests"_s << QByteArray("17 3");
    QTest::newRow("server_addr") << u"$server_addr:$server_port"_s << QByteArray("127.0.0.1:8080");
    QTest::newRow("binary_remote_addr") << u"$binary_remote_addr"_s << QByteArray("\\x7F\\x00\\x00\\x01");
    QTest::newRow("nginx_version") << u"$nginx_version"_s << QByteArray("1.22.1");
    QTest::newRow("https") << u"[$https]"_s << QByteArray("[]");
    QTest::newRow("upstream_bytes") << u"$upstream_bytes_received $upstream_bytes_sent"_s
                                    << QByteArray("0, 458 0, 212");
    QTest::newRow("upstream_http_") << u"$upstream_http_x_backend|$UPSTREAM_HTTP_CONTENT_TYPE"_s
                                    << QByteArray("b1|text/html");
    QTest::newRow("upstream_http_ absent") << u"$upstream_http_x_absent"_s << QByteArray("-");
    QTest::newRow("upstream_cookie_") << u"$upstream_cookie_sid $upstream_cookie_other"_s << QByteArray("abc x");
    QTest::newRow("sent_http_") << u"$sent_http_content_type $sent_http_x_backend"_s << QByteArray("text/html b1");
    // nginx writes Server and Date in its header filter; by the log phase it has let go of the
    // connection's keepalive flag.
    QTest::newRow("sent_http_ nginx writes itself") << u"$sent_http_server $sent_http_date $sent_http_connection"_s
                                                    << QByteArray("- - close");
    QTest::newRow("time variables through the table") << u"$TIME_LOCAL|$MSEC"_s
                                                       << QByteArray("24/Nov/2026:08:18:58 +0000|1795508338.123");
}

void TestLogFormat::variables()
{
    QFETCH(QString, format);
    QTEST(formatWith(format, sampleRecord()), "expected");
}

// Where realip replaced the client, the record keeps the connection's peer.
void TestLogFormat::realIpVariables()
{
    AccessRecord record = sampleRecord();
    record.clientAddress = "203.0.113.7";
    record.clientPort = 0; // the header gave no port
    record.peerAddress = "127.0.0.1";
    record.peerPort = 51234;
    QCOMPARE(formatWith(u"$remote_addr [$remote_port] $realip_remote_addr $realip_remote_port"_s, record),
             QByteArray("203.0.113.7 [] 127.0.0.1 51234"));
}

void TestLogFormat::emptyValues_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("defaultEscape");
    QTest::addColumn<QByteArray>("otherEscapes"); // json and none

    // A request that never got a parsed request line, an upstream or any header.
    for (const char *name : {"remote_addr",
                             "realip_remote_addr",
                             "remote_user",
                             "request",
                             "request_method",
                             "request_uri",
                             "uri",
                             "args",
                             "host",
                             "http_host",
                             "http_referer",
                             "http_user_agent",
                             "http_x_forwarded_for",
                             "http_x_request_id",
                             "arg_x",
                             "upstream_addr",
                             "upstream_status",
                             "upstream_connect_time",
                             "upstream_header_time",
                             "upstream_response_time",
                             "server_protocol",
                             "lbscope_decision"}) {
        QTest::addRow("%s", name) << u"[$"_s + QLatin1StringView(name) + u']' << QByteArray("[-]") << QByteArray("[]");
    }
    // Found even when empty: nothing in every mode. nginx logs an empty $remote_port where realip
    // took an address without a port from a header (tst_nginxrealip compares those lines).
    QTest::newRow("is_args") << u"[$is_args]"_s << QByteArray("[]") << QByteArray("[]");
    QTest::newRow("remote_port") << u"[$remote_port]"_s << QByteArray("[]") << QByteArray("[]");
    QTest::newRow("realip_remote_port") << u"[$realip_remote_port]"_s << QByteArray("[]") << QByteArray("[]");
    // The log module's own values are always written.
    QTest::newRow("status") << u"$status"_s << QByteArray("000") << QByteArray("000");
    QTest::newRow("body_bytes_sent") << u"$body_bytes_sent"_s << QByteArray("0") << QByteArray("0");
    QTest::newRow("bytes_sent") << u"$bytes_sent"_s << QByteArray("0") << QByteArray("0");
    QTest::newRow("request_time") << u"$request_time"_s << QByteArray("0.000") << QByteArray("0.000");
    QTest::newRow("msec") << u"$msec"_s << QByteArray("0.000") << QByteArray("0.000");
    QTest::newRow("time_local") << u"$time_local"_s << QByteArray("01/Jan/1970:00:00:00 +0000")
                                << QByteArray("01/Jan/1970:00:00:00 +0000");
}

void TestLogFormat::emptyValues()
{
    QFETCH(QString, format);
    QFETCH(QByteArray, otherEscapes);
    const AccessRecord empty;
    QTEST(formatWith(format, empty), "defaultEscape");
    QCOMPARE(formatWith(format, empty, u"json"_s), otherEscapes);
    QCOMPARE(formatWith(format, empty, u"none"_s), otherEscapes);
}

void TestLogFormat::escaping_data()
{
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<QString>("escape");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray tricky = "a\"b\\c\td\x01\x7f\xc3\xa9~ ";
    QTest::newRow("default") << tricky << u"default"_s << QByteArray("<a\\x22b\\x5Cc\\x09d\\x01\\x7F\\xC3\\xA9~ >");
    QTest::newRow("empty escape is default")
        << tricky << QString() << QByteArray("<a\\x22b\\x5Cc\\x09d\\x01\\x7F\\xC3\\xA9~ >");
    QTest::newRow("json") << tricky << u"json"_s << QByteArray("<a\\\"b\\\\c\\td\\u0001\x7f\xc3\xa9~ >");
    QTest::newRow("json short escapes") << QByteArray("\n\r\b\f\x1f") << u"json"_s
                                        << QByteArray("<\\n\\r\\b\\f\\u001F>");
    QTest::newRow("none") << tricky << u"none"_s << QByteArray("<" + tricky + ">");
    QTest::newRow("default, printable") << QByteArray("Mozilla/5.0 (X11; Linux) {x}") << u"default"_s
                                        << QByteArray("<Mozilla/5.0 (X11; Linux) {x}>");
}

void TestLogFormat::escaping()
{
    QFETCH(QByteArray, uri);
    QFETCH(QString, escape);
    AccessRecord record = sampleRecord();
    record.uri = uri;
    // The literal text around the variable is never escaped.
    QTEST(formatWith(u"<$request_uri>"_s, record, escape), "expected");
}

namespace {

// The records of combined(), by name (AccessRecord is not a meta type).
AccessRecord combinedRecord(const QByteArray &name)
{
    if (name == "timeout") { // nginx's sample line (the spec, section 10): a timeout after 3 s
        AccessRecord timeout;
        timeout.timeMs = sampleTimeMs;
        timeout.clientAddress = "127.0.0.1";
        timeout.method = "GET";
        timeout.uri = "/to1/sleep/3";
        timeout.status = 504;
        timeout.bodyBytesSent = 167;
        timeout.requestHeaders = "User-Agent: curl/7.88.1";
        return timeout;
    }
    if (name == "browser") {
        AccessRecord browser = sampleRecord();
        browser.requestHeaders = "Referer: http://example.com/\r\nUser-Agent: Mozilla/5.0 \"quoted\"";
        browser.versionMinor = 0;
        return browser;
    }
    AccessRecord garbage; // the request line could not be parsed
    garbage.timeMs = sampleTimeMs;
    garbage.clientAddress = "::1";
    garbage.status = 400;
    garbage.bodyBytesSent = 157;
    return garbage;
}

} // namespace

void TestLogFormat::combined_data()
{
    QTest::addColumn<QByteArray>("record");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("504 from curl")
        << QByteArray("timeout")
        << QByteArray(
               R"(127.0.0.1 - - [24/Nov/2026:08:18:58 +0000] "GET /to1/sleep/3 HTTP/1.1" 504 167 "-" "curl/7.88.1")");
    QTest::newRow("referer, escaped agent, HTTP/1.0")
        << QByteArray("browser")
        << QByteArray(R"(127.0.0.1 - - [24/Nov/2026:08:18:58 +0000] "GET /to1/sl%20eep/3?x=1&y=%41 HTTP/1.0" 504 167 )"
                      R"("http://example.com/" "Mozilla/5.0 \x22quoted\x22")");
    QTest::newRow("no request line") << QByteArray("garbage")
                                     << QByteArray(R"(::1 - - [24/Nov/2026:08:18:58 +0000] "-" 400 157 "-" "-")");
}

void TestLogFormat::combined()
{
    QFETCH(QByteArray, record);
    const AccessRecord access = combinedRecord(record);
    QTEST(LogFormatter::combined().format(access), "expected");
    QCOMPARE(formatWith(combinedLogFormat().format, access), LogFormatter::combined().format(access));
    QCOMPARE(LogFormatter::combined().escape(), LogFormatter::Escape::Default);
}

void TestLogFormat::timeZones_data()
{
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QByteArray>("expected");

    // POSIX zone strings: no time zone database needed, and the sign is inverted.
    QTest::newRow("UTC") << QByteArray("UTC0") << QByteArray("24/Nov/2026:08:18:58 +0000 2026-11-24T08:18:58+00:00");
    QTest::newRow("east, half hour") << QByteArray("IST-5:30")
                                     << QByteArray("24/Nov/2026:13:48:58 +0530 2026-11-24T13:48:58+05:30");
    QTest::newRow("west, day before") << QByteArray("XYZ+9")
                                      << QByteArray("23/Nov/2026:23:18:58 -0900 2026-11-23T23:18:58-09:00");
}

void TestLogFormat::timeZones()
{
    QFETCH(QByteArray, zone);
    const TimeZoneGuard guard(zone);
    QTEST(formatWith(u"$time_local $time_iso8601"_s, sampleRecord()), "expected");
}

void TestLogFormat::compileErrors_data()
{
    QTest::addColumn<QString>("escape");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("error");

    QTest::newRow("unknown variable") << QString() << u"$status $nosuch"_s << u"unknown \"nosuch\" variable"_s;
    QTest::newRow("script capture") << QString() << u"$1"_s << u"unknown \"1\" variable"_s;
    QTest::newRow("unicode is no name") << QString() << u"$\u00e9t\u00e9"_s << u"invalid parameter \"$\u00e9t\u00e9\""_s;
    QTest::newRow("dollar at the end") << QString() << u"x $"_s << u"invalid parameter \"$\""_s;
    QTest::newRow("dollar and space") << QString() << u"$ x"_s << u"invalid parameter \"$ x\""_s;
    QTest::newRow("empty braces") << QString() << u"${}"_s << u"invalid parameter \"${}\""_s;
    QTest::newRow("unclosed brace") << QString() << u"${status"_s
                                    << u"the closing bracket in \"status\" variable is missing"_s;
    QTest::newRow("escape") << u"xml"_s << u"$status"_s << u"unknown log format escaping \"xml\""_s;
}

void TestLogFormat::compileErrors()
{
    QFETCH(QString, escape);
    QFETCH(QString, format);
    QString error;
    QVERIFY(!LogFormatter::compile({u"t"_s, escape, format, {}}, &error));
    QTEST(error, "error");
}

QTEST_GUILESS_MAIN(TestLogFormat)
#include "tst_logformat.moc"
