// What variables cost per request, in nanoseconds (QBENCHMARK): the proxy_set_header values
// every proxied request evaluates, the copy of the response headers that a log_format reading
// $upstream_http_NAME / $sent_http_NAME makes the access record keep, and the log line itself.
// Run by hand: cmake --build build --target bench_variables && build/tests/bench/bench_variables

#include "http/headerlist.h"
#include "stats/logformat.h"
#include "variables/valuetemplate.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

const QByteArray request = "GET /photos/7?size=2 HTTP/1.1\r\nHost: photos.example.com\r\nUser-Agent: curl/7.88.1\r\n"
                           "Accept: */*\r\nX-Forwarded-For: 10.0.0.1\r\nCookie: session=abc; theme=dark\r\n\r\n";
const QByteArray response = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 512\r\n"
                            "Cache-Control: no-cache\r\nX-Backend: photos-2\r\nSet-Cookie: sid=abc; Path=/\r\n"
                            "ETag: \"5f2b\"\r\nVary: Accept-Encoding\r\nLast-Modified: Mon, 23 Nov 2026 10:00:00 GMT\r\n\r\n";

struct Parsed
{
    Parsed(MessageParser::Kind kind, const QByteArray &bytes)
        : parser(kind, HeadLimits{})
    {
        parser.execute(bytes.constData(), 0, bytes.size());
    }
    MessageParser parser;
};

} // namespace

class BenchVariables : public QObject
{
    Q_OBJECT

private slots:
    void proxySetHeaderValues()
    {
        Parsed parsed(MessageParser::Kind::Request, request);
        RequestContext context;
        context.method = "GET";
        context.target = parsed.parser.target().in(request.constData());
        context.requestHeaders = HeaderList(parsed.parser, request.constData());
        context.remoteAddr = "127.0.0.1";
        context.proxyHost = "photos";
        QString error;
        const QList<ValueTemplate> values = {*ValueTemplate::compile(u"$proxy_host"_s, &error),
                                             *ValueTemplate::compile(u"$remote_addr"_s, &error),
                                             *ValueTemplate::compile(u"$proxy_add_x_forwarded_for"_s, &error),
                                             *ValueTemplate::compile(u"$cookie_session"_s, &error)};
        QByteArray head;
        head.reserve(1024);
        QBENCHMARK {
            head.truncate(0);
            for (const ValueTemplate &value : values)
                value.appendTo(context, head);
        }
    }

    // The copy a log_format reading response headers costs each proxied request.
    void keepResponseHeaders()
    {
        Parsed parsed(MessageParser::Kind::Response, response);
        QBENCHMARK {
            const QByteArray kept = HeaderList::copyLines(parsed.parser, response.constData());
            Q_UNUSED(kept);
        }
    }

    void logLineCombined()
    {
        AccessRecord record = sampleRecord();
        QByteArray line;
        QBENCHMARK {
            line.truncate(0);
            LogFormatter::combined().appendTo(record, line);
        }
    }

    void logLineWithResponseHeaders()
    {
        AccessRecord record = sampleRecord();
        QString error;
        const std::optional<LogFormatter> formatter = LogFormatter::compile(
            {u"t"_s, {}, combinedLogFormat().format + u" $upstream_http_x_backend $sent_http_content_type"_s, {}},
            &error);
        QVERIFY(formatter);
        QByteArray line;
        QBENCHMARK {
            line.truncate(0);
            formatter->appendTo(record, line);
        }
    }

private:
    static AccessRecord sampleRecord()
    {
        AccessRecord record;
        record.timeMs = 1'795'508'338'123;
        record.clientAddress = "127.0.0.1";
        record.method = "GET";
        record.uri = "/photos/7?size=2";
        record.requestHeaders = request.mid(request.indexOf('\n') + 1).chopped(4);
        record.upstreamHeaders = response.mid(response.indexOf('\n') + 1).chopped(4);
        record.sentHeaders = response;
        record.status = 200;
        record.bodyBytesSent = 512;
        return record;
    }
};

QTEST_GUILESS_MAIN(BenchVariables)
#include "bench_variables.moc"
