// Request framing as RFC 9112 (sections 2 to 7) and RFC 9110's field syntax (5.1 to 5.6)
// demand it, against the real nginx 1.22: every row is one raw request, sent over a plain
// socket to nginx and to LB Scope running the same file in front of a recording backend. The
// client must get the same status class as from nginx (the same code unless the row says why
// LB Scope answers otherwise), a connection closed after an error, and the backend nothing or
// one unambiguous request, byte for byte what nginx forwarded.

#include "nginxandlbscope.h"
#include "recordingbackend.h"

#include <QTcpSocket>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int ResponseWaitMs = 3000;

struct Row
{
    QByteArray request;
    QString section; // the RFC text the row tests, e.g. "RFC 9112 5.1"
    // Empty: LB Scope answers with nginx's code. Otherwise why it does not (LB Scope is
    // stricter, or keeps a code documented in README's "Limits and error codes").
    QString differs;
};

struct Outcome
{
    QList<int> statuses; // every response the client got, in order
    bool closed = false;
    QByteArray forwarded; // everything the backend received, all connections

    QByteArray describe() const
    {
        QByteArray text = "statuses";
        for (int status : statuses)
            text += ' ' + QByteArray::number(status);
        text += closed ? ", closed" : ", open";
        QByteArray shown = forwarded.left(400);
        shown.replace("\r", "\\r").replace("\n", "\\n").replace('\0', "\\0");
        return text + ", backend [" + shown + ']';
    }
};

// Frames the responses a client got; stops at the first it cannot read whole.
QList<int> responseStatuses(const QByteArray &bytes, bool headRequest)
{
    QList<int> statuses;
    MessageParser parser(MessageParser::Kind::Response, HeadLimits{});
    qsizetype offset = 0;
    for (int i = 0; i < 8 && offset < bytes.size(); ++i) {
        parser.reset();
        parser.setSkipBody(headRequest);
        offset += parser.execute(bytes.constData(), offset, bytes.size() - offset);
        if (parser.state() == MessageParser::State::HeadComplete) {
            statuses.append(parser.statusCode());
            parser.resume();
            offset += parser.execute(bytes.constData(), offset, bytes.size() - offset);
            if (parser.state() == MessageParser::State::ReadingBody)
                parser.finishAtEof();
        }
        if (parser.state() != MessageParser::State::MessageComplete)
            break;
    }
    return statuses;
}

// True when the bytes are exactly one complete request, nothing before or after it.
bool isOneRequest(const QByteArray &bytes)
{
    MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
    qsizetype offset = parser.execute(bytes.constData(), 0, bytes.size());
    if (parser.state() != MessageParser::State::HeadComplete)
        return false;
    parser.resume();
    offset += parser.execute(bytes.constData(), offset, bytes.size() - offset);
    return parser.state() == MessageParser::State::MessageComplete && offset == bytes.size();
}

} // namespace

Q_DECLARE_METATYPE(Row)

