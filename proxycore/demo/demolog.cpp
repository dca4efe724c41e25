#include "demo/demolog.h"

#include "http/uri.h"
#include "stats/logformat.h"

#include <QMutexLocker>

using namespace Qt::StringLiterals;

namespace lbscope {

DemoLog::DemoLog(qsizetype capacity)
    : m_ring(capacity)
{
}

void DemoLog::setName(const QString &name)
{
    const QMutexLocker locker(&m_nameMutex);
    m_suffix = " name=" + name.toUtf8();
}

QByteArray DemoLog::suffix() const
{
    const QMutexLocker locker(&m_nameMutex);
    return m_suffix;
}

DemoLogEntry DemoLog::entryOf(const AccessRecord &record, const QByteArray &suffix)
{
    QByteArray line;
    LogFormatter::combined().appendTo(record, line);
    line += suffix;
    return {record.id,
            record.timeMs,
            QString::fromUtf8(line),
            record.clientAddress,
            record.clientPort,
            record.connectionRequests,
            record.status,
            pathOf(record.uri).toByteArray()};
}

quint64 DemoLog::readAfter(quint64 cursor, QList<DemoLogEntry> *out, qsizetype max) const
{
    QList<AccessRecord> records;
    const quint64 last = m_ring.readAfter(cursor, &records, max);
    const QByteArray nameSuffix = suffix();
    out->reserve(out->size() + records.size());
    for (const AccessRecord &record : std::as_const(records))
        out->append(entryOf(record, nameSuffix));
    return last;
}

std::optional<DemoLogEntry> DemoLog::find(quint16 remotePort, quint32 connectionRequest) const
{
    AccessRecord record;
    const bool found = m_ring.findNewest(
        [&](const AccessRecord &r) { return r.clientPort == remotePort && r.connectionRequests == connectionRequest; },
        &record);
    if (!found)
        return std::nullopt;
    return entryOf(record, suffix());
}

QStringList DemoLog::lines() const
{
    QList<DemoLogEntry> entries;
    readAfter(0, &entries, m_ring.capacity());
    QStringList lines;
    lines.reserve(entries.size());
    for (const DemoLogEntry &entry : std::as_const(entries))
        lines.append(entry.line);
    return lines;
}

} // namespace lbscope
