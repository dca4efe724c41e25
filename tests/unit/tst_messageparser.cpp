// Request and response framing: what is accepted, what each malformed head is answered
// with, and that bodies stream out in pieces whatever way the bytes arrive.

#include "http/headers.h"
#include "http/messageparser.h"

#include <QTest>

using namespace lbscope;

namespace {

struct Collector : BodyConsumer
{
    QByteArray body;
    void consumeBody(QByteArrayView bytes) override { body.append(bytes); }
};

// Feeds `wire` in pieces of `step` bytes, resuming after the head as the proxy does.
// Returns the status a client would get (200 when the request is acceptable).
int parseRequest(const QByteArray &wire, qsizetype step, Collector *collector = nullptr)
{
    MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
    parser.setBodyConsumer(collector);
    QByteArray buffer;
    qsizetype parsed = 0;
    for (qsizetype fed = 0; fed < wire.size();) {
        const qsizetype take = std::min(step, wire.size() - fed);
        buffer.append(wire.mid(fed, take));
        fed += take;
        for (;;) {
            parsed += parser.execute(buffer.constData(), parsed, buffer.size() - parsed);
            if (parser.state() == MessageParser::State::Failed)
                return statusForFailure(classifyRequestFailure(parser, buffer.constData()));
            if (parser.state() == MessageParser::State::HeadComplete) {
                const HttpFailure failure = checkRequestHead(parser, buffer.constData(), nullptr);
                if (failure != HttpFailure::None)
                    return statusForFailure(failure);
                parser.resume();
                continue;
            }
            if (parser.state() == MessageParser::State::MessageComplete)
                return 200;
            break;
        }
    }
    return 0; // incomplete
}

} // namespace

Q_DECLARE_METATYPE(lbscope::RequestMethod)

class TestMessageParser : public QObject
{
    Q_OBJECT

private slots:
    void requestStatus_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");

