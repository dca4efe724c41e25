#include "proxy/engine.h"

#include "proxy/routing.h"
#include "proxy/worker.h"

#include <QThread>

using namespace Qt::StringLiterals;

namespace lbscope {

Engine::Engine(QObject *parent)
    : QObject(parent)
{
}

Engine::~Engine()
{
    stop();
}

bool Engine::start(const ProxyConfig &config, QString *error)
{
    stop();
    m_table = RoutingTable::build(config, error);
    if (!m_table)
        return false;

    // Upstreams with a zone share one balancer state between the workers.
    std::vector<std::shared_ptr<BalancerState>> sharedStates;
    for (const UpstreamDefinition &upstream : m_table->upstreams) {
        sharedStates.push_back(upstream.config.zoneName.isEmpty() ? nullptr
                                                                  : std::make_shared<BalancerState>(upstream, true));
    }

    QList<Worker *> workers;
    for (int i = 0; i < m_table->workerThreads; ++i) {
        WorkerSlot slot;
        slot.counters = std::make_unique<WorkerCounters>(m_table->peerSlots);
        slot.thread = new QThread(this);
        slot.thread->setObjectName(u"lbscope-worker-%1"_s.arg(i));
        slot.worker = new Worker(m_table, sharedStates, slot.counters.get());
        slot.worker->moveToThread(slot.thread);
        connect(slot.thread, &QThread::finished, slot.worker, &QObject::deleteLater);
        slot.thread->start();
        workers.append(slot.worker);
        m_workers.push_back(std::move(slot));
    }

    QString listenError;
    Worker *acceptor = workers.first();
    QMetaObject::invokeMethod(
        acceptor, [&] { listenError = acceptor->listen(workers, &m_bound); }, Qt::BlockingQueuedConnection);
    if (!listenError.isEmpty()) {
        *error = listenError;
        stop();
        return false;
    }
    return true;
}

void Engine::stop()
{
    for (WorkerSlot &slot : m_workers) {
        QMetaObject::invokeMethod(slot.worker, &Worker::shutdown, Qt::BlockingQueuedConnection);
    }
    for (WorkerSlot &slot : m_workers) {
        slot.thread->quit();
        slot.thread->wait();
        delete slot.thread;
    }
    m_workers.clear();
    m_bound.clear();
}

TrafficTotals Engine::totals() const
{
    TrafficTotals totals;
    if (!m_table)
        return totals;
    for (const UpstreamDefinition &upstream : m_table->upstreams) {
        for (const PeerList *list : {&upstream.peers.primary, &upstream.peers.backup}) {
            for (const Peer &peer : list->peers) {
                PeerTotals row;
                row.upstream = upstream.config.name;
                row.peer = peer.name;
                row.backup = list == &upstream.peers.backup;
                for (const WorkerSlot &slot : m_workers) {
                    const PeerCounters &counters = slot.counters->peers[std::size_t(peer.statsSlot)];
                    row.requests += counters.requests.load(std::memory_order_relaxed);
                    row.failures += counters.failures.load(std::memory_order_relaxed);
                    for (std::size_t c = 0; c < row.responses.size(); ++c)
                        row.responses[c] += counters.responses[c].load(std::memory_order_relaxed);
                }
                totals.peers.append(row);
            }
        }
    }
    for (const WorkerSlot &slot : m_workers) {
        totals.requests += slot.counters->requests.load(std::memory_order_relaxed);
        totals.clientErrors += slot.counters->clientErrors.load(std::memory_order_relaxed);
        for (std::size_t c = 0; c < totals.responses.size(); ++c)
            totals.responses[c] += slot.counters->responses[c].load(std::memory_order_relaxed);
    }
    return totals;
}

} // namespace lbscope
