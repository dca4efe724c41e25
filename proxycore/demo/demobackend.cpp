#include "demobackend.h"

#include <QDateTime>
#include <QLocale>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <http_parser.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <utility>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr qint64 StreamChunk = 64 * 1024;     // body bytes written per step of /bytes and /chunked
constexpr qint64 InputChunk = 64 * 1024;      // socket read buffer and parse step
constexpr std::size_t MaxQueuedRequests = 16; // pipelined requests parsed ahead of the answers
constexpr int IdleTimeoutMs = 75'000;         // nginx's keepalive_timeout default
constexpr int LingerTimeoutMs = 2'000;        // how long a closing connection drains input
constexpr int MaxDelayMs = 10 * 60 * 1000;
constexpr qint64 MaxStreamBytes = Q_INT64_C(1) << 40;
// Slack for the error pattern's floor(): (n + 1) * rate may land a hair below a whole number.
constexpr double RateEpsilon = 1e-9;

constexpr char PatternAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static_assert(sizeof(PatternAlphabet) == 65);

const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        QByteArray bytes(StreamChunk, Qt::Uninitialized);
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = PatternAlphabet[i % 64];
        return bytes;
    }();
    return block;
}

struct StatusText
{
    int status;
    const char *reason;
};

constexpr StatusText StatusTexts[] = {
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {418, "I'm a teapot"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {425, "Too Early"},
    {426, "Upgrade Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
    {507, "Insufficient Storage"},
    {511, "Network Authentication Required"},
};

QByteArray reasonPhrase(int status)
{
    for (const StatusText &text : StatusTexts) {
        if (text.status == status)
            return QByteArray(text.reason);
    }
    switch (status / 100) {
    case 2:
        return "Success"_ba;
    case 3:
        return "Redirection"_ba;
    case 4:
        return "Client Error"_ba;
    default:
        return "Server Error"_ba;
    }
}

// nginx's escaping of log fields: '"', '\' and bytes outside printable ASCII become \xHH.
QString escapeLogField(QByteArrayView value)
{
    if (value.isEmpty())
        return u"-"_s;
    QByteArray out;
    out.reserve(value.size());
    for (const char ch : value) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x20 || byte >= 0x7f || ch == '"' || ch == '\\') {
            static constexpr char hex[] = "0123456789ABCDEF";
            out.append("\\x");
            out.append(hex[byte >> 4]);
            out.append(hex[byte & 0xf]);
        } else {
            out.append(ch);
        }
    }
    return QString::fromLatin1(out);
}

QString htmlField(const QByteArray &value)
{
    const QString text = QString::fromUtf8(value).trimmed();
    return text.isEmpty() ? u"-"_s : text.toHtmlEscaped();
}

QString logTime(const QDateTime &now)
{
    const int offset = now.offsetFromUtc() / 60;
    const int absOffset = std::abs(offset);
    return QLocale::c().toString(now, u"dd/MMM/yyyy:HH:mm:ss"_s) +
           QString::asprintf(" %c%02d%02d", offset < 0 ? '-' : '+', absOffset / 60, absOffset % 60);
}

QByteArray httpDate()
{
    return QLocale::c().toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s).toLatin1();
}

QString hostPort(const QHostAddress &address, quint16 port)
{
    const QString host =
        address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    return host + u':' + QString::number(port);
}

// A hue in 0..359 that stays the same for a name across runs (qHash is seeded).
int hueForName(const QString &name)
{
    quint32 hash = 2166136261u;
    for (const char ch : name.toUtf8()) {
        hash ^= static_cast<unsigned char>(ch);
        hash *= 16777619u;
    }
    return static_cast<int>(hash % 360);
}

bool parseNumber(QByteArrayView digits, qint64 max, qint64 *value)
{
    if (digits.isEmpty() || digits.size() > 15)
        return false;
    qint64 result = 0;
    for (const char ch : digits) {
        if (ch < '0' || ch > '9')
            return false;
        result = result * 10 + (ch - '0');
    }
    if (result > max)
        return false;
    *value = result;
    return true;
}

