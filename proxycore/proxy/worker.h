#pragma once

// One engine thread, like one nginx worker process: it serves the connections handed to it
// and keeps its own balancer state and keepalive pools for every upstream. A new routing
// table (an edit, a reload) applies to the requests that start after it; a request in
// flight keeps the table and upstream state it started with until it ends.

#include "proxy/routing.h"
#include "proxy/upstreamruntime.h"
#include "stats/accesslog.h"
#include "stats/peercounters.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <memory>
#include <vector>

namespace lbscope {

class KeepalivePool;
class ProxyServer;

using SharedStates = std::vector<std::shared_ptr<BalancerState>>;

class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    Worker(WorkerCounters *counters, AccessLog *accessLog, QObject *parent = nullptr);
    ~Worker() override;

    const std::shared_ptr<const RoutingTable> &routingTable() const { return m_table; }
    const std::shared_ptr<UpstreamRuntime> &upstream(int index) const { return m_upstreams[std::size_t(index)]; }
    WorkerCounters &counters() { return *m_counters; }
    AccessLog &accessLog() { return *m_accessLog; }

    // All of these run in this worker's thread.
    void serveConnection(qintptr descriptor, const QHostAddress &address, quint16 port);
    // Opens listening sockets for the table's listeners that are not open yet and closes
    // those the table no longer has; they hand connections to `workers`.
    QString listen(const QList<Worker *> &workers, QList<QPair<QHostAddress, quint16>> *bound);
    // sharedStates holds, per upstream, the state all workers share (a zone), or null.
    void applyTable(std::shared_ptr<const RoutingTable> table, const SharedStates &sharedStates);
    void shutdown();

private:
    ProxyServer *openServerFor(const Listener &listener) const;

    std::shared_ptr<const RoutingTable> m_table;
    std::vector<std::shared_ptr<UpstreamRuntime>> m_upstreams;
    QHash<QString, std::shared_ptr<KeepalivePool>> m_pools; // by upstream name, kept across tables
    WorkerCounters *m_counters;
    AccessLog *m_accessLog;
    QList<ProxyServer *> m_servers;
};

} // namespace lbscope
