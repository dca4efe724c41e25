#include "proxy/engine.h"

#include "demo/demofleet.h"
#include "proxy/routing.h"
#include "proxy/worker.h"

#include <QDateTime>
#include <QThread>

#include <numeric>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// Upstreams with a zone share one balancer state between the workers.
SharedStates makeSharedStates(const RoutingTable &table)
{
    SharedStates states;
    for (const UpstreamDefinition &upstream : table.upstreams) {
        states.push_back(upstream.config.zoneName.isEmpty() ? nullptr
                                                            : std::make_shared<BalancerState>(upstream, true));
    }
    return states;
}

UpstreamServer *findServer(UpstreamConfig &upstream, const QString &address)
{
    for (UpstreamServer &server : upstream.servers) {
        if (server.address == address)
            return &server;
    }
    return nullptr;
}

} // namespace

Engine::Engine(qsizetype accessLogCapacity, QObject *parent)
    : QObject(parent)
    , m_accessLog(accessLogCapacity)
{
}

Engine::~Engine()
{
    stop();
    stopDemoInstances();
}

bool Engine::startDemoInstances(const ProxyConfig &config, QString *error)
{
    stopDemoInstances();
    auto fleet = std::make_unique<DemoFleet>();
    if (!fleet->start(config, error))
        return false;
    m_demo = std::move(fleet);
    return true;
}

void Engine::stopDemoInstances()
{
    m_demo.reset();
}

bool Engine::isRunning() const
{
    const QMutexLocker locker(&m_mutex);
    return !m_workers.empty();
}

bool Engine::start(const ProxyConfig &config, QString *error)
{
    const QMutexLocker locker(&m_mutex);
    stopLocked();
    const auto slotFor = [this](const QString &upstream, const QByteArray &peer) {
        return this->slotFor(upstream, peer);
    };
    m_table = RoutingTable::build(config, slotFor, error);
    if (!m_table)
        return false;
    m_config = config;
    m_sinceMs = QDateTime::currentMSecsSinceEpoch();
    m_proxyBaseline = {};
    m_peerBaseline.clear();

    QList<Worker *> workers;
    for (int i = 0; i < m_table->workerThreads; ++i) {
        WorkerSlot slot;
        slot.counters = std::make_unique<WorkerCounters>();
        slot.counters->peers.ensure(int(m_slots.size()));
        slot.thread = new QThread(this);
        slot.thread->setObjectName(u"lbscope-worker-%1"_s.arg(i));
        slot.worker = new Worker(slot.counters.get(), &m_accessLog);
        slot.worker->moveToThread(slot.thread);
        connect(slot.thread, &QThread::finished, slot.worker, &QObject::deleteLater);
        slot.thread->start();
        workers.append(slot.worker);
        m_workers.push_back(std::move(slot));
    }
    applyTableToWorkers(m_table);

    QString listenError;
    Worker *acceptor = workers.first();
    QMetaObject::invokeMethod(
        acceptor, [&] { listenError = acceptor->listen(workers, &m_bound); }, Qt::BlockingQueuedConnection);
    if (!listenError.isEmpty()) {
        *error = listenError;
        stopLocked();
        return false;
    }
    return true;
}

void Engine::stop()
{
    const QMutexLocker locker(&m_mutex);
    stopLocked();
}

void Engine::stopLocked()
{
    for (WorkerSlot &slot : m_workers)
        QMetaObject::invokeMethod(slot.worker, &Worker::shutdown, Qt::BlockingQueuedConnection);
    for (WorkerSlot &slot : m_workers) {
        slot.thread->quit();
        slot.thread->wait();
        delete slot.thread;
    }
    m_workers.clear();
    m_bound.clear();
}

int Engine::slotFor(const QString &upstream, const QByteArray &peer)
{
    const QString key = upstream + u'\n' + QString::fromLatin1(peer);
    const auto found = m_slots.constFind(key);
    if (found != m_slots.cend())
        return *found;
    const int slot = int(m_slots.size());
    m_slots.insert(key, slot);
    return slot;
}

void Engine::applyTableToWorkers(const std::shared_ptr<const RoutingTable> &table)
{
    const SharedStates states = makeSharedStates(*table);
    for (WorkerSlot &slot : m_workers) {
        slot.counters->peers.ensure(int(m_slots.size()));
        Worker *worker = slot.worker;
        QMetaObject::invokeMethod(
            worker, [worker, table, states] { worker->applyTable(table, states); }, Qt::BlockingQueuedConnection);
    }
}