QByteArray pathOf(const QByteArray &url)
{
    if (url.startsWith('/')) {
        qsizetype end = url.indexOf('?');
        const qsizetype hash = url.indexOf('#');
        if (hash >= 0 && (end < 0 || hash < end))
            end = hash;
        return end < 0 ? url : url.left(end);
    }
    http_parser_url parts;
    http_parser_url_init(&parts);
    if (http_parser_parse_url(url.constData(), static_cast<size_t>(url.size()), 0, &parts) == 0 &&
        (parts.field_set & (1 << UF_PATH)) != 0) {
        return url.mid(parts.field_data[UF_PATH].off, parts.field_data[UF_PATH].len);
    }
    return "/"_ba;
}

enum class Route {
    Page,
    Bytes,
    Chunked,
    Sleep,
    Status,
    BadPath
};

enum class HeaderSlot {
    None,
    Host,
    RealIp,
    ForwardedFor,
    UserAgent,
    Referer,
    Expect
};

HeaderSlot slotForField(const QByteArray &field)
{
    const auto is = [&field](QByteArrayView name) {
        return field.size() == name.size() && field.compare(name, Qt::CaseInsensitive) == 0;
    };
    if (is("host"))
        return HeaderSlot::Host;
    if (is("x-real-ip"))
        return HeaderSlot::RealIp;
    if (is("x-forwarded-for"))
        return HeaderSlot::ForwardedFor;
    if (is("user-agent"))
        return HeaderSlot::UserAgent;
    if (is("referer"))
        return HeaderSlot::Referer;
    if (is("expect"))
        return HeaderSlot::Expect;
    return HeaderSlot::None;
}

struct Request
{
    QByteArray method;
    QByteArray url;
    unsigned short httpMajor = 1;
    unsigned short httpMinor = 1;
    QByteArray host;
    QByteArray realIp;
    QByteArray forwardedFor;
    QByteArray userAgent;
    QByteArray referer;
    QByteArray expect;
    quint64 bodyBytes = 0;
    bool keepAlive = true;
    bool malformed = false;
    bool connect = false;
    Route route = Route::Page;
    qint64 argument = 0;

    QByteArray *valueFor(HeaderSlot slot)
    {
        switch (slot) {
        case HeaderSlot::Host:
            return &host;
        case HeaderSlot::RealIp:
            return &realIp;
        case HeaderSlot::ForwardedFor:
            return &forwardedFor;
        case HeaderSlot::UserAgent:
            return &userAgent;
        case HeaderSlot::Referer:
            return &referer;
        case HeaderSlot::Expect:
            return &expect;
        case HeaderSlot::None:
            break;
        }
        return nullptr;
    }

    QByteArray requestLine() const
    {
        if (method.isEmpty() && url.isEmpty())
            return {};
        if (malformed)
            return method.isEmpty() ? url : method + ' ' + url;
        return method + ' ' + url + " HTTP/" + QByteArray::number(httpMajor) + '.' + QByteArray::number(httpMinor);
    }

    void resolveRoute()
    {
        const QByteArray path = pathOf(url);
        const auto numberAfter = [&path, this](QByteArrayView prefix, qint64 max, Route route) {
            if (!path.startsWith(prefix))
                return false;
            this->route =
                parseNumber(QByteArrayView(path).sliced(prefix.size()), max, &argument) ? route : Route::BadPath;
            return true;
        };
        if (numberAfter("/bytes/", MaxStreamBytes, Route::Bytes) ||
            numberAfter("/chunked/", MaxStreamBytes, Route::Chunked) ||
            numberAfter("/sleep/", MaxDelayMs, Route::Sleep) || numberAfter("/status/", 599, Route::Status)) {
            if (route == Route::Status && argument < 200)
                route = Route::BadPath;
            return;
        }
        route = Route::Page;
    }
};

} // namespace

// One accepted connection: parses requests as they stream in and answers them in order.
class DemoConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoConnection)

