#include "twin/nginxtwinlog.h"

namespace lbscope {

namespace {

QByteArray orEmpty(QByteArrayView field)
{
    return field == "-" ? QByteArray() : field.toByteArray();
}

} // namespace

void NginxTwinLog::follow(const QString &path)
{
    m_file.close();
    m_path = path;
    m_offset = 0;
    m_partial.clear();
}

QList<NginxTwinRecord> NginxTwinLog::readNew()
{
    QList<NginxTwinRecord> records;
    if (m_path.isEmpty())
        return records;
    if (!m_file.isOpen()) {
        m_file.setFileName(m_path);
        if (!m_file.open(QIODevice::ReadOnly))
            return records;
    }
    if (m_file.size() < m_offset) { // truncated or replaced: from the start again
        m_offset = 0;
        m_partial.clear();
    }
    if (!m_file.seek(m_offset))
        return records;
    const QByteArray bytes = m_file.read(MaxBytesPerRead);
    m_offset += bytes.size();
    QByteArray text = m_partial + bytes;
    const qsizetype lastNewline = text.lastIndexOf('\n');
    m_partial = text.mid(lastNewline + 1);
    if (lastNewline < 0)
        return records;
    text.truncate(lastNewline);
    for (const QByteArray &line : text.split('\n')) {
        if (const auto record = parseLine(line))
            records.append(*record);
    }
    return records;
}

std::optional<NginxTwinRecord> NginxTwinLog::parseLine(QByteArrayView line)
{
    const QList<QByteArray> fields = line.toByteArray().split('|');
    if (fields.size() != 4)
        return std::nullopt;
    bool ok = false;
    NginxTwinRecord record;
    record.sequence = fields[0].toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    record.status = fields[1].toInt(&ok);
    if (!ok)
        return std::nullopt;
    record.upstreamAddr = orEmpty(fields[2]);
    record.upstreamStatus = orEmpty(fields[3]);
    return record;
}

} // namespace lbscope
