#pragma once

// One engine thread, like one nginx worker process: it serves the connections handed to it
// and keeps its own balancer state and keepalive pools for every upstream.

#include "proxy/routing.h"
#include "proxy/upstreamruntime.h"
#include "stats/peercounters.h"

#include <QHostAddress>
#include <QObject>

#include <memory>
#include <vector>

namespace lbscope {

class ProxyServer;

class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    // sharedStates holds, per upstream, the state all workers share (a zone), or null.
    Worker(std::shared_ptr<const RoutingTable> table, const std::vector<std::shared_ptr<BalancerState>> &sharedStates,
           WorkerCounters *counters, QObject *parent = nullptr);
    ~Worker() override;

    const RoutingTable &routingTable() const { return *m_table; }
    UpstreamRuntime &upstream(int index) { return *m_upstreams[std::size_t(index)]; }
    WorkerCounters &counters() { return *m_counters; }

    // Called in this worker's thread.
    void serveConnection(qintptr descriptor, int listenerIndex);
    // Opens the listening sockets in this thread; they hand connections to `workers`.
    QString listen(const QList<Worker *> &workers, QList<QPair<QHostAddress, quint16>> *bound);
    void shutdown();

private:
    std::shared_ptr<const RoutingTable> m_table;
    std::vector<std::unique_ptr<UpstreamRuntime>> m_upstreams;
    WorkerCounters *m_counters;
    QList<ProxyServer *> m_servers;
};

} // namespace lbscope