public:
    DemoConnection(QTcpSocket *socket, DemoBackend *backend);

    // For crash and stop: drop the connection at once, log nothing.
    void abortSilently();

private:
    static DemoConnection *self(http_parser *parser) { return static_cast<DemoConnection *>(parser->data); }
    static const http_parser_settings &parserSettings();
    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    void handleReadyRead();
    void handleBytesWritten();
    void handleDisconnected();
    void handleIdleTimeout();

    void drive();
    void parseInput();
    void startNextResponse();
    void beginResponse();
    void respondFixed(int status, const QByteArray &body);
    void respondStream(qint64 length, bool chunked);
    QByteArray responseHead(int status, qint64 contentLength, bool chunked);
    void write(const char *data, qint64 length);
    void write(const QByteArray &data) { write(data.constData(), data.size()); }
    void pumpStream();
    void finishResponse();
    void logResponse();
    void beginClose();
    void shutdownWrite();
    QByteArray pageFor(const Request &request) const;

    DemoBackend *m_backend;
    QTcpSocket *m_socket;
    QTimer *m_idleTimer;
    QTimer *m_lingerTimer;
    QString m_clientAddress;

    http_parser m_parser;
    QByteArray m_input;
    qsizetype m_inputPos = 0;
    qsizetype m_inputLength = 0;
    Request m_current;
    QByteArray m_field;
    HeaderSlot m_slot = HeaderSlot::None;
    bool m_inValue = false;
    std::deque<Request> m_queue; // front: the request being answered

    bool m_inputStopped = false; // no more requests will be read on this connection
    bool m_responding = false;   // front of m_queue is being delayed or answered
    bool m_waiting = false;      // its delay timer runs
    bool m_closing = false;
    bool m_shutDown = false;
    bool m_dead = false;
    bool m_driving = false;
    bool m_driveAgain = false;

    int m_status = 0;
    qint64 m_bodySent = 0;
    qint64 m_streamRemaining = 0;
    bool m_streamChunked = false;
    bool m_closeAfter = false;
};

const http_parser_settings &DemoConnection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &DemoConnection::onMessageBegin;
        s.on_url = &DemoConnection::onUrl;
        s.on_header_field = &DemoConnection::onHeaderField;
        s.on_header_value = &DemoConnection::onHeaderValue;
        s.on_headers_complete = &DemoConnection::onHeadersComplete;
        s.on_body = &DemoConnection::onBody;
        s.on_message_complete = &DemoConnection::onMessageComplete;
        return s;
    }();
    return settings;
}

DemoConnection::DemoConnection(QTcpSocket *socket, DemoBackend *backend)
    : QObject(backend)
    , m_backend(backend)
    , m_socket(socket)
    , m_idleTimer(new QTimer(this))
    , m_lingerTimer(new QTimer(this))
    , m_input(InputChunk, Qt::Uninitialized)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setReadBufferSize(InputChunk);

    QHostAddress peer = m_socket->peerAddress();
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        peer = QHostAddress(v4);
    m_clientAddress = peer.toString();

    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;

    m_idleTimer->setSingleShot(true);
    m_idleTimer->setInterval(IdleTimeoutMs);
    m_lingerTimer->setSingleShot(true);
    m_lingerTimer->setInterval(LingerTimeoutMs);
    connect(m_idleTimer, &QTimer::timeout, this, &DemoConnection::handleIdleTimeout);
    connect(m_lingerTimer, &QTimer::timeout, m_socket, &QTcpSocket::abort);

    connect(m_socket, &QTcpSocket::readyRead, this, &DemoConnection::handleReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &DemoConnection::handleBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &DemoConnection::handleDisconnected);

    m_idleTimer->start();
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &DemoConnection::handleReadyRead, Qt::QueuedConnection);
}

void DemoConnection::abortSilently()
{
    if (m_dead)
        return;
    m_dead = true;
    m_idleTimer->stop();
    m_lingerTimer->stop();
    m_socket->disconnect(this);
    m_socket->abort();
}