        const QByteArray longTarget(8192 - int(qstrlen("GET / HTTP/1.1\r\n")), 'a');
        QTest::newRow("simple GET") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("HTTP/1.0 without Host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 200;
        QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("two Host headers") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("garbage") << QByteArray("HELLO\r\n\r\n") << 400;
        QTest::newRow("space in header name")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX Forwarded: b\r\n\r\n") << 400;
        // RFC 9112 5.1: no whitespace between a field name and its colon. A lenient parser that
        // let it through would not count this as the length, and a strict peer would.
        QTest::newRow("space before the colon")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello") << 400;
        QTest::newRow("tab before the colon")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\nhello") << 400;
        QTest::newRow("control character in a name")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-\x01Y: b\r\n\r\n") << 400;
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
        QTest::newRow("TRACE") << QByteArray("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n") << 405;
        QTest::newRow("CONNECT") << QByteArray("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n") << 405;
        // Any method token nginx reads (upper-case letters, '_', '-') is passed on.
        QTest::newRow("PROPFIND") << QByteArray("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("M-SEARCH") << QByteArray("M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("FOO with a body") << QByteArray("FOO / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
                                         << 200;
        QTest::newRow("lower-case method") << QByteArray("get / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("method with a digit") << QByteArray("GET2 / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("no method") << QByteArray(" / HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        // The request line as nginx reads it.
        QTest::newRow("spaces around the target") << QByteArray("GET  /  HTTP/1.1 \r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("asterisk-form") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("absolute-form") << QByteArray("GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n") << 200;
        QTest::newRow("absolute-form with an invalid host")
            << QByteArray("GET http://a..b/x HTTP/1.1\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("HTTP/1.10") << QByteArray("GET / HTTP/1.10\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("HTTP/0.9") << QByteArray("GET /\r\n\r\n") << 505;
        QTest::newRow("bare CR after the target") << QByteArray("GET /\rx HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("empty Host") << QByteArray("GET / HTTP/1.1\r\nHost:\r\n\r\n") << 400;
        QTest::newRow("Host with a slash") << QByteArray("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n") << 400;
        QTest::newRow("Host after a tab") << QByteArray("GET / HTTP/1.1\r\nHost:\ta\r\n\r\n") << 400;
        QTest::newRow("escaped NUL in the path") << QByteArray("GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("broken escape") << QByteArray("GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("above the root") << QByteArray("GET /a/../../b HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("dot segments within the root")
            << QByteArray("GET /a/./../b/..?x=/../.. HTTP/1.1\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("tab before chunked")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n") << 501;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n") << 400;
        QTest::newRow("request line at the limit")
            << QByteArray("GET /" + longTarget + " HTTP/1.1\r\nHost: a\r\n\r\n") << 200;
        QTest::newRow("request line one over")
            << QByteArray("GET /" + longTarget + "a HTTP/1.1\r\nHost: a\r\n\r\n") << 414;
        QTest::newRow("header line over 8 KiB")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + QByteArray(8200, 'b') + "\r\n\r\n") << 431;
        QByteArray manyHeaders = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 6; ++i)
            manyHeaders += "X-H" + QByteArray::number(i) + ": " + QByteArray(7000, 'c') + "\r\n";
        QTest::newRow("head over 32 KiB") << manyHeaders + "\r\n" << 431;
        QTest::newRow("Content-Length body")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello") << 200;
        QTest::newRow("chunked body")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << 200;
        QTest::newRow("Content-Length and Transfer-Encoding")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5\r\nhello\r\n0\r\n\r\n")
            << 400;
        QTest::newRow("two different Content-Lengths")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!") << 400;
        QTest::newRow("Content-Length not a number")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\nhello") << 400;
        QTest::newRow("unknown Transfer-Encoding")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
        QTest::newRow("Transfer-Encoding on HTTP/1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("bad chunk size")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n") << 400;
    }

    void requestStatus()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        // The verdict must not depend on how the bytes are split into reads.
        for (qsizetype step : {qsizetype(1), qsizetype(7), wire.size()})
            QCOMPARE(parseRequest(wire, step), status);
    }

    void chunkedBodyIsDecodedWhateverTheSplit()
    {
        const QByteArray wire = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
        for (qsizetype step : {qsizetype(1), qsizetype(3), wire.size()}) {
            Collector collector;
            QCOMPARE(parseRequest(wire, step, &collector), 200);
            QCOMPARE(collector.body, QByteArray("hello world"));
        }
    }

    void headSpansPointIntoTheBuffer()
    {
        const QByteArray wire = "GET /photos/7?x=1 HTTP/1.1\r\nHost: photos.example.com\r\nX-A: 1\r\n\r\n";
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
        QCOMPARE(parser.target().in(wire.constData()), QByteArrayView("/photos/7?x=1"));
        QCOMPARE(parser.headers().size(), 2);
        QCOMPARE(parser.headers()[0].value.in(wire.constData()), QByteArrayView("photos.example.com"));
        QCOMPARE(parser.headLength(), wire.size());
        QVERIFY(parser.shouldKeepAlive());
    }

    void methodIsTheTokenAsSent_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<RequestMethod>("kind");
        QTest::newRow("GET") << QByteArray("GET /a HTTP/1.1\r\n\r\n") << QByteArray("GET") << RequestMethod::Get;
        QTest::newRow("HEAD") << QByteArray("HEAD /a HTTP/1.1\r\n\r\n") << QByteArray("HEAD") << RequestMethod::Head;
        QTest::newRow("LOCK") << QByteArray("LOCK /a HTTP/1.1\r\n\r\n") << QByteArray("LOCK") << RequestMethod::Lock;
        QTest::newRow("PATCH") << QByteArray("PATCH /a HTTP/1.1\r\n\r\n") << QByteArray("PATCH")
                               << RequestMethod::Patch;
        QTest::newRow("PURGE") << QByteArray("PURGE /a HTTP/1.1\r\n\r\n") << QByteArray("PURGE")
                               << RequestMethod::Other;
        QTest::newRow("after empty lines")
            << QByteArray("\r\n\r\nM-SEARCH /a HTTP/1.1\r\n\r\n") << QByteArray("M-SEARCH") << RequestMethod::Other;
        QTest::newRow("GETX is not GET") << QByteArray("GETX /a HTTP/1.1\r\n\r\n") << QByteArray("GETX")
                                         << RequestMethod::Other;
    }

    void methodIsTheTokenAsSent()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QByteArray, method);
        QFETCH(RequestMethod, kind);
        for (qsizetype step : {qsizetype(1), qsizetype(3), wire.size()}) {
            MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
            qsizetype parsed = 0;
            for (qsizetype fed = 0; fed < wire.size() && parser.state() == MessageParser::State::ReadingHead;) {
                fed = std::min(fed + step, wire.size());
                parsed += parser.execute(wire.constData(), parsed, fed - parsed);
            }
            QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
            QCOMPARE(parser.methodText().in(wire.constData()), QByteArrayView(method));
            QCOMPARE(parser.method(), kind);
            QCOMPARE(parser.target().in(wire.constData()), QByteArrayView("/a"));
            QCOMPARE(parser.methodBytes(wire.constData()), method);
            QCOMPARE(parser.headLength(), wire.size());
        }
    }

    void nonIdempotentMethodsAreNginxs()
    {
        // proxy_next_upstream non_idempotent: nginx holds back POST, LOCK and PATCH only.
        QVERIFY(isNonIdempotent(RequestMethod::Post));
        QVERIFY(isNonIdempotent(RequestMethod::Lock));
        QVERIFY(isNonIdempotent(RequestMethod::Patch));
        QVERIFY(!isNonIdempotent(RequestMethod::Put));
        QVERIFY(!isNonIdempotent(RequestMethod::Other));
        QVERIFY(!isNonIdempotent(RequestMethod::Get));
    }

    void absoluteFormIsSplit()
    {
        const QByteArray wire = "GET http://photos.test:8080/a?b=1 HTTP/1.1\r\nHost: other\r\n\r\n";
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
        QCOMPARE(parser.target().in(wire.constData()), QByteArrayView("/a?b=1"));
        QCOMPARE(parser.authority().in(wire.constData()), QByteArrayView("photos.test:8080"));
        RequestFacts facts;
        QCOMPARE(checkRequestHead(parser, wire.constData(), &facts), HttpFailure::None);
        QCOMPARE(facts.host.in(wire.constData()), QByteArrayView("photos.test:8080"));
    }

    void fieldLinesAsNginxReadsThem()
    {
        // Names nginx ignores (underscores_in_headers off, ignore_invalid_headers on) are dropped;
        // a value loses its spaces, not its tabs; a chunked body's trailer is not a header.
        const QByteArray wire = "POST / HTTP/1.1\r\nHost: a\r\nX_A: 1\r\nX.B: 2\r\nX-C: \t c  \r\n"
                                "Transfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nX-T: 1\r\n\r\n";
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        qsizetype offset = parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
        QCOMPARE(parser.headers().size(), 3);
        QCOMPARE(parser.headers()[1].name.in(wire.constData()), QByteArrayView("X-C"));
        QCOMPARE(parser.headers()[1].value.in(wire.constData()), QByteArrayView("\t c"));
        parser.resume();
        parser.execute(wire.constData(), offset, wire.size() - offset);
        QCOMPARE(parser.state(), MessageParser::State::MessageComplete);
        QCOMPARE(parser.headers().size(), 3);
    }

    void pipelinedRequestsStopAtEachMessage()
    {
        const QByteArray wire = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        qsizetype offset = parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
        parser.resume();
        offset += parser.execute(wire.constData(), offset, wire.size() - offset);
        QCOMPARE(parser.state(), MessageParser::State::MessageComplete);
        QCOMPARE(wire.mid(offset), QByteArray("GET /b HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    void responseFraming_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("skipBody");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("needsEof");

        QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc") << false
                                        << QByteArray("abc") << false;
        QTest::newRow("chunked") << QByteArray(
                                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                 << false << QByteArray("abc") << false;
        QTest::newRow("close-delimited") << QByteArray("HTTP/1.0 200 OK\r\n\r\nabc") << false << QByteArray("abc")
                                         << true;
        QTest::newRow("204") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << QByteArray() << false;
        QTest::newRow("304") << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n") << false
                             << QByteArray() << false;
        QTest::newRow("HEAD") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n") << true << QByteArray()
                              << false;
    }

    void responseFraming()
    {
        QFETCH(QByteArray, wire);
        QFETCH(bool, skipBody);
        QFETCH(QByteArray, body);
        QFETCH(bool, needsEof);

        MessageParser parser(MessageParser::Kind::Response, HeadLimits{});
        Collector collector;
        parser.setBodyConsumer(&collector);
        parser.setSkipBody(skipBody);
        qsizetype offset = parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::HeadComplete);
        parser.resume();
        offset += parser.execute(wire.constData(), offset, wire.size() - offset);
        if (needsEof) {
            QCOMPARE(parser.state(), MessageParser::State::ReadingBody);
            parser.finishAtEof();
        }
        QCOMPARE(parser.state(), MessageParser::State::MessageComplete);
        QCOMPARE(collector.body, body);
        QCOMPARE(offset, wire.size());
    }

    void responseHeadOverLimitIsInvalid()
    {
        HeadLimits limits;
        limits.maxHead = limits.maxHeaderLine = limits.maxRequestLine = 64;
        MessageParser parser(MessageParser::Kind::Response, limits);
        const QByteArray wire = "HTTP/1.1 200 OK\r\nX-Long: " + QByteArray(100, 'x') + "\r\n\r\n";
        parser.execute(wire.constData(), 0, wire.size());
        QCOMPARE(parser.state(), MessageParser::State::Failed);
        QCOMPARE(parser.failure(), HttpFailure::UpstreamInvalid);
    }

    void truncatedResponseFailsAtEof()
    {
        const QByteArray wire = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        MessageParser parser(MessageParser::Kind::Response, HeadLimits{});
        qsizetype offset = parser.execute(wire.constData(), 0, wire.size());
        parser.resume();
        parser.execute(wire.constData(), offset, wire.size() - offset);
        parser.finishAtEof();
        QCOMPARE(parser.state(), MessageParser::State::Failed);
    }
};

QTEST_GUILESS_MAIN(TestMessageParser)
#include "tst_messageparser.moc"
