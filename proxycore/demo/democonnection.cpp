#include "demo/democonnection.h"

#include "demo/demobackend.h"
#include "http/headerlist.h"
#include "http/headers.h"
#include "http/uri.h"
#include "proxy/errorpages.h"
#include "proxy/socketclose.h"

#include <QDateTime>
#include <QTimerEvent>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr qint64 StreamChunk = 64 * 1024;      // body bytes per write of /bytes and /chunked
constexpr qsizetype InputCapacity = 64 * 1024; // holds any head (HeadLimits: 32 KiB at most)
constexpr std::size_t MaxQueuedRequests = 16;  // pipelined requests parsed ahead of the answers
constexpr qint64 IdleTimeoutMs = 75'000;       // nginx's keepalive_timeout default
constexpr qint64 LingerTimeoutMs = 2'000;      // how long a closing connection drains input
constexpr qint64 MaxDelayMs = 10 * 60 * 1000;
constexpr qint64 MaxStreamBytes = Q_INT64_C(1) << 40;

const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        QByteArray bytes(StreamChunk, Qt::Uninitialized);
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = DemoBackend::bodyPatternByte(i);
        return bytes;
    }();
    return block;
}

// The core's reason phrases (libhttp-parser's table), and a class name for codes it lacks.
QByteArrayView statusText(int status)
{
    const QByteArrayView known = reasonPhrase(status);
    if (known != "<unknown>")
        return known;
    switch (status / 100) {
    case 2:
        return "Success";
    case 3:
        return "Redirection";
    case 4:
        return "Client Error";
    default:
        return "Server Error";
    }
}

// A header value for the page: trimmed, HTML-escaped, "-" when empty.
void appendHtmlField(QByteArray &out, QByteArrayView value)
{
    value = trimmed(value);
    if (value.isEmpty()) {
        out += '-';
        return;
    }
    for (const char ch : value) {
        switch (ch) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += ch;
        }
    }
}

void appendRow(QByteArray &out, QByteArrayView label, QByteArrayView value)
{
    out += "<tr><th>";
    out += label;
    out += "</th><td>";
    appendHtmlField(out, value);
    out += "</td></tr>\n";
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

// The path of an origin-form target, or of an absolute-form one ("http://host/path?q").
QByteArrayView targetPath(QByteArrayView target)
{
    if (!target.startsWith('/')) {
        const qsizetype scheme = target.indexOf("://");
        const qsizetype slash = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
        if (slash < 0)
            return "/";
        target = target.sliced(slash);
    }
    const qsizetype hash = target.indexOf('#');
    return pathOf(hash < 0 ? target : target.first(hash));
}

} // namespace

QByteArray DemoConnection::Request::requestLine() const
{
    if (method.isEmpty())
        return target;
    return method + ' ' + target + " HTTP/" + QByteArray::number(versionMajor) + '.' + QByteArray::number(versionMinor);
}

DemoConnection::~DemoConnection()
{
    // The member socket closes after this body and must not signal a half-destroyed connection.
    m_socket.disconnect(this);
}

void DemoConnection::Request::resolveReply()
{
    const QByteArrayView path = targetPath(target);
    const auto numberAfter = [&path, this](QByteArrayView prefix, qint64 max, Reply kind) {
        if (!path.startsWith(prefix))
            return false;
        reply = parseNumber(path.sliced(prefix.size()), max, &argument) ? kind : Reply::BadPath;
        return true;
    };
    if (numberAfter("/bytes/", MaxStreamBytes, Reply::Bytes) ||
        numberAfter("/chunked/", MaxStreamBytes, Reply::Chunked) || numberAfter("/sleep/", MaxDelayMs, Reply::Sleep) ||
        numberAfter("/status/", 599, Reply::Status)) {
        if (reply == Reply::Status && argument < 200)
            reply = Reply::BadPath;
        return;
    }
    reply = Reply::Page;
}

DemoConnection::DemoConnection(qintptr descriptor, DemoBackend *backend)
    : QObject(backend)
    , m_backend(backend)
    , m_idle(this)
    , m_input(InputCapacity)
    , m_parser(MessageParser::Kind::Request, HeadLimits{})
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &DemoConnection::handleReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &DemoConnection::handleBytesWritten);
    connect(&m_socket, &QTcpSocket::disconnected, this, &DemoConnection::handleDisconnected);
    // Buffered, unlike the proxy's client side: Qt then reads the client's end of stream
    // itself and says so with disconnected(), after the answers already written. Each
    // answer is flushed to the kernel at once, so it costs one write all the same.
    if (!m_socket.setSocketDescriptor(descriptor)) {
        m_dead = true;
        return;
    }
    m_socket.setReadBufferSize(InputCapacity);
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_clientAddress = addressText(m_socket.peerAddress());
    m_clientPort = m_socket.peerPort();
    m_output.reserve(4096);
    m_idle.arm(IdleTimeoutMs);
    if (m_socket.bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &DemoConnection::handleReadyRead, Qt::QueuedConnection);
}