// ---- parser callbacks ----

int DemoConnection::onMessageBegin(http_parser *parser)
{
    DemoConnection *c = self(parser);
    c->m_current = Request();
    c->m_field.clear();
    c->m_slot = HeaderSlot::None;
    c->m_inValue = false;
    return 0;
}

int DemoConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    self(parser)->m_current.url.append(at, static_cast<qsizetype>(length));
    return 0;
}

int DemoConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    DemoConnection *c = self(parser);
    if (c->m_inValue) {
        c->m_inValue = false;
        c->m_field.clear();
    }
    c->m_field.append(at, static_cast<qsizetype>(length));
    return 0;
}

int DemoConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    DemoConnection *c = self(parser);
    Request &r = c->m_current;
    if (!c->m_inValue) {
        c->m_inValue = true;
        c->m_slot = slotForField(c->m_field);
        if (const QByteArray *seen = r.valueFor(c->m_slot); seen && !seen->isEmpty()) {
            // Repeated X-Forwarded-For headers form one list; of the others the first counts.
            if (c->m_slot == HeaderSlot::ForwardedFor)
                r.forwardedFor.append(", ");
            else
                c->m_slot = HeaderSlot::None;
        }
    }
    if (QByteArray *value = r.valueFor(c->m_slot))
        value->append(at, static_cast<qsizetype>(length));
    return 0;
}

int DemoConnection::onHeadersComplete(http_parser *parser)
{
    DemoConnection *c = self(parser);
    Request &r = c->m_current;
    r.method = http_method_str(static_cast<http_method>(parser->method));
    r.httpMajor = parser->http_major;
    r.httpMinor = parser->http_minor;
    r.keepAlive = http_should_keep_alive(parser) != 0;
    r.connect = parser->method == HTTP_CONNECT;
    // A client that waits for "100 Continue" before sending its body gets it at once, unless
    // answers to earlier pipelined requests are still due (it then sends after its own timeout).
    if (r.expect.trimmed().compare("100-continue", Qt::CaseInsensitive) == 0 && parser->http_minor >= 1 && !r.connect &&
        c->m_queue.empty() && !c->m_responding) {
        c->write("HTTP/1.1 100 Continue\r\n\r\n"_ba);
    }
    return 0;
}

int DemoConnection::onBody(http_parser *parser, const char *, size_t length)
{
    self(parser)->m_current.bodyBytes += length;
    return 0;
}

int DemoConnection::onMessageComplete(http_parser *parser)
{
    DemoConnection *c = self(parser);
    Request request = std::move(c->m_current);
    c->m_current = Request();
    // After CONNECT or an Upgrade the bytes that follow are another protocol: answer, then close.
    if (parser->upgrade)
        request.keepAlive = false;
    request.resolveRoute();
    const bool keepAlive = request.keepAlive;
    c->m_queue.push_back(std::move(request));
    if (!keepAlive)
        c->m_inputStopped = true;
    if (!keepAlive || c->m_queue.size() >= MaxQueuedRequests)
        http_parser_pause(parser, 1);
    return 0;
}

// ---- input ----

