// The variable table and its parser in the script dialect (proxy_set_header, add_header,
// hash): what each variable gives at request time, from a live request parsed by
// MessageParser, and the errors nginx 1.22 gives for the same strings (checked by hand with
// nginx -t). log_format's dialect and the log-time values are in tst_logformat.

#include "http/headerlist.h"
#include "http/messageparser.h"
#include "variables/valuetemplate.h"
#include "variables/variable.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

const QByteArray sampleRequest = "POST /p%61th/x?id=5&a=A1&ID=6&a=A2&flag HTTP/1.1\r\n"
                                 "Host: Photos.Example:8080\r\n"
                                 "User-Agent: ua1\r\n"
                                 "User-Agent: ua2\r\n"
                                 "X-Custom: c1\r\n"
                                 "x-custom: c2\r\n"
                                 "Cookie: session=s1; c=C1\r\n"
                                 "Cookie: c=C2; SESSION=s2\r\n"
                                 "X-Forwarded-For: 1.1.1.1\r\n"
                                 "X-Forwarded-For: 2.2.2.2\r\n"
                                 "Content-Type: text/x\r\n"
                                 "Content-Length: 5\r\n"
                                 "\r\n"
                                 "hello";

class ParsedRequest
{
public:
    ParsedRequest()
        : m_parser(MessageParser::Kind::Request, HeadLimits{})
    {
        m_parser.execute(sampleRequest.constData(), 0, sampleRequest.size());
    }
    bool ok() const { return m_parser.state() == MessageParser::State::HeadComplete; }
    const MessageParser &parser() const { return m_parser; }

    RequestContext context() const
    {
        RequestContext context;
        context.method = m_parser.methodText().in(sampleRequest.constData());
        context.target = m_parser.target().in(sampleRequest.constData());
        context.versionMajor = m_parser.versionMajor();
        context.versionMinor = m_parser.versionMinor();
        context.requestHeaders = HeaderList(m_parser, sampleRequest.constData());
        context.requestLength = m_parser.headLength();
        context.remoteAddr = "127.0.0.1";
        context.remotePort = 40000;
        context.serverAddr = "127.0.0.2";
        context.serverPort = 8080;
        context.connection = 7;
        context.connectionRequests = 2;
        context.serverName = "photos";
        context.proxyHost = "pool";
        context.timeMs = 1'795'508'338'123; // 2026-11-24 08:18:58.123 UTC
        return context;
    }

private:
    MessageParser m_parser;
};

} // namespace

class TestVariables : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qputenv("TZ", "UTC"); }
    void requestTime_data();
    void requestTime();
    void upstreamAndResponse();
    void captures();
    void errors_data();
    void errors();
    void headerListForms();
    void tableIsCaseInsensitive();
};