void DemoConnection::abortSilently()
{
    if (m_dead)
        return;
    m_dead = true;
    m_idle.disarm();
    m_delay.stop();
    m_socket.disconnect(this);
    // SO_LINGER 0: close() sends a reset, as the kernel does for a process that died.
    const linger reset{1, 0};
    ::setsockopt(int(m_socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    m_socket.abort();
}

// ---- input ----

void DemoConnection::handleReadyRead()
{
    if (m_dead)
        return;
    m_idle.touch();
    if (m_closing || m_inputStopped) {
        // Nothing more will be answered: drain what arrives so that closing does not reset.
        m_socket.skip(m_socket.bytesAvailable());
        return;
    }
    drive();
}

// Parses what has arrived and answers what is complete. Re-entrant calls (an answer that
// finishes synchronously) only ask the outermost call for another round, so a long
// pipeline does not recurse.
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
        const bool inHead = m_parser.state() == MessageParser::State::ReadingHead;
        // A new head starts low enough in the buffer for the longest head to fit.
        if (inHead && m_parser.headLength() == 0 && m_input.freeSpace() + m_input.pending() <= HeadLimits{}.maxHead)
            m_input.discardConsumed(0);
        if (m_input.pending() == 0) {
            if (!inHead || m_parser.headLength() == 0)
                m_input.discardConsumed(0);
            if (m_input.readFrom(m_socket) <= 0)
                break;
        }
        m_input.consume(m_parser.execute(m_input.base(), m_input.begin(), m_input.pending()));
        switch (m_parser.state()) {
        case MessageParser::State::HeadComplete:
            takeHead();
            m_parser.resume();
            break;
        case MessageParser::State::MessageComplete: {
            Request request = std::move(m_current);
            m_current = Request();
            m_headTaken = false;
            request.bodyBytes = m_parser.bodyBytes();
            request.resolveReply();
            m_parser.reset();
            if (!request.keepAlive)
                m_inputStopped = true;
            m_queue.push_back(std::move(request));
            break;
        }
        case MessageParser::State::Failed:
            takeFailedRequest();
            break;
        case MessageParser::State::ReadingHead:
        case MessageParser::State::ReadingBody:
            break;
        }
    }
    if (m_inputStopped)
        stopInput();
}

void DemoConnection::takeHead()
{
    const char *base = m_input.base();
    Request &r = m_current;
    r = Request();
    m_headTaken = true;
    r.method = m_parser.methodBytes(base);
    r.target = m_parser.target().in(base).toByteArray();
    r.versionMajor = m_parser.versionMajor();
    r.versionMinor = m_parser.versionMinor();
    r.keepAlive = m_parser.shouldKeepAlive();
    r.connect = m_parser.method() == RequestMethod::Connect;
    r.head = m_parser.method() == RequestMethod::Head;
    r.ordinal = ++m_requests;
    r.startMs = coarseNowMs();
    r.headerLines = HeaderList::copyLines(m_parser, base);
    bool expectContinue = false;
    for (const HeaderSpan &header : m_parser.headers()) {
        const QByteArrayView name = header.name.in(base);
        const QByteArrayView value = trimmed(header.value.in(base));
        // Repeated X-Forwarded-For headers form one list; of the others the first counts.
        const auto first = [&value](QByteArray &field) {
            if (field.isEmpty())
                field = value.toByteArray();
        };
        if (equalsIgnoreCase(name, "host"))
            first(r.host);
        else if (equalsIgnoreCase(name, "x-real-ip"))
            first(r.realIp);
        else if (equalsIgnoreCase(name, "user-agent"))
            first(r.userAgent);
        else if (equalsIgnoreCase(name, "referer"))
            first(r.referer);
        else if (equalsIgnoreCase(name, "x-forwarded-for"))
            r.forwardedFor += (r.forwardedFor.isEmpty() ? "" : ", ") + value.toByteArray();
        else if (equalsIgnoreCase(name, "expect"))
            expectContinue = equalsIgnoreCase(value, "100-continue");
        else if (equalsIgnoreCase(name, "upgrade"))
            r.keepAlive = false; // what follows an upgrade is another protocol: answer, then close
    }
    if (r.connect)
        r.keepAlive = false;
    // A client that waits for "100 Continue" before sending its body gets it at once, unless
    // answers to earlier pipelined requests are still due (it then sends after its own timeout).
    if (expectContinue && r.isHttp11() && !r.connect && m_queue.empty() && !m_responding)
        m_socket.write("HTTP/1.1 100 Continue\r\n\r\n");
}

