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

QByteArray secondsOrDash(qint64 us)
{
    return us < 0 ? QByteArray("-") : seconds(us);
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
}

void AttemptLog::headerReceived()
{
    m_current.headerUs = m_clock.nsecsElapsed() / 1000;
}

void AttemptLog::setStatus(QByteArrayView status)
{
    appendItem(m_statuses, status);
}

AttemptLog::Times AttemptLog::finish()
{
    m_current.responseUs = m_clock.isValid() ? m_clock.nsecsElapsed() / 1000 : 0;
    appendItem(m_connectTimes, secondsOrDash(m_current.connectUs));
    appendItem(m_headerTimes, secondsOrDash(m_current.headerUs));
    appendItem(m_responseTimes, seconds(m_current.responseUs));
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
}

} // namespace lbscope
