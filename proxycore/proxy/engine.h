#pragma once

// The proxy engine: owns the worker threads, starts and stops the listeners, applies edits
// and reloads, and answers questions about the traffic. Every public function may be called
// from any thread except the engine's own workers. Nothing here touches a widget.
//
// Edits are serialized by a lock of their own and never hold the lock the readers
// (configuration, snapshot, balancerStates) take: an edit compiles and resolves first, then
// publishes the new table, which every worker takes at the start of its next request. Only a
// reload that opens or closes listeners waits for a worker (the one that owns them).

#include "balancing/balancerstatesnapshot.h"
#include "config/proxyconfig.h"
#include "proxy/balancerstateboard.h"
#include "proxy/statscollector.h"
#include "proxy/tableboard.h"
#include "stats/accesslog.h"
#include "stats/statssnapshot.h"

#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>

#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace lbscope {

struct RoutingTable;
class DemoFleet;
class ErrorLog;
class Worker;

class Engine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    // accessLogCapacity: how many request records the access log ring keeps.
    explicit Engine(qsizetype accessLogCapacity = 100'000, QObject *parent = nullptr);
    ~Engine() override;

    // Compiles the configuration, starts worker_processes threads and binds every listener.
    // On error nothing is left running and *error says why.
    bool start(const ProxyConfig &config, QString *error);
    void stop();
    // nginx's graceful stop (SIGQUIT): the listeners close at once, idle connections close,
    // requests in flight finish; then gracefullyStopped(), after which stop() ends the rest.
    void stopGracefully();
    bool isRunning() const;
    // Where the workers write upstream errors (nginx's "connect() failed ... while connecting
    // to upstream"); set before start(). The log must outlive the engine's run.
    void setErrorLog(std::shared_ptr<ErrorLog> log);

    // Live changes. Each applies to requests that start after it returns; requests in
    // flight finish on the peer they have. An invalid change is refused with *error and
    // changes nothing. Counters of servers that still exist go on. Balancer state is kept
    // for everything an edit does not touch: other upstreams entirely, and in the edited one
    // every peer's weights in play, fails and active connections (an edited peer's weights
    // start afresh when its weight changed). A method switch starts that upstream afresh.
    bool addServer(const QString &upstream, const UpstreamServer &server, QString *error);
    bool removeServer(const QString &upstream, const QString &address, QString *error);
    bool updateServer(const QString &upstream, const QString &address, const UpstreamServer &server, QString *error);
    bool setDraining(const QString &upstream, const QString &address, bool draining, QString *error);
    bool setMethod(const QString &upstream, BalancingMethod method, const QString &hashKey, bool consistent,
                   bool randomTwo, QString *error);
    // Like nginx -s reload: a new configuration; balancer state starts afresh.
    bool reload(const ProxyConfig &config, QString *error);

    ProxyConfig configuration() const;
    // The bound listening sockets (a configured port 0 shows the port the system chose).
    QList<QPair<QHostAddress, quint16>> listeningAddresses() const;
    // Every counter of the proxy and of the current configuration's peers, added up over
    // the workers since start or the last reset; well under a millisecond.
    StatsSnapshot snapshot() const;
    // Counting starts again from zero; the proxy keeps running.
    void resetStats();
    // The few numbers of the snapshot a summary needs.
    TrafficTotals totals() const { return TrafficTotals::from(snapshot()); }
    // The balancer state of every upstream of the current table as the balancer sees it:
    // one entry per worker thread, or one for all with a `zone`. A worker's copy is at most
    // 50 ms old; never waits for a worker. Empty when the proxy is not running.
    QList<BalancerStateSnapshot> balancerStates() const;
    // One record per request, newest last; read it by cursor (thread-safe).
    const AccessLog &accessLog() const { return m_accessLog; }

    // The built-in demo web apps on the configuration's loopback upstream addresses, in a
    // thread of their own; their logs are readable here.
    bool startDemoInstances(const ProxyConfig &config, QString *error);
    void stopDemoInstances();
    const DemoFleet *demoInstances() const { return m_demo.get(); }
    DemoFleet *demoInstances() { return m_demo.get(); } // its commands are thread-safe

signals:
    void configurationChanged();
    void gracefullyStopped();

private:
    struct WorkerThread
    {
        QThread *thread = nullptr;
        Worker *worker = nullptr;
    };

    bool apply(const ProxyConfig &config, bool afresh, QString *error);
    bool editUpstream(const QString &upstream, QString *error,
                      const std::function<bool(UpstreamConfig &, QString *)> &change);
    std::shared_ptr<RoutingTable> compile(const ProxyConfig &config, QString *error);
    std::shared_ptr<const PublishedTable> prepare(std::shared_ptr<RoutingTable> table, bool afresh);
    QString listen(const std::shared_ptr<const PublishedTable> &published, QList<QPair<QHostAddress, quint16>> *bound);
    void notifyWorkers();
    void stopWorkers();

    mutable QMutex m_editMutex; // serializes start, stop, edits and reloads; no reader takes it
    mutable QMutex m_mutex;     // guards the values below it, held only to copy them
    ProxyConfig m_config;
    QList<QPair<QHostAddress, quint16>> m_bound;
    bool m_running = false;

    std::vector<WorkerThread> m_workers; // under m_editMutex
    quint64 m_lastLineage = 0;           // under m_editMutex
    TableBoard m_tables;
    BalancerStateBoard m_states;
    StatsCollector m_stats;
    AccessLog m_accessLog;
    std::unique_ptr<DemoFleet> m_demo;
    std::shared_ptr<ErrorLog> m_errorLog;
    int m_workersDraining = 0; // a graceful stop waits for this many
};

} // namespace lbscope