void DemoConnection::takeFailedRequest()
{
    Request bad = m_headTaken ? std::move(m_current) : Request();
    m_current = Request();
    if (!m_headTaken) {
        // Failed inside the head: what the request line said, if it got that far.
        const QByteArrayView target = m_parser.target().in(m_input.base());
        if (!target.isEmpty()) {
            bad.method = m_parser.methodBytes(m_input.base());
            bad.target = target.toByteArray();
            bad.versionMajor = m_parser.versionMajor();
            bad.versionMinor = m_parser.versionMinor();
        }
        bad.ordinal = ++m_requests;
        bad.startMs = coarseNowMs();
    }
    m_headTaken = false;
    bad.malformed = true;
    bad.keepAlive = false;
    m_queue.push_back(std::move(bad));
    m_inputStopped = true;
}

void DemoConnection::stopInput()
{
    m_input.consume(m_input.pending());
    m_input.discardConsumed(0);
    if (!m_dead)
        m_socket.skip(m_socket.bytesAvailable());
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
        if (request.reply == Reply::Sleep)
            delay += request.argument;
    }
    if (delay > 0) {
        m_waiting = true;
        m_delay.start(int(delay), Qt::PreciseTimer, this);
    } else {
        beginResponse();
    }
}

void DemoConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_delay.timerId()) {
        m_delay.stop();
        m_waiting = false;
        if (!m_dead)
            beginResponse();
        return;
    }
    if (!m_idle.expired(event->timerId(), m_idle.timeoutMs()) || m_dead)
        return;
    if (m_waiting) {
        m_idle.arm(IdleTimeoutMs); // the delay is ours, not the client's
        return;
    }
    if (m_responding || m_closing) {
        // The client read nothing for the whole timeout (nginx's send_timeout), or the
        // lingering close is over.
        m_socket.abort();
        return;
    }
    m_inputStopped = true;
    stopInput();
    beginClose();
}

