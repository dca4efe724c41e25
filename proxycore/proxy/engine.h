#pragma once

// The proxy engine: owns the worker threads, starts and stops the listeners, and answers
// questions about the traffic from any thread. Nothing here touches a widget.

#include "config/proxyconfig.h"
#include "stats/peercounters.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>

#include <memory>
#include <vector>

class QThread;

namespace lbscope {

struct RoutingTable;
class Worker;

class Engine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    explicit Engine(QObject *parent = nullptr);
    ~Engine() override;

    // Compiles the configuration, starts worker_processes threads and binds every listener.
    // On error nothing is left running and *error says why.
    bool start(const ProxyConfig &config, QString *error);
    void stop();
    bool isRunning() const { return !m_workers.empty(); }

    // The bound listening sockets (a configured port 0 shows the port the system chose).
    QList<QPair<QHostAddress, quint16>> listeningAddresses() const { return m_bound; }
    // Counters added up over the workers; callable from any thread.
    TrafficTotals totals() const;

private:
    struct WorkerSlot
    {
        QThread *thread = nullptr;
        Worker *worker = nullptr;
        std::unique_ptr<WorkerCounters> counters;
    };

    std::shared_ptr<const RoutingTable> m_table;
    std::vector<WorkerSlot> m_workers;
    QList<QPair<QHostAddress, quint16>> m_bound;
};

} // namespace lbscope