void TestVariables::requestTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("literal") << u"plain"_s << QByteArray("plain");
    QTest::newRow("http_ first of two") << u"$http_user_agent|$http_x_custom"_s << QByteArray("ua1|c1");
    QTest::newRow("http_ any case") << u"$HTTP_X_CUSTOM"_s << QByteArray("c1");
    QTest::newRow("http_cookie joined") << u"$http_cookie"_s << QByteArray("session=s1; c=C1; c=C2; SESSION=s2");
    QTest::newRow("http_x_forwarded_for joined") << u"$http_x_forwarded_for"_s << QByteArray("1.1.1.1, 2.2.2.2");
    QTest::newRow("http_ absent") << u"[$http_x_absent]"_s << QByteArray("[]");
    QTest::newRow("arg_ first, any case") << u"$arg_id $ARG_ID $arg_a"_s << QByteArray("5 5 A1");
    QTest::newRow("arg_ without '=' is none") << u"[$arg_flag]"_s << QByteArray("[]");
    QTest::newRow("cookie_ first, any case") << u"$cookie_session $cookie_c $cookie_SESSION"_s << QByteArray("s1 C1 s1");
    QTest::newRow("host") << u"$host"_s << QByteArray("photos.example");
    QTest::newRow("http_host") << u"$http_host"_s << QByteArray("Photos.Example:8080");
    QTest::newRow("request") << u"$request"_s << QByteArray("POST /p%61th/x?id=5&a=A1&ID=6&a=A2&flag HTTP/1.1");
    QTest::newRow("uri and args") << u"$uri|$document_uri|$args|$query_string|$is_args"_s
                                  << QByteArray("/path/x|/path/x|id=5&a=A1&ID=6&a=A2&flag|id=5&a=A1&ID=6&a=A2&flag|?");
    QTest::newRow("request_method, request_uri") << u"$request_method $request_uri"_s
                                                 << QByteArray("POST /p%61th/x?id=5&a=A1&ID=6&a=A2&flag");
    QTest::newRow("server_protocol, scheme") << u"$server_protocol $scheme"_s << QByteArray("HTTP/1.1 http");
    QTest::newRow("content_type, content_length") << u"$content_type $content_length"_s << QByteArray("text/x 5");
    QTest::newRow("remote and server") << u"$remote_addr:$remote_port $server_addr:$server_port"_s
                                       << QByteArray("127.0.0.1:40000 127.0.0.2:8080");
    QTest::newRow("server_name, proxy_host") << u"$server_name $proxy_host"_s << QByteArray("photos pool");
    QTest::newRow("proxy_add_x_forwarded_for") << u"$proxy_add_x_forwarded_for"_s
                                               << QByteArray("1.1.1.1, 2.2.2.2, 127.0.0.1");
    QTest::newRow("connection") << u"$connection|$connection_requests"_s << QByteArray("7|2");
    QTest::newRow("binary_remote_addr") << u"$binary_remote_addr"_s << QByteArray("\x7f\x00\x00\x01", 4);
    // What nginx sends upstream before any response: status 000, nothing sent, no attempt.
    QTest::newRow("nothing sent yet") << u"$status|$bytes_sent|$body_bytes_sent|$upstream_addr|$upstream_http_x"_s
                                      << QByteArray("000|0|0||");
    QTest::newRow("request_time, msec") << u"$request_time|$msec"_s << QByteArray("0.000|1795508338.123");
    QTest::newRow("time_local, time_iso8601") << u"$time_local|$time_iso8601"_s
                                              << QByteArray("24/Nov/2026:08:18:58 +0000|2026-11-24T08:18:58+00:00");
    QTest::newRow("nginx_version") << u"$nginx_version"_s << QByteArray("1.22.1");
    QTest::newRow("braced") << u"${arg_id}x${http_x_custom}"_s << QByteArray("5xc1");
    QTest::newRow("capture then text") << u"$1a"_s << QByteArray("a");
}

void TestVariables::requestTime()
{
    QFETCH(QString, text);
    ParsedRequest request;
    QVERIFY(request.ok());
    QString error;
    const std::optional<ValueTemplate> value = ValueTemplate::compile(text, &error);
    QVERIFY2(value, qPrintable(error));
    QTEST(value->evaluate(request.context()), "expected");
}

void TestVariables::upstreamAndResponse()
{
    ParsedRequest request;
    RequestContext context = request.context();
    const QByteArray upstreamHead = "HTTP/1.1 200 OK\r\nX-Backend: b1\r\nX-Backend: two\r\n"
                                    "Set-Cookie: sid=abc; Path=/\r\nSet-Cookie: other=x\r\n";
    context.upstreamHeaders = HeaderList::fromLines(upstreamHead);
    context.upstreamAddr = "127.0.0.1:1, 127.0.0.1:2";
    context.upstreamStatus = "502, 200";
    context.upstreamConnectTime = "0.000, 0.001";
    context.upstreamHeaderTime = "0.002, 0.003";
    context.upstreamBytesReceived = "382, 458";
    context.upstreamBytesSent = "212, 212";
    context.status = 200;
    context.keepAlive = true;
    QString error;
    const auto value = ValueTemplate::compile(
        u"$upstream_http_x_backend|$upstream_cookie_sid|$upstream_cookie_other|$upstream_cookie_path|$upstream_addr|"
        u"$upstream_status|$upstream_connect_time|$upstream_header_time|$upstream_bytes_received|"
        u"$upstream_bytes_sent|$status|$sent_http_connection"_s,
        &error);
    QVERIFY2(value, qPrintable(error));
    QCOMPARE(value->evaluate(context), QByteArray("b1|abc|x||127.0.0.1:1, 127.0.0.1:2|502, 200|0.000, 0.001|"
                                                  "0.002, 0.003|382, 458|212, 212|200|keep-alive"));
}