void DemoConnection::beginResponse()
{
    const Request &request = m_queue.front();
    m_closeAfter = !request.keepAlive;
    const auto tinyBody = [this](int status) {
        m_page = QByteArray::number(status);
        m_page += ' ';
        m_page += statusText(status);
        m_page += " from ";
        m_page += m_backend->nameBytes();
        return QByteArrayView(m_page);
    };
    if (request.malformed || request.reply == Reply::BadPath) {
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
    switch (request.reply) {
    case Reply::Page:
    case Reply::Sleep:
        appendPage(request);
        respondFixed(200, m_page);
        return;
    case Reply::Status: {
        const int status = int(request.argument);
        respondFixed(status, status == 204 || status == 304 ? QByteArrayView() : tinyBody(status));
        return;
    }
    case Reply::Bytes:
        respondStream(request.argument, false);
        return;
    case Reply::Chunked:
        respondStream(request.argument, true);
        return;
    case Reply::BadPath:
        break;
    }
}

void DemoConnection::appendHead(int status, qint64 contentLength, bool chunked)
{
    m_output += "HTTP/1.1 " + QByteArray::number(status) + ' ';
    m_output += statusText(status);
    m_output += "\r\nServer: lbscope-backend\r\nDate: ";
    m_output += httpDate();
    m_output += "\r\nContent-Type: text/html; charset=utf-8\r\n";
    if (chunked)
        m_output += "Transfer-Encoding: chunked\r\n";
    else if (contentLength >= 0 && status != 204 && status != 304)
        m_output += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    m_output += "Cache-Control: no-store\r\nX-Backend: " + m_backend->nameBytes() + "\r\n";
    m_output += m_closeAfter ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    if (status == 405)
        m_output += "Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n";
    m_output += "\r\n";
}

void DemoConnection::appendPage(const Request &request)
{
    m_page.truncate(0);
    m_page += m_backend->pageHead();
    appendRow(m_page, "Request", request.requestLine());
    appendRow(m_page, "Host", request.host);
    appendRow(m_page, "X-Real-IP", request.realIp);
    appendRow(m_page, "X-Forwarded-For", request.forwardedFor);
    appendRow(m_page, "Client address", m_clientAddress);
    m_page += "<tr><th>Request body</th><td>" + QByteArray::number(request.bodyBytes) + " bytes</td></tr>\n";
    m_page += "</table>\n</body>\n</html>\n";
}

void DemoConnection::respondFixed(int status, QByteArrayView body)
{
    m_status = status;
    appendHead(status, body.size(), false);
    if (!m_queue.front().head && !body.isEmpty()) {
        m_output += body;
        m_bodySent = body.size();
    }
    flushOutput(true);
    if (m_dead)
        return;
    finishResponse();
}

void DemoConnection::respondStream(qint64 length, bool chunked)
{
    const Request &request = m_queue.front();
    m_status = 200;
    if (chunked && !request.isHttp11()) {
        // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
        chunked = false;
        if (!request.head)
            m_closeAfter = true;
        appendHead(200, -1, false);
    } else {
        appendHead(200, length, chunked);
    }
    m_streamChunked = chunked;
    m_streamRemaining = request.head ? 0 : length;
    if (request.head) {
        flushOutput(true);
        if (!m_dead)
            finishResponse();
        return;
    }
    pumpStream();
}

// Keeps at most about one chunk queued in the socket: more is added as it drains.
void DemoConnection::pumpStream()
{
    const QByteArray &block = patternBlock();
    while (m_streamRemaining > 0 && m_socket.bytesToWrite() < StreamChunk) {
        const qint64 n = qMin(StreamChunk, m_streamRemaining);
        if (m_streamChunked)
            m_output += QByteArray::number(n, 16) + "\r\n";
        m_output.append(block.constData(), n);
        if (m_streamChunked)
            m_output += "\r\n";
        m_streamRemaining -= n;
        m_bodySent += n;
        if (m_streamRemaining > 0)
            flushOutput(false); // the last chunk goes out with the end of the body
    }
    if (m_streamRemaining > 0)
        return; // bytesWritten resumes
    if (m_streamChunked)
        m_output += "0\r\n\r\n";
    flushOutput(true);
    if (!m_dead)
        finishResponse();
}

// With now, the bytes go to the kernel before this returns: a client that half-closes after
// its request makes Qt drop the socket, and an unsent buffer with it, once it reads the EOF.
// flush() may report a failed write synchronously (handleDisconnected has then logged).
void DemoConnection::flushOutput(bool now)
{
    if (m_output.isEmpty())
        return;
    m_bytesSent += m_output.size();
    m_socket.write(m_output);
    m_output.truncate(0);
    m_backend->noteQueuedBytes(m_socket.bytesToWrite());
    if (now)
        m_socket.flush();
}

void DemoConnection::finishResponse()
{
    logResponse();
    m_queue.pop_front();
    m_responding = false;
    m_status = 0;
    m_bytesSent = 0;
    m_bodySent = 0;
    m_streamRemaining = 0;
    m_streamChunked = false;
    if (m_closeAfter) {
        m_inputStopped = true;
        m_queue.clear();
        stopInput();
        beginClose();
        return;
    }
    drive();
}

void DemoConnection::logResponse()
{
    const Request &request = m_queue.front();
    AccessRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.clientAddress = m_clientAddress;
    record.clientPort = m_clientPort;
    record.connectionRequests = request.ordinal;
    record.method = request.method;
    record.uri = request.target;
    record.versionMajor = request.versionMajor;
    record.versionMinor = request.versionMinor;
    record.host = request.host;
    record.requestHeaders = request.headerLines;
    record.status = m_status;
    record.bytesSent = m_bytesSent;
    record.bodyBytesSent = m_bodySent;
    record.requestTimeMs = coarseNowMs() - request.startMs;
    m_backend->logRequest(std::move(record));
}

void DemoConnection::handleBytesWritten()
{
    if (m_dead)
        return;
    m_idle.touch();
    if (m_closing) {
        if (!m_shutDown && m_socket.bytesToWrite() == 0)
            shutdownWrite();
        return;
    }
    if (m_responding && !m_waiting && m_streamRemaining > 0)
        pumpStream();
}

// Closing in stages (RFC 9112 section 9.6): finish writing, shut down the sending side,
// drain what the client still sends, close when it closes or after a while. Until
// everything is written the idle timeout guards against a client that stops reading.
void DemoConnection::beginClose()
{
    if (m_closing || m_dead)
        return;
    m_closing = true;
    if (m_socket.bytesToWrite() == 0)
        shutdownWrite();
}

void DemoConnection::shutdownWrite()
{
    m_shutDown = true;
    shutdownSending(m_socket);
    m_idle.arm(LingerTimeoutMs);
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
    m_idle.disarm();
    m_delay.stop();
    m_backend->removeConnection(this);
}

} // namespace lbscope
