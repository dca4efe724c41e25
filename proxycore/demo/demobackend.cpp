#include "demo/demobackend.h"

#include "config/nginxvalues.h"
#include "demo/democonnection.h"
#include "demo/demolistener.h"

#include <QMutexLocker>

#include <cmath>
#include <utility>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int MaxDelayMs = 10 * 60 * 1000;
// Slack for the error pattern's floor(): (n + 1) * rate may land a hair below a whole number.
constexpr double RateEpsilon = 1e-9;

constexpr char PatternAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static_assert(sizeof(PatternAlphabet) == 65);

// A hue in 0..359 that stays the same for a name across runs (qHash is seeded).
int hueForName(const QByteArray &name)
{
    quint32 hash = 2166136261u;
    for (const char ch : name) {
        hash ^= static_cast<unsigned char>(ch);
        hash *= 16777619u;
    }
    return static_cast<int>(hash % 360);
}

QString hostPort(const QHostAddress &address, quint16 port)
{
    return nginx::joinHostPort(address.toString(), port);
}

} // namespace

DemoBackend::DemoBackend(QObject *parent)
    : QObject(parent)
    , m_listener(new DemoListener(this))
    , m_log(LogCapacity)
{
    connect(m_listener, &DemoListener::connectionAccepted, this, &DemoBackend::handleConnectionAccepted);
}

DemoBackend::~DemoBackend()
{
    m_listener->close();
    abortConnections();
}

char DemoBackend::bodyPatternByte(qint64 offset)
{
    return PatternAlphabet[offset % 64];
}

bool DemoBackend::start(const Options &options, QString *error)
{
    if (isRunning()) {
        if (error)
            *error = u"%1 is already running on %2"_s.arg(name(), hostPort(address(), port()));
        return false;
    }
    QString name = options.name.trimmed();
    if (name.isEmpty())
        name = u"web-client"_s;
    for (QChar &ch : name) {
        if (ch.category() == QChar::Other_Control)
            ch = u'_';
    }
    const QHostAddress address = options.address.isNull() ? QHostAddress(QHostAddress::LocalHost) : options.address;
    {
        const QMutexLocker locker(&m_mutex);
        m_name = name;
        m_address = address;
    }
    m_port.store(options.port);
    setDelayMs(options.delayMs);
    setErrorRate(options.errorRate);
    m_decisions = 0;
    if (!listen(error))
        return false;
    m_port.store(m_listener->serverPort());
    m_log.setName(name);

    m_nameBytes = name.toUtf8();
    const QByteArray html = name.toHtmlEscaped().toUtf8();
    const QByteArray hue = QByteArray::number(hueForName(m_nameBytes));
    const QByteArray title = html + " on port " + QByteArray::number(m_port.load());
    m_pageHead = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                 "</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>body{font-family:sans-serif;margin:2em;"
                 "background:hsl(" +
                 hue + ",70%,93%)}h1{color:hsl(" + hue +
                 ",60%,30%)}th{text-align:left;padding-right:1em}td{font-family:monospace}</style>\n</head>\n"
                 "<body>\n<h1>Hello from " +
                 title + "</h1>\n<table>\n";
    setState(State::Listening);
    return true;
}

bool DemoBackend::listen(QString *error)
{
    const QHostAddress address = this->address();
    const quint16 port = m_port.load();
    if (m_listener->listen(address, port))
        return true;
    if (error)
        *error = u"cannot listen on %1: %2"_s.arg(hostPort(address, port), m_listener->errorString());
    return false;
}

void DemoBackend::setState(State state)
{
    m_state.store(state);
}

void DemoBackend::stop()
{
    m_listener->close();
    abortConnections();
    setState(State::Stopped);
}

bool DemoBackend::isRunning() const
{
    return m_state.load() != State::Stopped;
}

bool DemoBackend::isListening() const
{
    return m_state.load() == State::Listening;
}

bool DemoBackend::isCrashed() const
{
    return m_state.load() == State::Crashed;
}

quint16 DemoBackend::port() const
{
    return isRunning() ? m_port.load() : 0;
}

QHostAddress DemoBackend::address() const
{
    const QMutexLocker locker(&m_mutex);
    return m_address;
}

QString DemoBackend::name() const
{
    const QMutexLocker locker(&m_mutex);
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

bool DemoBackend::setCrashed(bool crashed)
{
    if (!isRunning() || crashed == isCrashed())
        return true;
    if (crashed) {
        m_listener->close();
        abortConnections();
        setState(State::Crashed);
        return true;
    }
    QString error;
    if (!listen(&error)) {
        emit errorOccurred(error);
        return false;
    }
    setState(State::Listening);
    return true;
}

quint64 DemoBackend::requestCount() const
{
    return m_log.count();
}

quint64 DemoBackend::logAfter(quint64 cursor, QList<DemoLogEntry> *out, qsizetype max) const
{
    return m_log.readAfter(cursor, out, max);
}

QStringList DemoBackend::recentLog() const
{
    return m_log.lines();
}

qint64 DemoBackend::maxQueuedBytes() const
{
    return m_maxQueuedBytes.load(std::memory_order_relaxed);
}

int DemoBackend::connectionCount() const
{
    return m_connectionCount.load(std::memory_order_relaxed);
}

void DemoBackend::handleConnectionAccepted(qintptr descriptor)
{
    auto *connection = new DemoConnection(descriptor, this);
    if (!isListening() || !connection->isOpen()) {
        connection->abortSilently();
        delete connection;
        return;
    }
    m_connections.insert(connection);
    m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
}

void DemoBackend::abortConnections()
{
    const QSet<DemoConnection *> connections = std::exchange(m_connections, {});
    m_connectionCount.store(0, std::memory_order_relaxed);
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

void DemoBackend::logRequest(AccessRecord record)
{
    m_log.append(std::move(record));
}

void DemoBackend::noteQueuedBytes(qint64 bytes)
{
    if (bytes > m_maxQueuedBytes.load(std::memory_order_relaxed))
        m_maxQueuedBytes.store(bytes, std::memory_order_relaxed);
}

void DemoBackend::removeConnection(DemoConnection *connection)
{
    m_connections.remove(connection);
    m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
    connection->deleteLater();
}

} // namespace lbscope
