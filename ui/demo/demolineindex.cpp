#include "demo/demolineindex.h"

#include "stats/accesslog.h"

namespace lbscope {

void DemoLineIndex::add(const QByteArray &backend, const DemoLogEntry &entry)
{
    const Key key{backend, entry.remotePort, entry.connectionRequest};
    if (!m_lines.contains(key))
        m_order.push_back(key);
    m_lines.insert(key, entry.line);
    while (qsizetype(m_order.size()) > Capacity) {
        m_lines.remove(m_order.front());
        m_order.pop_front();
    }
}

void DemoLineIndex::clear()
{
    m_lines.clear();
    m_order.clear();
}

QString DemoLineIndex::lineFor(const AccessRecord &record) const
{
    const qsizetype comma = record.upstreamAddr.lastIndexOf(", ");
    const QByteArray backend = comma < 0 ? record.upstreamAddr : record.upstreamAddr.mid(comma + 2);
    if (backend.isEmpty() || record.upstreamLocalPort == 0)
        return {};
    return m_lines.value(Key{backend, record.upstreamLocalPort, quint32(record.upstreamConnectionRequest)});
}

} // namespace lbscope
