#include "proxy/attemptlog.h"

namespace lbscope {

namespace {

void appendItem(QByteArray &list, QByteArrayView item)
{
    if (!list.isEmpty())
        list.append(", ");
    list.append(item);
}

QByteArray seconds(qint64 us)
{
    return QByteArray::number(double(us / 1000) / 1000.0, 'f', 3);
}

} // namespace

void AttemptLog::start(QByteArrayView address)
{
    appendItem(m_addresses, address);
    m_current = Times{};
    m_clock.start();
}

void AttemptLog::startWithoutPeer(QByteArrayView upstreamName)
{
    appendItem(m_addresses, upstreamName);
    m_current = Times{};
    m_clock.invalidate();
}

void AttemptLog::connected()
{
    m_current.connectUs = m_clock.nsecsElapsed() / 1000;
    appendItem(m_connectTimes, seconds(m_current.connectUs));
}

void AttemptLog::headerReceived()
{
    m_current.headerUs = m_clock.nsecsElapsed() / 1000;
    appendItem(m_headerTimes, seconds(m_current.headerUs));
}

void AttemptLog::setStatus(QByteArrayView status)
{
    appendItem(m_statuses, status);
}

AttemptLog::Times AttemptLog::finish(qint64 bytesReceived, qint64 bytesSent)
{
    m_current.responseUs = m_clock.isValid() ? m_clock.nsecsElapsed() / 1000 : 0;
    if (m_current.connectUs < 0)
        appendItem(m_connectTimes, "-");
    if (m_current.headerUs < 0)
        appendItem(m_headerTimes, "-");
    appendItem(m_responseTimes, seconds(m_current.responseUs));
    appendItem(m_bytesReceived, QByteArray::number(bytesReceived));
    appendItem(m_bytesSent, QByteArray::number(bytesSent));
    m_clock.invalidate();
    return m_current;
}

// Truncated, not freed: the next request on the connection reuses the capacity.
void AttemptLog::clear()
{
    m_clock.invalidate();
    m_current = Times{};
    m_addresses.truncate(0);
    m_statuses.truncate(0);
    m_connectTimes.truncate(0);
    m_headerTimes.truncate(0);
    m_responseTimes.truncate(0);
    m_bytesReceived.truncate(0);
    m_bytesSent.truncate(0);
}

} // namespace lbscope
