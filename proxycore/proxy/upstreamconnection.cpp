#include "proxy/upstreamconnection.h"

#include <QTimerEvent>

namespace lbscope {

namespace {

constexpr qsizetype inputCapacity = 64 * 1024;

HeadLimits responseLimits(qint64 headLimit)
{
    HeadLimits limits;
    limits.maxRequestLine = headLimit;
    limits.maxHeaderLine = headLimit;
    limits.maxHead = headLimit;
    return limits;
}

bool isInterim(int status)
{
    return status >= 100 && status < 200 && status != 101;
}

} // namespace

UpstreamConnection::UpstreamConnection(const QHostAddress &address, quint16 port, qint64 responseHeadLimit,
                                       QObject *parent)
    : QObject(parent)
    , m_address(address)
    , m_port(port)
    , m_response(MessageParser::Kind::Response, responseLimits(responseHeadLimit))
    , m_input(inputCapacity)
    , m_idle(this)
{
    m_age.start();
    m_socket.setReadBufferSize(inputCapacity); // Qt buffers reads even when unbuffered
    m_response.setBodyConsumer(this);
    connect(&m_socket, &QTcpSocket::connected, this, &UpstreamConnection::handleConnected);
    connect(&m_socket, &QTcpSocket::readyRead, this, &UpstreamConnection::handleReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &UpstreamConnection::handleBytesWritten);
    connect(&m_socket, &QTcpSocket::disconnected, this, &UpstreamConnection::handleDisconnected);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, &UpstreamConnection::handleError);
}

UpstreamConnection::~UpstreamConnection()
{
    m_owner = nullptr;
    m_socket.abort();
}