void TestVariables::captures()
{
    ParsedRequest request;
    RequestContext context = request.context();
    const QByteArrayView captures[] = {"one", "two"};
    context.captures = captures;
    context.captureCount = 2;
    QString error;
    const auto value = ValueTemplate::compile(u"$2-$1-[$3]"_s, &error);
    QVERIFY2(value, qPrintable(error));
    QCOMPARE(value->evaluate(context), QByteArray("two-one-[]"));
}

void TestVariables::errors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("unknown") << u"$foo"_s << u"unknown \"foo\" variable"_s;
    QTest::newRow("LB Scope's own is log_format's only") << u"$lbscope_decision"_s
                                                          << u"unknown \"lbscope_decision\" variable"_s;
    QTest::newRow("dollar at the end") << u"a$"_s << u"invalid variable name"_s;
    QTest::newRow("dollar alone") << u"$"_s << u"invalid variable name"_s;
    QTest::newRow("two dollars") << u"a$$b"_s << u"invalid variable name"_s;
    QTest::newRow("trailing dollar after a variable") << u"$http_x$"_s << u"invalid variable name"_s;
    QTest::newRow("unclosed bracket") << u"${x"_s << u"the closing bracket in \"x\" variable is missing"_s;
    QTest::newRow("non-ASCII is no name") << u"$\u00e9"_s << u"invalid variable name"_s;
}

void TestVariables::errors()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!ValueTemplate::compile(text, &error));
    QTEST(error, "error");
}

void TestVariables::headerListForms()
{
    ParsedRequest request;
    const RequestContext live = request.context();
    const QByteArray lines = HeaderList::copyLines(request.parser(), sampleRequest.constData());
    const HeaderList kept = HeaderList::fromLines(lines);
    for (const QByteArrayView name : {"user_agent", "x_custom", "cookie", "x_forwarded_for", "host", "absent"}) {
        QByteArray fromLive, fromKept;
        QCOMPARE(live.requestHeaders.appendAll(name, ", ", fromLive), kept.appendAll(name, ", ", fromKept));
        QCOMPARE(fromKept, fromLive);
    }
    QVERIFY(!kept.isEmpty());
    QVERIFY(HeaderList().isEmpty());
}

void TestVariables::tableIsCaseInsensitive()
{
    for (const QString &name : {u"host"_s, u"HOST"_s, u"Host"_s}) {
        const std::optional<VariableRef> found = findVariable(name);
        QVERIFY(found);
        QCOMPARE(found->variable, Variable::Host);
    }
    const std::optional<VariableRef> header = findVariable(u"Upstream_Http_X_Backend"_s);
    QVERIFY(header);
    QCOMPARE(header->variable, Variable::UpstreamHttp);
    QCOMPARE(header->argument, QByteArray("x_backend"));
    QCOMPARE(findVariable(u"sent_http_connection"_s)->variable, Variable::SentHttpConnection);
    QCOMPARE(findVariable(u"sent_http_x"_s)->variable, Variable::SentHttp);
    QVERIFY(!findVariable(u"hostx"_s));
}

QTEST_GUILESS_MAIN(TestVariables)
#include "tst_variables.moc"
