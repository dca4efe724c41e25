#include "proxy/statscollector.h"

#include "proxy/routing.h"

#include <QDateTime>

#include <numeric>

namespace lbscope {

namespace {

PeerState stateOf(const UpstreamServer &server, const PeerSnapshot &peer, qint64 nowSecs)
{
    if (server.down)
        return PeerState::Down;
    if (server.draining)
        return PeerState::Draining;
    if (peer.counts.failedUntil >= nowSecs)
        return PeerState::Failed;
    if (!server.backup)
        return PeerState::Up;
    // A backup is "in use" while it serves: requests in flight or in the last few seconds.
    const auto recent = std::accumulate(peer.rate.cend() - 5, peer.rate.cend(), quint64(0));
    return (peer.counts.active > 0 || recent > 0) ? PeerState::BackupInUse : PeerState::Backup;
}

} // namespace

int StatsCollector::counterIndex(const QString &upstream, const QByteArray &peer)
{
    const QString key = upstream + u'\n' + QString::fromLatin1(peer);
    const QMutexLocker locker(&m_mutex);
    const auto found = m_index.constFind(key);
    if (found != m_index.cend())
        return *found;
    const int index = int(m_index.size());
    m_index.insert(key, index);
    return index;
}

void StatsCollector::ensureCounters()
{
    const QMutexLocker locker(&m_mutex);
    for (const auto &counters : m_counters)
        counters->peers.ensure(int(m_index.size()));
}

std::vector<WorkerCounters *> StatsCollector::startCounting(int workers)
{
    const QMutexLocker locker(&m_mutex);
    m_counters.clear();
    std::vector<WorkerCounters *> counters;
    for (int i = 0; i < workers; ++i) {
        m_counters.push_back(std::make_unique<WorkerCounters>());
        m_counters.back()->peers.ensure(int(m_index.size()));
        counters.push_back(m_counters.back().get());
    }
    m_sinceMs = QDateTime::currentMSecsSinceEpoch();
    m_proxyBaseline = {};
    m_peerBaseline.clear();
    return counters;
}

void StatsCollector::stopCounting()
{
    const QMutexLocker locker(&m_mutex);
    m_counters.clear();
}

PeerCounts StatsCollector::peerCounts(int index) const
{
    PeerCounts counts;
    for (const auto &worker : m_counters)
        counts.add(worker->peers.at(index));
    return counts;
}

ProxyCounts StatsCollector::proxyCounts() const
{
    ProxyCounts counts;
    for (const auto &worker : m_counters)
        counts.add(*worker);
    return counts;
}

StatsSnapshot StatsCollector::snapshot(const RoutingTable *table) const
{
    const QMutexLocker locker(&m_mutex);
    StatsSnapshot snapshot;
    snapshot.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    snapshot.sinceMs = m_sinceMs;
    if (!table)
        return snapshot;
    const qint64 nowSecs = snapshot.takenAtMs / 1000;
    const qint64 sinceSecs = m_sinceMs / 1000;
    snapshot.proxy = proxyCounts();
    snapshot.proxy.subtract(m_proxyBaseline);
    for (const auto &worker : m_counters)
        worker->rate.addTo(snapshot.rate, nowSecs, sinceSecs);
    snapshot.rate.resize(RateSeries::Seconds);

    for (const UpstreamDefinition &upstream : table->upstreams) {
        UpstreamSnapshot up{upstream.config.name, upstream.config.method, methodText(upstream.config), {}};
        for (const PeerList *list : {&upstream.peers.primary, &upstream.peers.backup}) {
            for (const Peer &peer : list->peers) {
                PeerSnapshot row;
                row.upstream = upstream.config.name;
                row.peer = peer.name;
                row.server = peer.serverText;
                row.weight = peer.weight;
                row.backup = list == &upstream.peers.backup;
                row.counts = peerCounts(peer.statsSlot);
                row.counts.subtract(m_peerBaseline.value(peer.statsSlot));
                row.rate.resize(RateSeries::Seconds);
                for (const auto &worker : m_counters)
                    worker->peers.at(peer.statsSlot).rate.addTo(row.rate, nowSecs, sinceSecs);
                const auto server = std::find_if(upstream.config.servers.cbegin(), upstream.config.servers.cend(),
                                                 [&](const UpstreamServer &s) { return s.address == peer.serverText; });
                row.state = server != upstream.config.servers.cend() ? stateOf(*server, row, nowSecs) : PeerState::Up;
                up.peers.append(row);
            }
        }
        snapshot.upstreams.append(up);
    }
    return snapshot;
}

void StatsCollector::reset()
{
    const QMutexLocker locker(&m_mutex);
    m_sinceMs = QDateTime::currentMSecsSinceEpoch();
    m_proxyBaseline = proxyCounts();
    m_peerBaseline.clear();
    for (int index : std::as_const(m_index))
        m_peerBaseline.insert(index, peerCounts(index));
}

} // namespace lbscope
