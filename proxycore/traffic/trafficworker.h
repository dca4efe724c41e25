#pragma once

// The traffic generator's engine room, living in the generator's thread: it schedules the
// plan's requests (all at once up to the concurrency, or request n at start + n / rate),
// hands them to TrafficConnections, keeps idle connections per simulated client, enforces
// the timeout and writes what happened into TrafficResults. Use it through TrafficGenerator.

#include "traffic/trafficconnection.h"
#include "traffic/trafficplan.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QRandomGenerator>
#include <QTimer>

#include <optional>

namespace lbscope {

class TrafficResults;

class TrafficWorker final : public QObject, private TrafficConnection::Owner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficWorker)

public:
    explicit TrafficWorker(TrafficResults *results, QObject *parent = nullptr);
    ~TrafficWorker() override;

    // The plan must be valid, and results begun for it.
    void run(const TrafficPlan &plan, quint64 runId);
    // Sends nothing more and aborts what is in flight, counting it as cancelled.
    void stop();

signals:
    void progressChanged(quint64 runId); // at most every 100 ms while running, and once at the end
    void finished(quint64 runId);

private:
    struct Request
    {
        quint64 sequence = 0;
        int client = 0;
        bool retried = false;
    };

    void pump();
    qint64 dueNs(quint64 sequence) const;
    bool isDue(quint64 sequence) const;
    void armSchedule();
    void dispatch(const Request &request);
    TrafficConnection *connectionFor(int client);
    void release(TrafficConnection *connection, bool reusable);
    void exchangeFinished(TrafficConnection *connection, const TrafficConnection::Outcome &outcome) override;
    void idleConnectionClosed(TrafficConnection *connection) override;
    void record(const Request &request, const TrafficConnection &connection, const TrafficConnection::Outcome &outcome);
    QString backendName(const QByteArray &backend);
    QByteArray requestHead(quint64 sequence);
    void handleTick();
    void expireTimeouts();
    void finishIfDone();
    void finish();

    TrafficResults *m_results;
    TrafficPlan m_plan;
    QList<TrafficPlan::PathPart> m_path;
    QByteArray m_headTail; // the header lines after the request line, without the closing blank line
    QByteArray m_body;
    bool m_headRequest = false;
    std::optional<quint64> m_total;
    int m_concurrency = 1;
    quint64 m_runId = 0;
    QList<QHostAddress> m_clientAddresses;

    QElapsedTimer m_clock;
    QTimer m_schedule; // wakes when the next request of a Rate plan is due
    QTimer m_tick;     // timeouts and batched progress
    QElapsedTimer m_sinceProgress;
    QRandomGenerator m_random;

    quint64 m_next = 0; // the next new request
    QList<Request> m_retries;
    QHash<TrafficConnection *, Request> m_busy;
    QList<TrafficConnection *> m_idle; // longest idle first
    int m_open = 0;
    QHash<QByteArray, QString> m_backendNames; // one shared string per backend
    bool m_running = false;
    bool m_pumping = false;
    bool m_dirty = false;
};

} // namespace lbscope