void UpstreamConnection::begin(Owner *owner, const QByteArray &head, bool headRequest, const Timeouts &timeouts)
{
    m_owner = owner;
    m_timeouts = timeouts;
    m_input.discardConsumed(); // a reusable connection has nothing pending: start at the front
    m_response.reset();
    m_response.setSkipBody(headRequest);
    m_headDelivered = false;
    m_readingPaused = false;
    m_writeBlocked = false;
    m_bytesReceived = 0;
    m_bytesSent = 0;
    if (m_socket.state() == QAbstractSocket::ConnectedState) {
        ++m_requests;
        m_phase = Phase::Exchanging;
        m_socket.write(head.constData(), head.size());
        m_bytesSent += head.size();
        m_idle.arm(std::min(m_timeouts.sendMs, m_timeouts.readMs));
        m_owner->upstreamReady();
        return;
    }
    m_pendingHead = head;
    m_phase = Phase::Connecting;
    m_idle.arm(m_timeouts.connectMs);
    // Unbuffered: writes go to the kernel at once, with no notifier toggling per write.
    m_socket.connectToHost(m_address, m_port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void UpstreamConnection::handleConnected()
{
    if (m_phase != Phase::Connecting)
        return;
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    ++m_requests;
    m_phase = Phase::Exchanging;
    m_socket.write(m_pendingHead.constData(), m_pendingHead.size());
    m_bytesSent += m_pendingHead.size();
    m_pendingHead.clear();
    m_idle.arm(std::min(m_timeouts.sendMs, m_timeouts.readMs));
    m_owner->upstreamReady();
}

void UpstreamConnection::writeBody(QByteArrayView bytes)
{
    m_socket.write(bytes.data(), bytes.size());
    m_bytesSent += bytes.size();
    if (m_socket.bytesToWrite() > sendHighWater)
        m_writeBlocked = true;
}

void UpstreamConnection::setReadingPaused(bool paused)
{
    if (m_readingPaused == paused)
        return;
    m_readingPaused = paused;
    if (!paused)
        processInput();
}

bool UpstreamConnection::isReusable() const
{
    return m_phase == Phase::Done && m_response.shouldKeepAlive() && m_input.pending() == 0 &&
           m_socket.bytesAvailable() == 0 && m_socket.state() == QAbstractSocket::ConnectedState;
}

void UpstreamConnection::park(qint64 idleMs)
{
    m_owner = nullptr;
    m_phase = Phase::Parked;
    m_idle.arm(idleMs);
}

void UpstreamConnection::abort()
{
    m_owner = nullptr;
    m_phase = Phase::Failed;
    m_idle.disarm();
    m_socket.abort();
}

void UpstreamConnection::handleReadyRead()
{
    if (m_phase == Phase::Parked) {
        abort(); // an idle backend has nothing to say: it is closing or broken
        emit idleClosed(this);
        return;
    }
    processInput();
    if (m_owner && m_phase == Phase::Exchanging)
        m_owner->upstreamReadDone();
}

void UpstreamConnection::handleBytesWritten(qint64)
{
    m_idle.touch();
    if (m_writeBlocked && m_socket.bytesToWrite() < sendLowWater) {
        m_writeBlocked = false;
        if (m_owner)
            m_owner->upstreamWritable();
    }
}

void UpstreamConnection::processInput()
{
    while (m_phase == Phase::Exchanging && !m_readingPaused) {
        if (m_input.pending() == 0) {
            // The parser's head spans point into the buffer: it may only move once the head
            // has been passed on.
            if (m_response.state() != MessageParser::State::ReadingHead)
                m_input.discardConsumed();
            if (m_input.freeSpace() == 0) {
                fail(UpstreamError::InvalidHeader); // a head larger than the whole buffer
                return;
            }
            const qint64 got = m_input.readFrom(m_socket);
            if (got <= 0)
                break;
            m_bytesReceived += got;
            m_idle.touch();
        }
        const qsizetype parsed = m_response.execute(m_input.base(), m_input.begin(), m_input.pending());
        m_input.consume(parsed);
        switch (m_response.state()) {
        case MessageParser::State::ReadingHead:
            break;
        case MessageParser::State::ReadingBody:
            break;
        case MessageParser::State::HeadComplete:
            if (!isInterim(m_response.statusCode())) {
                m_headDelivered = true;
                m_owner->upstreamHead(m_response, m_input.base());
            }
            if (m_phase == Phase::Exchanging)
                m_response.resume();
            break;
        case MessageParser::State::MessageComplete:
            if (!m_headDelivered) { // an interim 1xx: the real response follows
                m_response.reset();
                break;
            }
            m_phase = Phase::Done;
            m_idle.disarm();
            m_owner->upstreamComplete();
            return;
        case MessageParser::State::Failed:
            fail(m_headDelivered ? UpstreamError::Truncated : UpstreamError::InvalidHeader);
            return;
        }
    }
    if (m_phase == Phase::Exchanging && !m_readingPaused && m_input.pending() == 0 &&
        m_socket.state() != QAbstractSocket::ConnectedState) {
        m_response.finishAtEof(); // close-delimited body, or a premature close
        if (m_response.state() == MessageParser::State::MessageComplete) {
            m_phase = Phase::Done;
            m_idle.disarm();
            m_owner->upstreamComplete();
        } else {
            fail(m_headDelivered ? UpstreamError::Truncated : UpstreamError::Reset);
        }
    }
}

void UpstreamConnection::consumeBody(QByteArrayView bytes)
{
    if (m_owner)
        m_owner->upstreamBody(bytes);
}

void UpstreamConnection::handleDisconnected()
{
    if (m_phase == Phase::Parked) {
        abort();
        emit idleClosed(this);
        return;
    }
    if (m_phase == Phase::Exchanging)
        processInput();
}

void UpstreamConnection::handleError(QAbstractSocket::SocketError error)
{
    switch (m_phase) {
    case Phase::Connecting:
        fail(UpstreamError::Refused);
        break;
    case Phase::Exchanging:
        if (error == QAbstractSocket::RemoteHostClosedError)
            processInput(); // the bytes before the close still count
        else
            fail(m_headDelivered ? UpstreamError::Truncated : UpstreamError::Reset);
        break;
    case Phase::Parked:
        abort();
        emit idleClosed(this);
        break;
    case Phase::Idle:
    case Phase::Done:
    case Phase::Failed:
        break;
    }
}

void UpstreamConnection::fail(UpstreamError error)
{
    if (m_phase == Phase::Failed)
        return;
    Owner *owner = m_owner;
    abort();
    if (owner)
        owner->upstreamFailed(error);
}

// nginx's proxy_send_timeout while the request is still going out, proxy_read_timeout once
// we wait for the backend; both measure a quiet gap, not the whole exchange.
qint64 UpstreamConnection::exchangeTimeout() const
{
    return m_socket.bytesToWrite() > 0 ? m_timeouts.sendMs : m_timeouts.readMs;
}

void UpstreamConnection::timerEvent(QTimerEvent *event)
{
    if (!m_idle.owns(event->timerId()))
        return QObject::timerEvent(event);
    const qint64 limitMs = m_phase == Phase::Exchanging ? exchangeTimeout() : m_idle.timeoutMs();
    if (!m_idle.expired(event->timerId(), limitMs))
        return;
    if (m_phase == Phase::Parked) {
        abort();
        emit idleClosed(this);
    } else if (m_phase == Phase::Connecting || m_phase == Phase::Exchanging) {
        fail(UpstreamError::Timeout);
    }
}

} // namespace lbscope
