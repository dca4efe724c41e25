// nginx's variables compared with the real nginx 1.22: the same configuration, with one
// log_format that names many variables and proxy_set_header / add_header lines that use them,
// runs under nginx and then under LB Scope in front of the same two recording backends (one
// answers 502, so a GET is retried on the other). The same requests go through each; the log
// lines are compared field by field (times, pids and connection serial numbers by their shape,
// the rest exactly), and so are the heads the backends received and the headers the client got.

#include "httptestclient.h"
#include "nginxandlbscope.h"
#include "proxy/errorpages.h"
#include "recordingbackend.h"
#include "stats/accesslogfile.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 10'000;

// Each field of the format, and how the two logs must agree on it.
enum class Compare {
    Exact,
    Shape, // digits may differ: times, a pid, a connection's serial number
    // Bytes to the client: LB Scope's Server header says "lbscope" where nginx's says
    // "nginx/1.22.1", and so does the foot of an error page.
    ServerTokenInHead,
    ServerTokenInErrorPage,
};

struct Field
{
    const char *variable;
    Compare compare = Compare::Exact;
};

const Field fields[] = {
    {"$remote_addr"},
    {"$binary_remote_addr"},
    {"$request"},
    {"$request_method"},
    {"$request_uri"},
    {"$uri"},
    {"$document_uri"},
    {"$args"},
    {"$query_string"},
    {"$is_args"},
    {"$server_protocol"},
    {"$host"},
    {"$HOST"},
    {"$http_host"},
    {"$http_user_agent"},
    {"$http_x_custom"},
    {"$HTTP_X_CUSTOM"},
    {"$http_x_absent"},
    {"$http_cookie"},
    {"$http_x_forwarded_for"},
    {"$http_referer"},
    {"$arg_id"},
    {"$ARG_ID"},
    {"$arg_a"},
    {"$arg_absent"},
    {"$cookie_session"},
    {"$cookie_c"},
    {"$cookie_absent"},
    {"$content_length"},
    {"$content_type"},
    {"$request_length"},
    {"$status"},
    {"$STATUS"},
    {"$body_bytes_sent", Compare::ServerTokenInErrorPage},
    {"$bytes_sent", Compare::ServerTokenInHead},
    {"$sent_http_content_type"},
    {"$sent_http_x_backend"},
    {"$sent_http_content_length"},
    {"$sent_http_connection"},
    {"$sent_http_server"},
    {"$upstream_addr"},
    {"$upstream_status"},
    {"$upstream_http_x_backend"},
    {"$upstream_http_content_type"},
    {"$upstream_cookie_sid"},
    {"$upstream_cookie_other"},
    {"$upstream_bytes_received"},
    {"$upstream_bytes_sent"},
    {"$upstream_connect_time", Compare::Shape},
    {"$upstream_header_time", Compare::Shape},
    {"$upstream_response_time", Compare::Shape},
    {"$request_time", Compare::Shape},
    {"$msec", Compare::Shape},
    {"$time_local", Compare::Shape},
    {"$time_iso8601", Compare::Shape},
    {"$TIME_LOCAL", Compare::Shape},
    {"$connection", Compare::Shape},
    {"$connection_requests"},
    {"$pid", Compare::Shape},
    {"$hostname"},
    {"$nginx_version"},
    {"$user_var"},
    {"$unset_var"},
};

constexpr char separator[] = " | ";
constexpr QByteArrayView nginxToken = "nginx/1.22.1";
const qsizetype shorterBy = nginxToken.size() - serverToken.size();

QString logFormat()
{
    QString format;
    for (const Field &field : fields) {
        if (!format.isEmpty())
            format += QLatin1StringView(separator);
        format += QLatin1StringView(field.variable);
    }
    return format;
}

// Digits may differ, not how many groups of them there are or what stands between.
QByteArray shape(const QByteArray &value)
{
    static const QRegularExpression digits(u"[0-9]+"_s);
    return QString::fromLatin1(value).replace(digits, u"N"_s).toLatin1();
}

// What one proxy did.
struct Outcome
{
    QByteArrayList logLines;
    QByteArrayList received;      // by the 200 backend, per connection
    QByteArrayList receivedFirst; // by the 502 backend
    QList<HttpResponse> responses;
};

const QByteArray fullRequest = "GET /p%61th/x?id=5&a=A1&ID=6&a=A2 HTTP/1.1\r\n"
                               "Host: Photos.Example:8080\r\n"
                               "User-Agent: ua1\r\n"
                               "User-Agent: ua2\r\n"
                               "X-Custom: c1\r\n"
                               "X-Custom: c2\r\n"
                               "Cookie: session=s1; c=C1\r\n"
                               "Cookie: c=C2; SESSION=s2\r\n"
                               "X-Forwarded-For: 1.1.1.1\r\n"
                               "X-Forwarded-For: 2.2.2.2\r\n"
                               "X-H: h1\r\n"
                               "X-H: h2\r\n"
                               "Referer: http://example.com/\r\n"
                               "\r\n";
