#include "twin/twincomparison.h"

namespace lbscope {

std::optional<quint64> TwinComparison::sequenceOf(const AccessRecord &record)
{
    // TrafficPlan::SequenceHeader, named as nginx's variable $http_x_lbscope_seq names it.
    const QByteArray value = record.requestHeader("x_lbscope_seq");
    bool ok = false;
    const quint64 sequence = value.toULongLong(&ok);
    return ok ? std::optional(sequence) : std::nullopt;
}

bool TwinComparison::samePicks(QByteArrayView lbscope, QByteArrayView nginx)
{
    // nginx writes "-" where no upstream was involved; LB Scope leaves the field empty.
    const auto normal = [](QByteArrayView value) { return value == "-" ? QByteArrayView() : value.trimmed(); };
    return normal(lbscope) == normal(nginx);
}

TwinComparison::Entry &TwinComparison::entry(quint64 sequence)
{
    return m_entries[sequence];
}

void TwinComparison::addLbscope(const QList<AccessRecord> &records)
{
    for (const AccessRecord &record : records) {
        if (const auto sequence = sequenceOf(record)) {
            Entry &pair = entry(*sequence);
            pair.recordId = record.id;
            pair.lbscope = record.upstreamAddr;
        }
    }
    trim();
}

void TwinComparison::addNginx(const QList<NginxTwinRecord> &records)
{
    for (const NginxTwinRecord &record : records)
        entry(record.sequence).nginx = record.upstreamAddr;
    trim();
}

void TwinComparison::clear()
{
    m_entries.clear();
}

void TwinComparison::trim()
{
    while (m_entries.size() > std::size_t(Capacity))
        m_entries.erase(m_entries.begin());
}

TwinComparison::Summary TwinComparison::summary() const
{
    Summary summary;
    for (auto it = m_entries.crbegin(); it != m_entries.crend() && summary.compared < Window; ++it) {
        const Entry &pair = it->second;
        if (!pair.lbscope || !pair.nginx)
            continue;
        ++summary.compared;
        if (samePicks(*pair.lbscope, *pair.nginx))
            continue;
        ++summary.differences;
        summary.differingSequences.insert(it->first);
        summary.differingRecordIds.insert(pair.recordId);
    }
    return summary;
}

quint64 TwinComparison::lbscopeRecordId(quint64 sequence) const
{
    const auto found = m_entries.find(sequence);
    return found == m_entries.end() ? 0 : found->second.recordId;
}

} // namespace lbscope