void DemoConnection::handleReadyRead()
{
    if (m_dead)
        return;
    m_idleTimer->start();
    if (m_closing || m_inputStopped) {
        // Nothing more will be answered: drain what arrives so that closing does not reset.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    drive();
}

// Parses what has arrived and answers what is complete. Re-entrant calls (a response that
// finishes synchronously) only ask the outermost call for another round, so a long pipeline
// does not recurse.
void DemoConnection::drive()
{
    if (m_driving) {
        m_driveAgain = true;
        return;
    }
    m_driving = true;
    do {
        m_driveAgain = false;
        parseInput();
        startNextResponse();
    } while (m_driveAgain && !m_dead);
    m_driving = false;
}

void DemoConnection::parseInput()
{
    while (!m_dead && !m_inputStopped && m_queue.size() < MaxQueuedRequests) {
        if (m_inputPos == m_inputLength) {
            const qint64 n = m_socket->read(m_input.data(), m_input.size());
            if (n <= 0)
                break;
            m_inputPos = 0;
            m_inputLength = n;
        }
        const size_t parsed = http_parser_execute(&m_parser, &parserSettings(), m_input.constData() + m_inputPos,
                                                  static_cast<size_t>(m_inputLength - m_inputPos));
        m_inputPos += static_cast<qsizetype>(parsed);
        const auto error = static_cast<http_errno>(m_parser.http_errno);
        if (error == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
            continue;
        }
        if (error != HPE_OK) {
            Request bad = std::move(m_current);
            m_current = Request();
            bad.malformed = true;
            bad.keepAlive = false;
            if (bad.method.isEmpty() && !bad.url.isEmpty())
                bad.method = http_method_str(static_cast<http_method>(m_parser.method));
            m_queue.push_back(std::move(bad));
            m_inputStopped = true;
        }
    }
    if (m_inputStopped) {
        m_inputPos = m_inputLength = 0;
        if (!m_dead)
            m_socket->skip(m_socket->bytesAvailable());
    }
}

// ---- output ----

void DemoConnection::startNextResponse()
{
    if (m_dead || m_responding || m_closing)
        return;
    if (m_queue.empty()) {
        if (m_inputStopped)
            beginClose();
        return;
    }
    m_responding = true;
    const Request &request = m_queue.front();
    qint64 delay = 0;
    if (!request.malformed) {
        delay = m_backend->delayMs();
        if (request.route == Route::Sleep)
            delay += request.argument;
    }
    if (delay > 0) {
        m_waiting = true;
        QTimer::singleShot(std::chrono::milliseconds(delay), this, &DemoConnection::beginResponse);
    } else {
        beginResponse();
    }
}

void DemoConnection::beginResponse()
{
    m_waiting = false;
    if (m_dead)
        return;
    const Request &request = m_queue.front();
    const QByteArray name = m_backend->name().toUtf8();
    const auto tinyBody = [&name](int status) -> QByteArray {
        return QByteArray::number(status) + ' ' + reasonPhrase(status) + " from " + name;
    };
    m_closeAfter = !request.keepAlive;
    if (request.malformed) {
        respondFixed(400, tinyBody(400));
        return;
    }
    if (request.connect) {
        respondFixed(405, tinyBody(405));
        return;
    }
    if (m_backend->takeErrorDecision()) {
        respondFixed(500, tinyBody(500));
        return;
    }
    switch (request.route) {
    case Route::Page:
    case Route::Sleep:
        respondFixed(200, pageFor(request));
        return;
    case Route::Status: {
        const int status = static_cast<int>(request.argument);
        respondFixed(status, status == 204 || status == 304 ? QByteArray() : tinyBody(status));
        return;
    }
    case Route::Bytes:
        respondStream(request.argument, false);
        return;
    case Route::Chunked:
        respondStream(request.argument, true);
        return;
    case Route::BadPath:
        respondFixed(400, tinyBody(400));
        return;
    }
}

QByteArray DemoConnection::responseHead(int status, qint64 contentLength, bool chunked)
{
    QByteArray head;
    head.reserve(256);
    head += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    head += "Server: lbscope-backend\r\n";
    head += "Date: " + httpDate() + "\r\n";
    head += "Content-Type: text/html; charset=utf-8\r\n";
    if (chunked)
        head += "Transfer-Encoding: chunked\r\n";
    else if (contentLength >= 0 && status != 204 && status != 304)
        head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    head += "Cache-Control: no-store\r\n";
    head += "X-Backend: " + m_backend->name().toUtf8() + "\r\n";
    if (m_closeAfter)
        head += "Connection: close\r\n";
    else
        head += "Connection: keep-alive\r\n";
    if (status == 405)
        head += "Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n";
    head += "\r\n";
    return head;
}

void DemoConnection::respondFixed(int status, const QByteArray &body)
{
    const bool head = m_queue.front().method == "HEAD";
    m_status = status;
    write(responseHead(status, body.size(), false));
    if (!head && !body.isEmpty()) {
        write(body);
        m_bodySent = body.size();
    }
    // Hand the answer to the kernel now: a client that half-closes after its request makes
    // Qt drop the socket, and the unsent write buffer with it, as soon as it reads the EOF.
    // flush() may report a failed write synchronously (handleDisconnected has then logged).
    m_socket->flush();
    if (m_dead)
        return;
    finishResponse();
}

void DemoConnection::respondStream(qint64 length, bool chunked)
{
    const Request &request = m_queue.front();
    const bool head = request.method == "HEAD";
    const bool http11 = request.httpMajor > 1 || (request.httpMajor == 1 && request.httpMinor >= 1);
    m_status = 200;
    if (chunked && !http11) {
        // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
        chunked = false;
        if (!head)
            m_closeAfter = true;
        write(responseHead(200, -1, false));
    } else {
        write(responseHead(200, length, chunked));
    }
    m_streamChunked = chunked;
    m_streamRemaining = head ? 0 : length;
    if (head) {
        finishResponse();
        return;
    }
    pumpStream();
}

void DemoConnection::pumpStream()
{
    const QByteArray &block = patternBlock();
    // Keep at most about two chunks queued in the socket: more arrive as it drains.
    while (m_streamRemaining > 0 && m_socket->bytesToWrite() < StreamChunk) {
        const qint64 n = qMin(StreamChunk, m_streamRemaining);
        if (m_streamChunked)
            write(QByteArray::number(n, 16) + "\r\n");
        write(block.constData(), n);
        if (m_streamChunked)
            write("\r\n"_ba);
        m_streamRemaining -= n;
        m_bodySent += n;
    }
    if (m_streamRemaining == 0) {
        if (m_streamChunked)
            write("0\r\n\r\n"_ba);
        finishResponse();
    }
}

void DemoConnection::write(const char *data, qint64 length)
{
    m_socket->write(data, length);
    m_backend->noteQueuedBytes(m_socket->bytesToWrite());
}

void DemoConnection::finishResponse()
{
    logResponse();
    m_queue.pop_front();
    m_responding = false;
    m_status = 0;
    m_bodySent = 0;
    m_streamRemaining = 0;
    m_streamChunked = false;
    if (m_dead)
        return;
    if (m_closeAfter) {
        m_inputStopped = true;
        m_queue.clear();
        beginClose();
        return;
    }
    drive();
}

void DemoConnection::logResponse()
{
    const Request &request = m_queue.front();
    const QString line = m_clientAddress + u" - - ["_s + logTime(QDateTime::currentDateTime()) + u"] \""_s +
                         escapeLogField(request.requestLine()) + u"\" "_s + QString::number(m_status) + u' ' +
                         QString::number(m_bodySent) + u" \""_s + escapeLogField(request.referer.trimmed()) +
                         u"\" \""_s + escapeLogField(request.userAgent.trimmed()) + u"\" name="_s + m_backend->name();
    m_backend->logRequest(line);
}

void DemoConnection::handleBytesWritten()
{
    if (m_dead)
        return;
    m_idleTimer->start();
    if (m_closing) {
        if (!m_shutDown && m_socket->bytesToWrite() == 0)
            shutdownWrite();
        return;
    }
    if (m_responding && !m_waiting && m_streamRemaining > 0)
        pumpStream();
}

// Closing in stages (RFC 9112 section 9.6): finish writing, shut down the sending side,
// drain and discard what the client still sends, close when it closes or after a while.
// Closing at once with unread input would make the kernel reset the connection and the
// client could lose the end of the response. Until everything is written the idle timer
// guards against a client that stops reading; after that the linger timer.
void DemoConnection::beginClose()
{
    if (m_closing || m_dead)
        return;
    m_closing = true;
    if (m_socket->bytesToWrite() == 0)
        shutdownWrite();
}

void DemoConnection::shutdownWrite()
{
    m_shutDown = true;
    m_idleTimer->stop();
    m_lingerTimer->start();
#ifdef Q_OS_UNIX
    if (::shutdown(static_cast<int>(m_socket->socketDescriptor()), SHUT_WR) == 0) {
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
#endif
    m_socket->disconnectFromHost();
}

void DemoConnection::handleDisconnected()
{
    if (m_dead)
        return;
    if (m_responding) {
        // The client went away before or in the middle of an answer: log what it got, with
        // nginx's 499 when the answer had not started.
        if (m_waiting)
            m_status = 499;
        logResponse();
    }
    m_dead = true;
    m_idleTimer->stop();
    m_lingerTimer->stop();
    m_backend->removeConnection(this);
}

void DemoConnection::handleIdleTimeout()
{
    if (m_dead)
        return;
    if (m_waiting) {
        m_idleTimer->start();
        return;
    }
    if (m_responding || m_closing) {
        // The client has not read anything for the whole timeout (nginx's send_timeout).
        m_socket->abort();
        return;
    }
    m_inputStopped = true;
    beginClose();
}

QByteArray DemoConnection::pageFor(const Request &request) const
{
    const QString name = m_backend->name().toHtmlEscaped();
    const QString hue = QString::number(hueForName(m_backend->name()));
    const QString port = QString::number(m_backend->port());
    const auto row = [](QStringView label, const QString &value) -> QString {
        return u"<tr><th>"_s + label + u"</th><td>"_s + value + u"</td></tr>\n"_s;
    };
    const QString page =
        u"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"_s + u"<title>"_s + name +
        u" on port "_s + port + u"</title>\n"_s + u"<link rel=\"icon\" href=\"data:,\">\n"_s +
        u"<style>body{font-family:sans-serif;margin:2em;background:hsl("_s + hue + u",70%,93%)}h1{color:hsl("_s + hue +
        u",60%,30%)}th{text-align:left;padding-right:1em}td{font-family:monospace}</style>\n"_s +
        u"</head>\n<body>\n<h1>Hello from "_s + name + u" on port "_s + port + u"</h1>\n<table>\n"_s +
        row(u"Request", htmlField(request.requestLine())) + row(u"Host", htmlField(request.host)) +
        row(u"X-Real-IP", htmlField(request.realIp)) + row(u"X-Forwarded-For", htmlField(request.forwardedFor)) +
        row(u"Client address", m_clientAddress.toHtmlEscaped()) +
        row(u"Request body", QString::number(request.bodyBytes) + u" bytes"_s) + u"</table>\n</body>\n</html>\n"_s;
    return page.toUtf8();
}

// ---- DemoBackend ----

DemoBackend::DemoBackend(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_server->setMaxPendingConnections(1024);
    m_server->setListenBacklogSize(1024);
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &DemoBackend::handleNewConnection);
}

DemoBackend::~DemoBackend()
{
    m_server->close();
    abortConnections();
}

char DemoBackend::bodyPatternByte(qint64 offset)
{
    return PatternAlphabet[offset % 64];
}

bool DemoBackend::start(const Options &options, QString *error)
{
    if (m_running) {
        if (error)
            *error = u"%1 is already running on %2"_s.arg(m_name, hostPort(m_address, m_port));
        return false;
    }
    QString name = options.name.trimmed();
    if (name.isEmpty())
        name = u"web-client"_s;
    for (QChar &ch : name) {
        if (ch.category() == QChar::Other_Control)
            ch = u'_';
    }
    m_name = name;
    m_address = options.address.isNull() ? QHostAddress(QHostAddress::LocalHost) : options.address;
    m_port = options.port;
    setDelayMs(options.delayMs);
    setErrorRate(options.errorRate);
    m_decisions = 0;
    if (!listen(error))
        return false;
    m_port = m_server->serverPort();
    m_running = true;
    m_crashed = false;
    return true;
}

bool DemoBackend::listen(QString *error)
{
    if (m_server->listen(m_address, m_port))
        return true;
    if (error) {
        *error = u"cannot listen on %1: %2"_s.arg(hostPort(m_address, m_port), m_server->errorString());
    }
    return false;
}

void DemoBackend::stop()
{
    m_server->close();
    abortConnections();
    m_running = false;
    m_crashed = false;
}

bool DemoBackend::isRunning() const
{
    return m_running;
}

bool DemoBackend::isListening() const
{
    return m_running && !m_crashed;
}

bool DemoBackend::isCrashed() const
{
    return m_running && m_crashed;
}

quint16 DemoBackend::port() const
{
    return m_running ? m_port : 0;
}

QHostAddress DemoBackend::address() const
{
    return m_address;
}

QString DemoBackend::name() const
{
    return m_name;
}

int DemoBackend::delayMs() const
{
    return m_delayMs.load(std::memory_order_relaxed);
}

void DemoBackend::setDelayMs(int delayMs)
{
    m_delayMs.store(qBound(0, delayMs, MaxDelayMs), std::memory_order_relaxed);
}

double DemoBackend::errorRate() const
{
    return m_errorRate.load(std::memory_order_relaxed);
}

void DemoBackend::setErrorRate(double errorRate)
{
    if (!(errorRate > 0.0)) // also NaN
        errorRate = 0.0;
    m_errorRate.store(qMin(errorRate, 1.0), std::memory_order_relaxed);
}

void DemoBackend::setCrashed(bool crashed)
{
    if (!m_running || crashed == m_crashed)
        return;
    if (crashed) {
        m_server->close();
        abortConnections();
        m_crashed = true;
        return;
    }
    QString error;
    if (!listen(&error)) {
        emit errorOccurred(error);
        return;
    }
    m_crashed = false;
}

QStringList DemoBackend::recentLog() const
{
    QMutexLocker locker(&m_logMutex);
    if (m_log.size() < LogCapacity)
        return m_log;
    return m_log.sliced(m_logHead) + m_log.first(m_logHead);
}

quint64 DemoBackend::requestCount() const
{
    return m_requestCount.load(std::memory_order_relaxed);
}

qint64 DemoBackend::maxQueuedBytes() const
{
    return m_maxQueuedBytes.load(std::memory_order_relaxed);
}

int DemoBackend::connectionCount() const
{
    return static_cast<int>(m_connections.size());
}

void DemoBackend::handleNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (!isListening()) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_connections.insert(new DemoConnection(socket, this));
    }
}