class TestRfcCorpus : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
    }

    void sameAsNginx_data()
    {
        QTest::addColumn<Row>("row");
        const QByteArray end = "Connection: close\r\n\r\n";
        const QByteArray host = "Host: rfc.test\r\n";
        const QByteArray get = "GET /x HTTP/1.1\r\n" + host;
        const QByteArray post = "POST /x HTTP/1.1\r\n" + host;
        const auto add = [](const char *name, const QByteArray &request, const QString &section,
                            const QString &differs = {}) {
            QTest::newRow(name) << Row{request, section, differs};
        };

        // RFC 9112 2.2: message parsing, line ends.
        add("plain GET", get + end, u"RFC 9112 2.1"_s);
        add("bare LF line ends", "GET /x HTTP/1.1\nHost: rfc.test\nConnection: close\n\n", u"RFC 9112 2.2 (MAY)"_s);
        add("bare LF after the request line only", "GET /x HTTP/1.1\n" + host + end, u"RFC 9112 2.2"_s);
        add("empty lines before the request line", "\r\n\r\n" + get + end, u"RFC 9112 2.2 (SHOULD ignore)"_s);
        add("bare CR in the request line", "GET /x\ry HTTP/1.1\r\n" + host + end, u"RFC 9112 2.2 (MUST)"_s);
        add("bare CR ending the request line", "GET /x HTTP/1.1\r" + host + end, u"RFC 9112 2.2 (MUST)"_s);
        add("bare CR in a field value", get + "X-A: b\rc\r\n" + end, u"RFC 9112 2.2, RFC 9110 5.5 (MUST)"_s);
        add("bare CR as a line end", get + "X-A: b\rX-B: c\r\n" + end, u"RFC 9112 2.2 (MUST)"_s);
        add("whitespace line after the request line", "GET /x HTTP/1.1\r\n X-A: b\r\n" + host + end,
            u"RFC 9112 2.2 (MUST reject or ignore)"_s);

        // RFC 9112 2.3 and 3: the request line and the version.
        add("two spaces before the target", "GET  /x HTTP/1.1\r\n" + host + end, u"RFC 9112 3 (SHOULD 400)"_s);
        add("two spaces before the version", "GET /x  HTTP/1.1\r\n" + host + end, u"RFC 9112 3 (SHOULD 400)"_s);
        add("space after the version", "GET /x HTTP/1.1 \r\n" + host + end, u"RFC 9112 3"_s);
        add("tab between method and target", "GET\t/x HTTP/1.1\r\n" + host + end, u"RFC 9112 3"_s);
        add("space before the method", " GET /x HTTP/1.1\r\n" + host + end, u"RFC 9112 3"_s);
        add("space inside the target", "GET /x y HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2 (no whitespace)"_s);
        add("no version", "GET /x\r\n" + host + end, u"RFC 9112 2.3, 3"_s,
            u"HTTP/0.9 (no version) is not HTTP/1.x: 505 (RFC 9110 15.6.6); nginx answers it with a bare body "
            u"and no status line"_s);
        add("lower-case version name", "GET /x http/1.1\r\n" + host + end, u"RFC 9112 2.3 (case-sensitive)"_s);
        add("version without minor", "GET /x HTTP/1\r\n" + host + end, u"RFC 9112 2.3"_s);
        add("version 1.0", "GET /x HTTP/1.0\r\n" + end, u"RFC 9112 2.3"_s);
        add("version 1.2", "GET /x HTTP/1.2\r\n" + host + end, u"RFC 9110 2.5 (higher minor)"_s);
        add("version 2.0", "GET /x HTTP/2.0\r\n" + host + end, u"RFC 9110 15.6.6 (505)"_s);
        add("version 3.1", "GET /x HTTP/3.1\r\n" + host + end, u"RFC 9110 15.6.6 (505)"_s);
        add("two-digit minor", "GET /x HTTP/1.10\r\n" + host + end, u"RFC 9112 2.3 (one DIGIT)"_s);
        add("version with letters", "GET /x HTTP/1.x\r\n" + host + end, u"RFC 9112 2.3"_s);
        add("request line at 8 KiB", "GET /" + QByteArray(8192 - 17, 'a') + " HTTP/1.1\r\n" + host + end,
            u"RFC 9112 3 (SHOULD support 8000 octets)"_s);
        add("request line over 8 KiB", "GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n" + host + end,
            u"RFC 9112 3 (414)"_s);

        // RFC 9112 3.2: request-target forms and Host.
        add("absolute-form", "GET http://rfc.test/x?y=1 HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2.2 (MUST accept)"_s);
        add("absolute-form overrides Host", "GET http://other.test/x HTTP/1.1\r\n" + host + end,
            u"RFC 9112 3.2.2 (MUST ignore Host)"_s);
        add("authority-form with GET", "GET rfc.test:80 HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2.3"_s);
        add("asterisk-form", "OPTIONS * HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2.4"_s);
        add("target without a slash", "GET x HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2.1"_s);
        add("no Host in HTTP/1.1", "GET /x HTTP/1.1\r\n" + end, u"RFC 9112 3.2 (MUST 400)"_s);
        add("two Hosts", get + "Host: rfc.test\r\n" + end, u"RFC 9112 3.2 (MUST 400)"_s);
        add("two different Hosts", get + "Host: other.test\r\n" + end, u"RFC 9112 3.2 (MUST 400)"_s);
        add("empty Host", "GET /x HTTP/1.1\r\nHost:\r\n" + end, u"RFC 9112 3.2, RFC 9110 7.2"_s);
        add("Host with a space", "GET /x HTTP/1.1\r\nHost: rfc test\r\n" + end, u"RFC 9112 3.2 (MUST 400 invalid)"_s);
        add("Host with a slash", "GET /x HTTP/1.1\r\nHost: rfc.test/x\r\n" + end, u"RFC 9112 3.2 (MUST 400 invalid)"_s);
        add("Host after a tab", "GET /x HTTP/1.1\r\nHost:\trfc.test\r\n" + end, u"RFC 9110 5.6.3 (OWS)"_s);
        add("Host with a trailing dot", "GET /x HTTP/1.1\r\nHost: rfc.test.\r\n" + end, u"RFC 9110 7.2"_s);
        add("Host with two dots in a row", "GET /x HTTP/1.1\r\nHost: rfc..test\r\n" + end, u"RFC 9112 3.2"_s);
        add("Host an IPv6 literal", "GET /x HTTP/1.1\r\nHost: [::1]:8080\r\n" + end, u"RFC 9110 7.2"_s);
        add("target with a tab", "GET /x\tHTTP/1.1\r\n" + host + end, u"RFC 9112 3 (SP)"_s);
        add("target with UTF-8 bytes", "GET /caf\xc3\xa9 HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2"_s);
        add("target with a fragment", "GET /x#frag HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2.1"_s);
        add("target with an encoded NUL", "GET /x%00y HTTP/1.1\r\n" + host + end, u"RFC 9112 3.2"_s);
        add("target with dot segments", "GET /a/../x HTTP/1.1\r\n" + host + end, u"RFC 3986 5.2.4"_s);
        add("target above the root", "GET /../x HTTP/1.1\r\n" + host + end, u"RFC 3986 5.2.4"_s);
        add("target with a broken escape", "GET /x%zz HTTP/1.1\r\n" + host + end, u"RFC 3986 2.1"_s);
        add("target above the root, escaped", "GET /%2e%2e/x HTTP/1.1\r\n" + host + end, u"RFC 3986 5.2.4"_s);
        add("a fragment is no part of the path", "GET /a#/../../x HTTP/1.1\r\n" + host + end, u"RFC 3986 3.5"_s);
        add("a broken escape in a fragment", "GET /a#%zz HTTP/1.1\r\n" + host + end, u"RFC 3986 3.5"_s);
        add("target with a dot segment at the end", "GET /a/.. HTTP/1.1\r\n" + host + end, u"RFC 3986 5.2.4"_s);
        add("method in mixed case", "Get /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1 (case-sensitive)"_s);
        add("Transfer-Encoding after a tab", post + "Transfer-Encoding:\tchunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9110 5.6.3 (OWS)"_s);
        add("Transfer-Encoding xchunked", post + "Transfer-Encoding: xchunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1"_s);
        add("Host with a port", "GET /x HTTP/1.1\r\nHost: rfc.test:8080\r\n" + end, u"RFC 9110 7.2"_s);

        // RFC 9112 5 and RFC 9110 5.1-5.6: field lines.
        add("space before the colon", post + "Content-Length : 5\r\n" + end + "hello", u"RFC 9112 5.1 (MUST 400)"_s);
        add("tab before the colon", get + "X-A\t: b\r\n" + end, u"RFC 9112 5.1 (MUST 400)"_s);
        add("obs-fold", get + "X-A: b\r\n c\r\n" + end, u"RFC 9112 5.2 (MUST 400 or replace)"_s);
        add("obs-fold with a tab", get + "X-A: b\r\n\tc\r\n" + end, u"RFC 9112 5.2 (MUST 400 or replace)"_s);
        add("line without a colon", get + "X-A\r\n" + end, u"RFC 9112 5 (field-line)"_s,
            u"RFC 9112 5: a field line is name \":\" value; a line without the colon is not one and the head "
            u"is invalid (400); nginx reads it as an empty header"_s);
        add("empty field name", get + ": b\r\n" + end, u"RFC 9110 5.1 (token)"_s);
        add("name with a non-token byte", get + "X@A: b\r\n" + end, u"RFC 9110 5.1 (token)"_s,
            u"RFC 9110 5.1: a field name is a token; one with '@' (or a byte over 0x7f) is invalid and the "
            u"request gets 400; nginx ignores the line and goes on"_s);
        add("name with a dot", get + "X.A: b\r\n" + end, u"RFC 9110 5.1 (token)"_s);
        add("name with an underscore", get + "X_A: b\r\n" + end, u"RFC 9110 5.1 (token)"_s);
        add("name with a control byte", get + "X-\x01: b\r\n" + end, u"RFC 9110 5.1 (token)"_s);
        add("NUL in a field value", get + QByteArray("X-A: b\0c\r\n", 10) + end, u"RFC 9110 5.5 (MUST)"_s);
        add("NUL in a field name", get + QByteArray("X-\0A: b\r\n", 9) + end, u"RFC 9110 5.1"_s);
        add("NUL in the target", QByteArray("GET /x\0y HTTP/1.1\r\n", 19) + host + end, u"RFC 9112 3.2"_s);
        add("NUL in the method", QByteArray("GE\0T /x HTTP/1.1\r\n", 18) + host + end, u"RFC 9112 3.1"_s);
        add("control byte in a value", get + "X-A: b\x01c\r\n" + end, u"RFC 9110 5.5"_s,
            u"RFC 9110 5.5: a control byte makes a field value invalid (a recipient MAY retain it); LB Scope "
            u"refuses it (400), nginx forwards it"_s);
        add("obs-text in a value", get + "X-A: caf\xc3\xa9\r\n" + end, u"RFC 9110 5.5 (opaque)"_s);
        add("whitespace around a value", get + "X-A: \t b \t\r\n" + end, u"RFC 9110 5.5 (OWS removed)"_s);
        add("empty value", get + "X-A:\r\n" + end, u"RFC 9110 5.5"_s);
        add("header line over 8 KiB", get + "X-Big: " + QByteArray(9000, 'b') + "\r\n" + end, u"RFC 9110 5.4"_s,
            u"431 Request Header Fields Too Large (RFC 6585 5) is the code for it; nginx says 400"_s);

        // RFC 9112 6: message body length.
        add("Content-Length body", post + "Content-Length: 5\r\n" + end + "hello", u"RFC 9112 6.2"_s);
        add("Content-Length zero", post + "Content-Length: 0\r\n" + end, u"RFC 9112 6.2"_s);
        add("two equal Content-Lengths", post + "Content-Length: 5\r\nContent-Length: 5\r\n" + end + "hello",
            u"RFC 9112 6.3 (MAY accept one)"_s);
        add("two different Content-Lengths", post + "Content-Length: 5\r\nContent-Length: 6\r\n" + end + "hello!",
            u"RFC 9112 6.3 (MUST 400)"_s);
        add("Content-Length list 5,5", post + "Content-Length: 5,5\r\n" + end + "hello",
            u"RFC 9112 6.3, RFC 9110 8.6"_s);
        add("Content-Length list 1,1", post + "Content-Length: 1,1\r\n" + end + "h", u"RFC 9112 6.3, RFC 9110 8.6"_s);
        add("negative Content-Length", post + "Content-Length: -1\r\n" + end + "h", u"RFC 9112 6.3 (MUST 400)"_s);
        add("Content-Length with a plus", post + "Content-Length: +5\r\n" + end + "hello", u"RFC 9110 8.6 (1*DIGIT)"_s);
        add("Content-Length in hex", post + "Content-Length: 0x5\r\n" + end + "hello", u"RFC 9110 8.6 (1*DIGIT)"_s);
        add("Content-Length with a space inside", post + "Content-Length: 1 2\r\n" + end + "hello",
            u"RFC 9110 8.6 (1*DIGIT)"_s);
        add("empty Content-Length", post + "Content-Length:\r\n" + end, u"RFC 9110 8.6 (1*DIGIT)"_s);
        add("huge Content-Length", post + "Content-Length: 99999999999999999999999\r\n" + end + "hello",
            u"RFC 9110 8.6 (MUST prevent overflow)"_s);
        add("Content-Length over the body limit", post + "Content-Length: 2000000000\r\n" + end,
            u"RFC 9110 15.5.14 (413)"_s);
        add("Content-Length with leading zeros", post + "Content-Length: 0005\r\n" + end + "hello", u"RFC 9110 8.6"_s);
        add("chunked body", post + "Transfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1 (MUST decode)"_s);
        add("chunked in upper case", post + "Transfer-Encoding: CHUNKED\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7 (case-insensitive)"_s);
        add("Transfer-Encoding and Content-Length",
            post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1 (MAY reject, MUST close), 6.3"_s);
        add("Content-Length and Transfer-Encoding",
            post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1 (MAY reject, MUST close), 6.3"_s);
        add("gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1 (SHOULD 501 unknown coding)"_s);
        add("chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.3 (MUST 400: chunked not last)"_s);
        add("chunked twice in one field",
            post + "Transfer-Encoding: chunked, chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1 (MUST NOT chunk twice)"_s);
        add("two Transfer-Encoding fields",
            post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1"_s);
        add("Transfer-Encoding identity", post + "Transfer-Encoding: identity\r\n" + end + "hello",
            u"RFC 9112 6.1 (501)"_s);
        add("Transfer-Encoding on HTTP/1.0",
            "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 6.1 (MUST treat as faulty)"_s);
        add("empty Transfer-Encoding", post + "Transfer-Encoding:\r\n" + end, u"RFC 9112 6.1"_s);

        // RFC 9112 7: chunked transfer coding.
        add("chunk extension", post + "Transfer-Encoding: chunked\r\n" + end + "5;name=value\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1.1 (MUST ignore unknown)"_s);
        add("quoted chunk extension",
            post + "Transfer-Encoding: chunked\r\n" + end + "5;name=\"v a l\"\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1.1"_s);
        add("extension on the last chunk", post + "Transfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0;x\r\n\r\n",
            u"RFC 9112 7.1"_s);
        add("upper-case hex chunk size", post + "Transfer-Encoding: chunked\r\n" + end + "A\r\nhellohello\r\n0\r\n\r\n",
            u"RFC 9112 7.1 (HEXDIG)"_s);
        add("leading zeros in the chunk size",
            post + "Transfer-Encoding: chunked\r\n" + end + "0005\r\nhello\r\n000\r\n\r\n", u"RFC 9112 7.1"_s);
        add("chunk size overflow",
            post + "Transfer-Encoding: chunked\r\n" + end + "FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1 (MUST anticipate overflow)"_s);
        add("chunk size not hex", post + "Transfer-Encoding: chunked\r\n" + end + "5g\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1"_s);
        add("negative chunk size", post + "Transfer-Encoding: chunked\r\n" + end + "-5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1"_s);
        add("chunk longer than its size", post + "Transfer-Encoding: chunked\r\n" + end + "3\r\nhello\r\n0\r\n\r\n",
            u"RFC 9112 7.1 (CRLF after chunk-data)"_s);
        add("bare LF in chunk framing", post + "Transfer-Encoding: chunked\r\n" + end + "5\nhello\n0\n\n",
            u"RFC 9112 7.1 (chunk-size CRLF)"_s,
            u"RFC 9112 2.2 allows a bare LF only in the start line and fields; chunks framed by bare LF are "
            u"a known smuggling vector (a peer that reads them otherwise), so LB Scope answers 400"_s);
        add("trailer field", post + "Transfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            u"RFC 9112 7.1.2"_s);

        // RFC 9110 9: any method token (nginx passes methods it does not know).
        add("method PROPFIND", "PROPFIND /x HTTP/1.1\r\n" + host + "Depth: 1\r\n" + end, u"RFC 9110 9.1 (token)"_s);
        add("method PURGE", "PURGE /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method FOO with a body", "FOO /x HTTP/1.1\r\n" + host + "Content-Length: 5\r\n" + end + "hello",
            u"RFC 9110 9.1"_s);
        add("method M-SEARCH", "M-SEARCH * HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method M-SEARCH, origin form", "M-SEARCH /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method with an underscore", "MY_METHOD /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method with a chunked body",
            "MKCALENDAR /x HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n" + end + "5\r\nhello\r\n0\r\n\r\n",
            u"RFC 9110 9.1"_s);
        add("long method", QByteArray(200, 'X') + " /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method in lower case", "get /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1 (case-sensitive)"_s);
        add("method with a digit", "GET2 /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("method with a dot", "A.B /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.1"_s);
        add("known methods: PATCH", "PATCH /x HTTP/1.1\r\n" + host + "Content-Length: 5\r\n" + end + "hello",
            u"RFC 5789"_s);
        add("known methods: DELETE", "DELETE /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.3.5"_s);
        add("known methods: HEAD", "HEAD /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.3.2"_s);
        add("known methods: OPTIONS", "OPTIONS /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.3.7"_s);
        add("TRACE", "TRACE /x HTTP/1.1\r\n" + host + end, u"RFC 9110 9.3.8"_s);
        add("CONNECT", "CONNECT rfc.test:443 HTTP/1.1\r\n" + host + end, u"RFC 9110 9.3.6"_s);
    }

    void sameAsNginx()
    {
        QFETCH(Row, row);
        NginxAndLbscope proxies(m_nginx);
        Outcome nginx, lbscope;
        QString error;
        QVERIFY2(run(proxies, true, row, &nginx, &error), qPrintable(error));
        QVERIFY2(run(proxies, false, row, &lbscope, &error), qPrintable(error));
        const QByteArray both =
            '\n' + row.section.toUtf8() + "\nnginx:   " + nginx.describe() + "\nlbscope: " + lbscope.describe();
        QVERIFY2(!lbscope.statuses.isEmpty(), both.constData());
        const int status = lbscope.statuses.first();
        if (row.differs.isEmpty()) {
            QVERIFY2(!nginx.statuses.isEmpty(), both.constData());
            QVERIFY2(status == nginx.statuses.first(), both.constData());
            QVERIFY2(lbscope.statuses.size() == nginx.statuses.size(), both.constData());
        } else {
            // A documented difference: LB Scope refuses and forwards nothing, and nginx really
            // answers otherwise (else the row and README's list are stale).
            QVERIFY2(status >= 400 && lbscope.forwarded.isEmpty(), both.constData());
            QVERIFY2(status != nginx.statuses.value(0), both.constData());
            qInfo("documented difference: %s%s", qPrintable(row.differs), both.constData());
        }
        if (status >= 400) {
            QVERIFY2(lbscope.closed, both.constData());
            QVERIFY2(lbscope.statuses.size() == 1, both.constData()); // nothing read after the error
        }
        if (!lbscope.forwarded.isEmpty()) {
            QVERIFY2(isOneRequest(lbscope.forwarded), both.constData());
            QVERIFY2(lbscope.forwarded == nginx.forwarded, both.constData());
        }
        QVERIFY2(!lbscope.forwarded.isEmpty() || nginx.forwarded.isEmpty() || !row.differs.isEmpty(), both.constData());
    }

private:
    bool run(NginxAndLbscope &proxies, bool nginx, const Row &row, Outcome *outcome, QString *error)
    {
        RecordingBackend backend("backend");
        if (!backend.listen()) {
            *error = u"the backend cannot listen"_s;
            return false;
        }
        // An upstream block: Host goes up as its name, the same for both proxies.
        const auto config = [&](quint16 port) {
            return proxies.configFile(uR"(    upstream recorder {
        server %1;
    }
    server {
        listen 127.0.0.1:%2;
        location / {
            proxy_pass http://recorder;
            proxy_set_header X-Request "$request_method $host $is_args$args";
        }
    }
)"_s.arg(QString::fromLatin1(backend.address()))
                                          .arg(port));
        };
        const auto steps = [&](quint16 port) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            if (!socket.waitForConnected(5000))
                return;
            socket.write(row.request);
            QByteArray bytes;
            // Until the proxy closes, or the wait ends (a connection kept open after an answer).
            (void)QTest::qWaitFor(
                [&] {
                    bytes += socket.readAll();
                    return socket.state() == QAbstractSocket::UnconnectedState;
                },
                ResponseWaitMs);
            bytes += socket.readAll();
            outcome->closed = socket.state() == QAbstractSocket::UnconnectedState;
            outcome->statuses = responseStatuses(bytes, row.request.startsWith("HEAD"));
            // The backend's last bytes can still be on their way when the client is answered.
            (void)QTest::qWaitFor([&] { return backend.completeRequests() > 0 || backend.received().isEmpty(); }, 1000);
            outcome->forwarded = backend.received().join();
        };
        return proxies.run(nginx, config, steps, error);
    }

    QString m_nginx;
};

QTEST_GUILESS_MAIN(TestRfcCorpus)
#include "tst_rfccorpus.moc"
