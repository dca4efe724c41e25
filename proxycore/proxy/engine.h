#pragma once

// The proxy engine: owns the worker threads, starts and stops the listeners, applies edits
// and reloads, and answers questions about the traffic. Every public function may be called
// from any thread except the engine's own workers. Nothing here touches a widget.

#include "config/proxyconfig.h"
#include "stats/accesslog.h"
#include "stats/peercounters.h"
#include "stats/statssnapshot.h"

#include <QHash>
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
    bool isRunning() const;

    // Live changes. Each applies to requests that start after it returns; requests in
    // flight finish on the peer they have. An invalid change is refused with *error and
    // changes nothing. Counters of servers that still exist go on.
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

private:
    struct WorkerSlot
    {
        QThread *thread = nullptr;
        Worker *worker = nullptr;
        std::unique_ptr<WorkerCounters> counters;
    };

    bool apply(const ProxyConfig &config, QString *error);
    bool editUpstream(const QString &upstream, QString *error,
                      const std::function<bool(UpstreamConfig &, QString *)> &change);
    void applyTableToWorkers(const std::shared_ptr<const RoutingTable> &table);
    int slotFor(const QString &upstream, const QByteArray &peer);
    void stopLocked();

    mutable QMutex m_mutex;
    ProxyConfig m_config;
    std::shared_ptr<const RoutingTable> m_table;
    std::vector<WorkerSlot> m_workers;
    QList<QPair<QHostAddress, quint16>> m_bound;
    QHash<QString, int> m_slots; // "upstream\npeer" -> counters slot, for the engine's life
    AccessLog m_accessLog;
    std::unique_ptr<DemoFleet> m_demo;
    // What the counters said at the last reset; a snapshot subtracts it.
    qint64 m_sinceMs = 0;
    ProxyCounts m_proxyBaseline;
    QHash<int, PeerCounts> m_peerBaseline;

    PeerCounts peerCounts(int slot) const;
    ProxyCounts proxyCounts() const;
};

} // namespace lbscope