void DemoBackend::abortConnections()
{
    const QSet<DemoConnection *> connections = std::exchange(m_connections, {});
    for (DemoConnection *connection : connections) {
        connection->abortSilently();
        connection->deleteLater();
    }
}

// The n-th request (from 0) fails when floor((n + 1) * rate) > floor(n * rate): errors are
// spread evenly and the sequence is reproducible (0.5 fails every second request, 0.25 every
// fourth, 1/3 every third).
bool DemoBackend::takeErrorDecision()
{
    const double rate = m_errorRate.load(std::memory_order_relaxed);
    const auto n = static_cast<double>(m_decisions++);
    return std::floor((n + 1) * rate + RateEpsilon) > std::floor(n * rate + RateEpsilon);
}

void DemoBackend::logRequest(const QString &line)
{
    {
        QMutexLocker locker(&m_logMutex);
        if (m_log.size() < LogCapacity) {
            m_log.append(line);
        } else {
            m_log[m_logHead] = line;
            m_logHead = (m_logHead + 1) % LogCapacity;
        }
    }
    m_requestCount.fetch_add(1, std::memory_order_relaxed);
    emit requestLogged(line);
}

void DemoBackend::noteQueuedBytes(qint64 bytes)
{
    if (bytes > m_maxQueuedBytes.load(std::memory_order_relaxed))
        m_maxQueuedBytes.store(bytes, std::memory_order_relaxed);
}

void DemoBackend::removeConnection(DemoConnection *connection)
{
    m_connections.remove(connection);
    connection->deleteLater();
}

} // namespace lbscope

#include "demobackend.moc"
