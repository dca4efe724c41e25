#include "traffic/trafficconnection.h"

#include "http/headers.h"

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr qsizetype InputCapacity = 64 * 1024;

HeadLimits responseLimits()
{
    HeadLimits limits;
    limits.maxRequestLine = 16 * 1024;
    limits.maxHeaderLine = 16 * 1024;
    limits.maxHead = InputCapacity / 2; // the head must stay whole in the input buffer
    return limits;
}

bool isInterim(int status)
{
    return status >= 100 && status < 200 && status != 101;
}

} // namespace

TrafficConnection::TrafficConnection(Owner *owner, const Endpoints &endpoints, int client, QObject *parent)
    : QObject(parent)
    , m_owner(owner)
    , m_endpoints(endpoints)
    , m_client(client)
    , m_localAddress(endpoints.source)
    , m_response(MessageParser::Kind::Response, responseLimits())
    , m_input(InputCapacity)
{
    m_socket.setReadBufferSize(InputCapacity);
    m_response.setBodyConsumer(this);
    connect(&m_socket, &QTcpSocket::connected, this, &TrafficConnection::handleConnected);
    connect(&m_socket, &QTcpSocket::readyRead, this, &TrafficConnection::handleReadyRead);
    connect(&m_socket, &QTcpSocket::disconnected, this, &TrafficConnection::handleDisconnected);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, &TrafficConnection::handleError);
}

TrafficConnection::~TrafficConnection()
{
    abort();
}

void TrafficConnection::send(const QByteArray &head, const QByteArray &body, bool headRequest)
{
    m_inSend = true;
    m_head = head;
    m_body = body;
    m_headRequest = headRequest;
    m_response.reset();
    m_response.setSkipBody(headRequest);
    m_input.discardConsumed(); // nothing is pending between exchanges: the head starts at 0
    m_backend.clear();
    m_bodyBytes = 0;
    m_bytesReceived = 0;
    m_headSeen = false;
    m_firstByte.invalidate();
    m_busySince.start();
    if (m_phase == Phase::Idle) {
        m_phase = Phase::Exchanging;
        writeRequest();
    } else {
        startConnecting();
    }
    m_inSend = false;
}

