#pragma once

// The engine's counters: one WorkerCounters per worker thread (each written only by its
// worker), the index of every (upstream, peer) pair into them, and the baseline of the last
// reset. Adds the workers up into a StatsSnapshot for any reader thread, under a lock of
// its own that no edit and no worker round trip holds.

#include "stats/peercounters.h"
#include "stats/statssnapshot.h"

#include <QHash>
#include <QMutex>

#include <memory>
#include <vector>

namespace lbscope {

struct RoutingTable;

class StatsCollector
{
public:
    StatsCollector() = default;
    Q_DISABLE_COPY_MOVE(StatsCollector)

    // The counters index of (upstream, peer): the same pair keeps it for the collector's
    // life, so its counters go on across edits and reloads.
    int counterIndex(const QString &upstream, const QByteArray &peer);
    // Makes every index handed out so far usable; before a table with new ones reaches the
    // workers.
    void ensureCounters();
    // Counters for `workers` threads, counting from zero; they stay valid until stopCounting.
    std::vector<WorkerCounters *> startCounting(int workers);
    // After the workers stopped.
    void stopCounting();

    // Every counter of the proxy and of table's peers, added up over the workers since the
    // start or the last reset.
    StatsSnapshot snapshot(const RoutingTable *table) const;
    // Counting starts again from zero.
    void reset();

private:
    PeerCounts peerCounts(int index) const;
    ProxyCounts proxyCounts() const;

    mutable QMutex m_mutex;
    std::vector<std::unique_ptr<WorkerCounters>> m_counters;
    QHash<QString, int> m_index; // "upstream\npeer" -> counters index
    // What the counters said at the last reset; a snapshot subtracts it.
    qint64 m_sinceMs = 0;
    ProxyCounts m_proxyBaseline;
    QHash<int, PeerCounts> m_peerBaseline;
};

} // namespace lbscope