const QByteArray postRequest = "POST /upload?a=posted HTTP/1.1\r\n"
                               "Host: photos.example.com\r\n"
                               "Cookie: C=big\r\n"
                               "Content-Type: text/x\r\n"
                               "Content-Length: 5\r\n"
                               "\r\n"
                               "hello";
const QByteArray bareRequest = "GET / HTTP/1.0\r\n\r\n";
// To a peer that reads the request and closes: nginx's own 502 page.
const QByteArray droppedRequest = "GET /down?id=9 HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n";
constexpr int droppedRequestIndex = 3;
// An absolute-form target: $host is the target's host, not the Host header's.
const QByteArray absoluteRequest =
    "GET http://Abs.Example.COM:8080/abs?id=4 HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n";
// Through the rewrite module: the log has the rewritten $uri and $args and the `set` variable.
const QByteArray rewrittenRequest =
    "GET /rw/a%20b?z=1 HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n";

// LB Scope keeps no copy of the head of its own error pages: $sent_http_NAME finds nothing there.
bool knownToDiffer(int request, const Field &field)
{
    return request == droppedRequestIndex && QByteArrayView(field.variable).startsWith("$sent_http_") &&
           QByteArrayView(field.variable) != "$sent_http_connection";
}

bool runProxy(NginxAndLbscope &proxies, bool nginx, RecordingBackend &failing, RecordingBackend &working,
              RecordingBackend &dropping, Outcome *outcome, QString *error)
{
    const QString logPath = proxies.prefix() + (nginx ? u"/nginx-access.log"_s : u"/lbscope-access.log"_s);
    const auto config = [&](quint16 port) {
        return uR"(%1events {}
http {
%2    log_format many '%3';
    access_log %4 many;
    upstream pool {
        server %5;
        server %6;
    }
    server {
        listen 127.0.0.1:%7;
        server_name photos.example.com;
        location / {
            proxy_pass http://pool;
            proxy_next_upstream error timeout http_502;
            proxy_set_header X-A $arg_a;
            proxy_set_header X-C $cookie_c;
            proxy_set_header X-H $http_x_h;
            proxy_set_header X-Multi "$http_x_custom|$http_x_forwarded_for|$http_cookie|$http_user_agent";
            proxy_set_header X-Request "$request_method $request_uri $uri $args $is_args $host";
            proxy_set_header X-Sent "$status|$bytes_sent|$body_bytes_sent|$request_length|$connection_requests";
            proxy_set_header X-Upstream "$upstream_addr|$upstream_status|$upstream_http_x_backend";
            add_header X-Add "$upstream_http_x_backend|$status|$upstream_cookie_sid|$upstream_status|$upstream_addr";
        }
        location /down {
            proxy_pass http://%8;
        }
        location /rw/ {
            set $user_var "v-$arg_z";
            rewrite ^/rw/(.*)$ /rewritten/$1?y=2 break;
            proxy_pass http://pool;
            proxy_next_upstream error timeout http_502;
        }
        location /never {
            set $unset_var never;
            return 404;
        }
    }
}
)"_s.arg(QString::fromUtf8(proxies.mainDirectives()), QString::fromUtf8(proxies.httpDirectives()), logFormat(), logPath,
         QString::fromLatin1(failing.address()), QString::fromLatin1(working.address()), QString::number(port),
         QString::fromLatin1(dropping.address()))
            .toUtf8();
    };
    const qsizetype failingBefore = failing.received().size();
    const qsizetype workingBefore = working.received().size();
    const auto run = [&](quint16 port) {
        std::unique_ptr<AccessLogFileWriter> writer;
        if (!nginx) {
            writer = std::make_unique<AccessLogFileWriter>(proxies.engine()->accessLog());
            if (!writer->setConfiguration(proxies.loadedConfig(), error))
                return;
        }
        // Two requests on one connection ($connection_requests), then one each on their own.
        const QList<QByteArrayList> connections = {
            {fullRequest, postRequest}, {bareRequest}, {droppedRequest}, {rewrittenRequest}, {absoluteRequest}};
        int sent = 0;
        for (const QByteArrayList &requests : connections) {
            HttpTestClient client;
            if (!client.connectTo(port)) {
                *error = u"cannot connect"_s;
                return;
            }
            for (const QByteArray &request : requests) {
                client.send(request);
                const std::optional<HttpResponse> response = client.readResponse(false, WaitMs);
                if (!response) {
                    *error = u"no response to request %1"_s.arg(sent + 1);
                    return;
                }
                outcome->responses.append(*response);
                ++sent;
            }
        }
        QFile log(logPath);
        const auto readLines = [&] {
            if (writer)
                writer->flushNow();
            if (!log.open(QIODevice::ReadOnly))
                return false;
            outcome->logLines = log.readAll().split('\n');
            log.close();
            if (!outcome->logLines.isEmpty() && outcome->logLines.back().isEmpty())
                outcome->logLines.removeLast();
            return outcome->logLines.size() >= sent;
        };
        if (!QTest::qWaitFor(readLines, WaitMs))
            *error = u"%1 log lines for %2 requests"_s.arg(outcome->logLines.size()).arg(sent);
        outcome->receivedFirst = failing.received().mid(failingBefore);
        outcome->received = working.received().mid(workingBefore);
    };
    const bool ran = proxies.run(nginx, config, run, error);
    return ran && error->isEmpty();
}

