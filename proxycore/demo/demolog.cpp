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

quint64 DemoLog::readAfter(quint64 cursor, QList<DemoLogEntry> *out, qsizetype max) const
{
    QList<AccessRecord> records;
    const quint64 last = m_ring.readAfter(cursor, &records, max);
    QByteArray suffix;
    {
        const QMutexLocker locker(&m_nameMutex);
        suffix = m_suffix;
    }
    const LogFormatter &combined = LogFormatter::combined();
    QByteArray line;
    out->reserve(out->size() + records.size());
    for (const AccessRecord &record : std::as_const(records)) {
        line.truncate(0);
        combined.appendTo(record, line);
        line += suffix;
        out->append({record.id, record.timeMs, QString::fromUtf8(line), record.clientAddress, record.clientPort,
                     record.connectionRequests, record.status, pathOf(record.uri).toByteArray()});
    }
    return last;
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
