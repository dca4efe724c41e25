#include "stats/accesslog.h"

#include "http/headerlist.h"

namespace lbscope {

QByteArray AccessRecord::traceLine() const
{
    QByteArray line = method + ' ' + uri + " -> ";
    line += upstreamAddr.isEmpty() ? QByteArray("-") : upstreamAddr;
    line += ' ' + QByteArray::number(status);
    for (qsizetype i = 0; i < decisions.size(); ++i)
        line += (i == 0 ? " (" : "; then ") + decisions[i].describe();
    if (!decisions.isEmpty())
        line += ')';
    return line;
}

QByteArray AccessRecord::requestLine() const
{
    if (method.isEmpty())
        return {};
    return method + ' ' + uri + " HTTP/" + QByteArray::number(versionMajor) + '.' + QByteArray::number(versionMinor);
}

QByteArray AccessRecord::requestHeader(QByteArrayView name) const
{
    QByteArray values;
    HeaderList::fromLines(requestHeaders).appendAll(name, ", ", values);
    return values;
}

AccessLog::AccessLog(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(capacity, 1))
{
}

void AccessLog::append(AccessRecord record)
{
    const QMutexLocker locker(&m_mutex);
    record.id = ++m_lastId;
    if (m_ring.size() < m_capacity) {
        m_ring.append(std::move(record));
        return;
    }
    m_ring[m_head] = std::move(record);
    m_head = (m_head + 1) % m_capacity;
}

quint64 AccessLog::readAfter(quint64 cursor, QList<AccessRecord> *out, qsizetype max) const
{
    const QMutexLocker locker(&m_mutex);
    const auto count = quint64(m_ring.size());
    const quint64 oldest = m_lastId - count + 1; // ids in the ring run without gaps
    quint64 id = std::max(cursor + 1, oldest);
    for (; id <= m_lastId && out->size() < max; ++id)
        out->append(m_ring[qsizetype((quint64(m_head) + id - oldest) % count)]);
    return std::max(cursor, id - 1);
}

bool AccessLog::findNewest(const std::function<bool(const AccessRecord &)> &matches, AccessRecord *out) const
{
    const QMutexLocker locker(&m_mutex);
    const qsizetype count = m_ring.size();
    for (qsizetype age = 1; age <= count; ++age) {
        const AccessRecord &record = m_ring[(m_head - age + count) % count];
        if (matches(record)) {
            *out = record;
            return true;
        }
    }
    return false;
}

quint64 AccessLog::lastId() const
{
    const QMutexLocker locker(&m_mutex);
    return m_lastId;
}

} // namespace lbscope