// Line by line, so that a difference shows whole.
bool sameHeads(const QByteArrayList &actual, const QByteArrayList &expected, QString *difference)
{
    if (actual.size() != expected.size()) {
        *difference = u"%1 connections, nginx %2"_s.arg(actual.size()).arg(expected.size());
        return false;
    }
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QByteArrayList lines = actual[i].split('\n');
        const QByteArrayList nginxLines = expected[i].split('\n');
        for (qsizetype line = 0; line < std::max(lines.size(), nginxLines.size()); ++line) {
            const QByteArray ours = lines.value(line), theirs = nginxLines.value(line);
            if (ours != theirs) {
                *difference = u"connection %1, line %2: \"%3\", nginx \"%4\""_s.arg(i + 1).arg(line + 1).arg(
                    QString::fromLatin1(ours.trimmed()), QString::fromLatin1(theirs.trimmed()));
                return false;
            }
        }
    }
    return true;
}

} // namespace

class TestVariablesParity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
        NginxAndLbscope proxies(m_nginx);
        RecordingBackend failing("F"), working("W"), dropping("D");
        QVERIFY(failing.listen() && working.listen() && dropping.listen());
        dropping.dropNext(1000);
        failing.setResponse("502 Bad Gateway", "Content-Type: text/plain\r\nX-Backend: failing\r\n");
        working.setResponse("200 OK", "Content-Type: text/plain\r\nX-Backend: w-one\r\nX-Backend: w-two\r\n"
                                      "Set-Cookie: sid=abc; Path=/\r\nSet-Cookie: other=x\r\n");
        QString error;
        QVERIFY2(runProxy(proxies, true, failing, working, dropping, &m_nginxOutcome, &error), qPrintable(error));
        QVERIFY2(runProxy(proxies, false, failing, working, dropping, &m_lbscopeOutcome, &error), qPrintable(error));
    }

    void logFieldsAsNginx_data()
    {
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("field");
        for (int line = 0; line < m_nginxOutcome.logLines.size(); ++line) {
            for (int field = 0; field < int(std::size(fields)); ++field)
                QTest::addRow("request %d %s", line + 1, fields[field].variable) << line << field;
        }
    }

    void logFieldsAsNginx()
    {
        QFETCH(int, line);
        QFETCH(int, field);
        QCOMPARE(m_lbscopeOutcome.logLines.size(), m_nginxOutcome.logLines.size());
        const QByteArrayList expected = m_nginxOutcome.logLines[line].split('|');
        const QByteArrayList actual = m_lbscopeOutcome.logLines[line].split('|');
        QCOMPARE(actual.size(), qsizetype(std::size(fields)));
        QCOMPARE(expected.size(), qsizetype(std::size(fields)));
        if (knownToDiffer(line, fields[field]))
            QSKIP("LB Scope's own error pages keep no head for $sent_http_NAME (README)");
        const QByteArray nginxValue = expected[field].trimmed();
        const QByteArray lbscopeValue = actual[field].trimmed();
        switch (fields[field].compare) {
        case Compare::Exact:
            QCOMPARE(lbscopeValue, nginxValue);
            break;
        case Compare::Shape:
            QCOMPARE(shape(lbscopeValue), shape(nginxValue));
            break;
        case Compare::ServerTokenInHead:
        case Compare::ServerTokenInErrorPage: {
            const bool errorPage = line == droppedRequestIndex;
            const int tokens = (fields[field].compare == Compare::ServerTokenInHead) + errorPage;
            QCOMPARE(lbscopeValue.toLongLong() + tokens * shorterBy, nginxValue.toLongLong());
            break;
        }
        }
    }

    void backendsReceivedWhatNginxSent()
    {
        QString difference;
        QVERIFY2(sameHeads(m_lbscopeOutcome.receivedFirst, m_nginxOutcome.receivedFirst, &difference),
                 qPrintable(u"the backend that fails: "_s + difference));
        QVERIFY2(sameHeads(m_lbscopeOutcome.received, m_nginxOutcome.received, &difference),
                 qPrintable(u"the backend that answers: "_s + difference));
    }

    void addHeaderAsNginx()
    {
        QCOMPARE(m_lbscopeOutcome.responses.size(), m_nginxOutcome.responses.size());
        for (qsizetype i = 0; i < m_nginxOutcome.responses.size(); ++i) {
            const HttpResponse &expected = m_nginxOutcome.responses[i];
            const HttpResponse &actual = m_lbscopeOutcome.responses[i];
            QCOMPARE(actual.status, expected.status);
            QCOMPARE(actual.header("x-add"), expected.header("x-add"));
            QCOMPARE(actual.body, QByteArray(expected.body).replace(nginxToken, serverToken));
        }
    }

private:
    QString m_nginx;
    Outcome m_nginxOutcome;
    Outcome m_lbscopeOutcome;
};

QTEST_GUILESS_MAIN(TestVariablesParity)
#include "tst_variablesparity.moc"
