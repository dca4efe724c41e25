#pragma once

// One engine thread, like one nginx worker process: it serves the connections handed to it
// and keeps its own balancer state and keepalive pools for every upstream. It takes the
// engine's newest routing table at the start of each request (an edit, a reload), carrying
// over the balancer state of what the edit did not touch; a request in flight keeps the
// table and upstream runtime it started with until it ends.

#include "proxy/routing.h"
#include "proxy/tableboard.h"
#include "proxy/upstreamruntime.h"
#include "stats/accesslog.h"
#include "stats/peercounters.h"

#include <QBasicTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace lbscope {

class BalancerStateBoard;
class ErrorLog;
class KeepalivePool;
class ProxyServer;

class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    struct Shared
    {
        WorkerCounters *counters = nullptr;
        AccessLog *accessLog = nullptr;
        const TableBoard *tables = nullptr;
        BalancerStateBoard *states = nullptr;
        ErrorLog *errorLog = nullptr; // may be null: no error log
    };
    Worker(int index, const Shared &shared, QObject *parent = nullptr);
    ~Worker() override;

    int index() const { return m_index; }
    const std::shared_ptr<const RoutingTable> &routingTable() const { return m_table; }
    const std::shared_ptr<UpstreamRuntime> &upstream(int index) const { return m_upstreams[std::size_t(index)]; }
    WorkerCounters &counters() { return *m_shared.counters; }
    AccessLog &accessLog() { return *m_shared.accessLog; }
    ErrorLog *errorLog() const { return m_shared.errorLog; }

    // All of these run in this worker's thread.
    // Takes the newest published table when there is one; cheap when there is none.
    void adoptLatestTable();
    void serveConnection(qintptr descriptor, const QHostAddress &address, quint16 port);
    // Opens listening sockets for table's listeners that are not open yet; when all opened,
    // runs commit (which publishes table), takes it and closes the listeners it no longer
    // has. They hand connections to `workers`. On error nothing changed.
    QString listen(const RoutingTable &table, const QList<Worker *> &workers, const std::function<void()> &commit,
                   QList<QPair<QHostAddress, quint16>> *bound);
    void shutdown();
    // nginx's graceful shutdown (SIGQUIT): this worker's listeners close, idle connections
    // close, requests in flight finish and their connections close; then drained().
    void beginGracefulStop();
    bool stoppingGracefully() const { return m_stoppingGracefully; }

signals:
    void drained();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void adopt(const PublishedTable &published);
    void noteStateChanged();
    void publishStates();
    ProxyServer *openServerFor(const Listener &listener) const;
    void connectionEnded();

    int m_index;
    Shared m_shared;
    quint64 m_generation = 0;
    std::shared_ptr<const RoutingTable> m_table;
    std::vector<std::shared_ptr<UpstreamRuntime>> m_upstreams;
    QHash<QString, std::shared_ptr<KeepalivePool>> m_pools; // by upstream name, kept across tables
    QList<ProxyServer *> m_servers;
    QBasicTimer m_publishTimer; // runs while a state change waits to be published
    bool m_stopped = false;
    bool m_stoppingGracefully = false;
    int m_connections = 0; // ClientConnections alive
};

} // namespace lbscope