void TrafficConnection::startConnecting()
{
    m_phase = Phase::Connecting;
    if (!m_endpoints.source.isNull() && !m_socket.bind(m_endpoints.source, 0)) {
        failExchange(u"cannot bind to %1: %2"_s.arg(m_endpoints.source.toString(), m_socket.errorString()));
        return;
    }
    // Unbuffered: each write goes to the kernel at once, as in UpstreamConnection.
    m_socket.connectToHost(m_endpoints.target, m_endpoints.port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void TrafficConnection::fail(const QString &error)
{
    failExchange(error);
}

void TrafficConnection::abort()
{
    m_silenced = true;
    m_phase = Phase::Closed;
    m_socket.abort();
}

void TrafficConnection::handleConnected()
{
    if (m_phase != Phase::Connecting)
        return;
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_localAddress = m_socket.localAddress();
    m_phase = Phase::Exchanging;
    writeRequest();
}

void TrafficConnection::writeRequest()
{
    ++m_exchanges;
    m_firstByte.start();
    m_socket.write(m_head);
    if (!m_body.isEmpty() && m_phase == Phase::Exchanging)
        m_socket.write(m_body);
}

void TrafficConnection::handleReadyRead()
{
    if (m_phase == Phase::Idle)
        closeIdle(); // a server has nothing to say between requests: it is closing or broken
    else if (m_phase == Phase::Exchanging)
        processInput();
}

void TrafficConnection::handleDisconnected()
{
    if (m_phase == Phase::Idle)
        closeIdle();
    else if (m_phase == Phase::Exchanging)
        processInput();
    else if (m_phase == Phase::Connecting)
        failExchange(u"the connection closed while connecting"_s);
}

void TrafficConnection::handleError(QAbstractSocket::SocketError error)
{
    switch (m_phase) {
    case Phase::Connecting:
        failExchange(u"cannot connect to %1:%2: %3"_s.arg(m_endpoints.target.toString())
                         .arg(m_endpoints.port)
                         .arg(m_socket.errorString()));
        break;
    case Phase::Exchanging:
        if (error == QAbstractSocket::RemoteHostClosedError)
            processInput(); // the bytes before the close still count
        else
            failExchange(m_socket.errorString(), m_exchanges > 1 && m_bytesReceived == 0);
        break;
    case Phase::Idle:
        closeIdle();
        break;
    case Phase::Unconnected:
    case Phase::Closed:
        break;
    }
}

void TrafficConnection::processInput()
{
    while (m_phase == Phase::Exchanging) {
        if (m_input.pending() == 0) {
            // Body bytes are counted and gone; head bytes stay where they are, since the
            // parser's spans point into the buffer.
            if (m_response.state() != MessageParser::State::ReadingHead)
                m_input.discardConsumed();
            const qint64 got = m_input.readFrom(m_socket);
            if (got <= 0)
                break;
            m_bytesReceived += got;
        }
        const qsizetype parsed = m_response.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
        if (!handleParserState())
            return;
    }
    if (m_phase != Phase::Exchanging || m_input.pending() > 0 || m_socket.state() == QAbstractSocket::ConnectedState)
        return;
    m_response.finishAtEof(); // completes a close-delimited body
    if (m_response.state() == MessageParser::State::MessageComplete && m_headSeen)
        complete();
    else if (m_bytesReceived == 0)
        failExchange(u"the server closed the connection without a response"_s, m_exchanges > 1);
    else
        failExchange(u"the server closed the connection before the response ended"_s);
}

// False once the exchange has ended.
bool TrafficConnection::handleParserState()
{
    switch (m_response.state()) {
    case MessageParser::State::ReadingHead:
    case MessageParser::State::ReadingBody:
        return true;
    case MessageParser::State::HeadComplete:
        if (!isInterim(m_response.statusCode())) {
            m_headSeen = true;
            captureBackend();
        }
        m_response.resume();
        return true;
    case MessageParser::State::MessageComplete:
        if (!m_headSeen) { // a 100 Continue or 103 Early Hints: the real response follows
            m_response.reset();
            m_response.setSkipBody(m_headRequest);
            return true;
        }
        complete();
        return false;
    case MessageParser::State::Failed:
        failExchange(u"invalid HTTP response (%1)"_s.arg(QLatin1StringView(http_errno_name(m_response.parserError()))));
        return false;
    }
    return false;
}

void TrafficConnection::captureBackend()
{
    const char *base = m_input.base();
    const HeaderSpan *header = findHeader(m_response, base, "x-upstream-addr");
    if (!header)
        header = findHeader(m_response, base, "x-backend");
    m_backend = header ? trimmed(header->value.in(base)).toByteArray() : QByteArray();
}

void TrafficConnection::consumeBody(QByteArrayView bytes)
{
    m_bodyBytes += quint64(bytes.size());
}

void TrafficConnection::complete()
{
    Outcome outcome;
    outcome.status = m_response.statusCode();
    outcome.backend = m_backend;
    outcome.latencyUs = m_firstByte.nsecsElapsed() / 1000;
    outcome.bodyBytes = m_bodyBytes;
    outcome.reusable = m_response.shouldKeepAlive() && m_input.pending() == 0 && m_socket.bytesAvailable() == 0 &&
                       m_socket.state() == QAbstractSocket::ConnectedState;
    if (outcome.reusable) {
        m_phase = Phase::Idle;
    } else {
        m_phase = Phase::Closed;
        m_socket.abort();
    }
    deliver(outcome);
}

void TrafficConnection::failExchange(const QString &error, bool retryable)
{
    if (!isBusy())
        return;
    m_phase = Phase::Closed;
    m_socket.abort();
    Outcome outcome;
    outcome.error = error;
    outcome.retryable = retryable;
    outcome.latencyUs = m_firstByte.isValid() ? m_firstByte.nsecsElapsed() / 1000 : 0;
    deliver(outcome);
}

// Outcomes that happen inside send() (a failed bind, a write to a dead socket) arrive from the
// event loop, so the owner never sees its own call come back to it.
void TrafficConnection::deliver(const Outcome &outcome)
{
    if (m_silenced)
        return;
    if (!m_inSend) {
        m_owner->exchangeFinished(this, outcome);
        return;
    }
    QMetaObject::invokeMethod(
        this,
        [this, outcome] {
            if (!m_silenced)
                m_owner->exchangeFinished(this, outcome);
        },
        Qt::QueuedConnection);
}

void TrafficConnection::closeIdle()
{
    if (m_phase != Phase::Idle)
        return;
    m_phase = Phase::Closed;
    m_socket.abort();
    if (!m_silenced)
        m_owner->idleConnectionClosed(this);
}

} // namespace lbscope
