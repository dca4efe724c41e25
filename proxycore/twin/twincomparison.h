#pragma once

// Pairs LB Scope's and the nginx twin's records of the same requests by their X-LBScope-Seq
// and compares the picks: the $upstream_addr of each, every attempt in order. Both sides are
// fed in batches (a LiveTick's records, a read of the twin's log) and may arrive in either
// order; what one side has not logged yet is simply not compared yet. Bounded: the newest
// Capacity sequence numbers are kept.

#include "stats/accesslog.h"
#include "twin/nginxtwinlog.h"

#include <QList>
#include <QSet>

#include <map>
#include <optional>

namespace lbscope {

class TwinComparison
{
public:
    static constexpr int Window = 200; // the summary is over the newest this many pairs
    static constexpr int Capacity = 2000;

    struct Summary
    {
        int compared = 0;    // requests both logged, among the newest Window
        int differences = 0; // of those, how many went to different backends
        QSet<quint64> differingSequences;
        QSet<quint64> differingRecordIds; // LB Scope's AccessRecord::id of each
    };

    // Records without an X-LBScope-Seq (not from the generator's numbered traffic) are skipped.
    void addLbscope(const QList<AccessRecord> &records);
    void addNginx(const QList<NginxTwinRecord> &records);
    void clear();

    Summary summary() const;
    // LB Scope's record of the request with this sequence number; 0 when it has none yet.
    quint64 lbscopeRecordId(quint64 sequence) const;

    static std::optional<quint64> sequenceOf(const AccessRecord &record);
    // The two $upstream_addr values name the same backends in the same order.
    static bool samePicks(QByteArrayView lbscope, QByteArrayView nginx);

private:
    struct Entry
    {
        quint64 recordId = 0;
        std::optional<QByteArray> lbscope;
        std::optional<QByteArray> nginx;
    };

    Entry &entry(quint64 sequence);
    void trim();

    std::map<quint64, Entry> m_entries;
};

} // namespace lbscope