bool Engine::apply(const ProxyConfig &config, QString *error)
{
    if (m_workers.empty()) {
        *error = u"the proxy is not running"_s;
        return false;
    }
    for (const UpstreamConfig &upstream : config.upstreams) {
        *error = validateUpstream(upstream);
        if (!error->isEmpty())
            return false;
    }
    const auto slotFor = [this](const QString &upstream, const QByteArray &peer) {
        return this->slotFor(upstream, peer);
    };
    const std::shared_ptr<const RoutingTable> table = RoutingTable::build(config, slotFor, error);
    if (!table)
        return false;

    const std::shared_ptr<const RoutingTable> previous = m_table;
    applyTableToWorkers(table);
    QList<Worker *> workers;
    for (const WorkerSlot &slot : m_workers)
        workers.append(slot.worker);
    QList<QPair<QHostAddress, quint16>> bound;
    QString listenError;
    Worker *acceptor = workers.first();
    QMetaObject::invokeMethod(
        acceptor, [&] { listenError = acceptor->listen(workers, &bound); }, Qt::BlockingQueuedConnection);
    if (!listenError.isEmpty()) {
        applyTableToWorkers(previous); // the listeners were left as they were: nothing half-applied
        *error = listenError;
        return false;
    }
    m_table = table;
    m_config = config;
    m_config.workerProcesses = int(m_workers.size()); // a thread count change needs a restart
    m_bound = bound;
    emit configurationChanged();
    return true;
}

bool Engine::editUpstream(const QString &upstream, QString *error,
                          const std::function<bool(UpstreamConfig &, QString *)> &change)
{
    const QMutexLocker locker(&m_mutex);
    ProxyConfig config = m_config;
    auto found = std::find_if(config.upstreams.begin(), config.upstreams.end(),
                              [&](const UpstreamConfig &candidate) { return candidate.name == upstream; });
    if (found == config.upstreams.end()) {
        *error = u"no upstream \"%1\""_s.arg(upstream);
        return false;
    }
    if (!change(*found, error))
        return false;
    return apply(config, error);
}

bool Engine::addServer(const QString &upstream, const UpstreamServer &server, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        if (findServer(config, server.address)) {
            *message = u"upstream \"%1\" already has server \"%2\""_s.arg(upstream, server.address);
            return false;
        }
        config.servers.append(server);
        return true;
    });
}

bool Engine::removeServer(const QString &upstream, const QString &address, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        const auto removed =
            config.servers.removeIf([&](const UpstreamServer &server) { return server.address == address; });
        if (removed == 0)
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
        return removed > 0;
    });
}

bool Engine::updateServer(const QString &upstream, const QString &address, const UpstreamServer &server, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        UpstreamServer *existing = findServer(config, address);
        if (!existing) {
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
            return false;
        }
        if (server.address != address && findServer(config, server.address)) {
            *message = u"upstream \"%1\" already has server \"%2\""_s.arg(upstream, server.address);
            return false;
        }
        *existing = server;
        return true;
    });
}

bool Engine::setDraining(const QString &upstream, const QString &address, bool draining, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        UpstreamServer *existing = findServer(config, address);
        if (!existing) {
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
            return false;
        }
        existing->draining = draining;
        return true;
    });
}

bool Engine::setMethod(const QString &upstream, BalancingMethod method, const QString &hashKey, bool consistent,
                       bool randomTwo, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *) {
        config.method = method;
        config.hashKey = method == BalancingMethod::Hash ? hashKey : QString();
        config.hashConsistent = method == BalancingMethod::Hash && consistent;
        config.randomTwo = method == BalancingMethod::Random && randomTwo;
        return true;
    });
}

bool Engine::reload(const ProxyConfig &config, QString *error)
{
    const QMutexLocker locker(&m_mutex);
    return apply(config, error);
}

ProxyConfig Engine::configuration() const
{
    const QMutexLocker locker(&m_mutex);
    return m_config;
}

QList<QPair<QHostAddress, quint16>> Engine::listeningAddresses() const
{
    const QMutexLocker locker(&m_mutex);
    return m_bound;
}

PeerCounts Engine::peerCounts(int slot) const
{
    PeerCounts counts;
    for (const WorkerSlot &worker : m_workers)
        counts.add(worker.counters->peers.at(slot));
    return counts;
}

ProxyCounts Engine::proxyCounts() const
{
    ProxyCounts counts;
    for (const WorkerSlot &worker : m_workers)
        counts.add(*worker.counters);
    return counts;
}

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

StatsSnapshot Engine::snapshot() const
{
    const QMutexLocker locker(&m_mutex);
    StatsSnapshot snapshot;
    snapshot.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    snapshot.sinceMs = m_sinceMs;
    if (!m_table)
        return snapshot;
    const qint64 nowSecs = snapshot.takenAtMs / 1000;
    const qint64 sinceSecs = m_sinceMs / 1000;
    snapshot.proxy = proxyCounts();
    snapshot.proxy.subtract(m_proxyBaseline);
    for (const WorkerSlot &worker : m_workers)
        worker.counters->rate.addTo(snapshot.rate, nowSecs, sinceSecs);
    snapshot.rate.resize(RateSeries::Seconds);

    for (const UpstreamDefinition &upstream : m_table->upstreams) {
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
                for (const WorkerSlot &worker : m_workers)
                    worker.counters->peers.at(peer.statsSlot).rate.addTo(row.rate, nowSecs, sinceSecs);
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

void Engine::resetStats()
{
    const QMutexLocker locker(&m_mutex);
    m_sinceMs = QDateTime::currentMSecsSinceEpoch();
    m_proxyBaseline = proxyCounts();
    m_peerBaseline.clear();
    for (int slot : std::as_const(m_slots))
        m_peerBaseline.insert(slot, peerCounts(slot));
}

} // namespace lbscope
