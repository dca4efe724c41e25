#pragma once

// The traffic generator: an HTTP/1.1 client that fires a TrafficPlan's requests at a proxy
// (LB Scope itself or a real nginx) from a thread of its own, and reports what happened.
//
// The object lives in the caller's thread (the GUI's) and owns the thread and the worker in
// it. Every function is meant for the owning thread; progress(), resultsAfter() and
// distribution() may be called from any thread. Nothing is signalled per response: poll
// progress() on a timer, or on progressChanged(), which comes at most every 100 ms.

#include "traffic/trafficplan.h"
#include "traffic/trafficresults.h"

#include <QObject>

#include <atomic>
#include <memory>

class QThread;

namespace lbscope {

class TrafficWorker;

class TrafficGenerator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficGenerator)

public:
    explicit TrafficGenerator(QObject *parent = nullptr);
    ~TrafficGenerator() override;

    // Starts a run; false with *error when the plan is invalid or a run is going on. The
    // progress, results and distribution of the previous run are cleared.
    bool start(const TrafficPlan &plan, QString *error);
    // Sends no more requests and aborts those in flight, which count as cancelled. On return
    // the run is over: isRunning() is false, finished() has been emitted and no more signals
    // of the run follow.
    void stop();
    bool isRunning() const { return m_running.load(); }

    TrafficProgress progress() const { return m_results->progress(); }
    // The results recorded after cursor (oldest first, the last 100,000 are kept); returns the
    // new cursor. Start from 0; a cursor stays valid across runs.
    quint64 resultsAfter(quint64 cursor, QList<TrafficResult> *out,
                         qsizetype max = TrafficResults::DefaultCapacity) const
    {
        return m_results->resultsAfter(cursor, out, max);
    }
    // Per backend, over every response of the run.
    QList<BackendShare> distribution() const { return m_results->distribution(); }

signals:
    void progressChanged();
    void finished();

private:
    void handleWorkerProgress(quint64 runId);
    void handleWorkerFinished(quint64 runId);

    std::unique_ptr<TrafficResults> m_results;
    QThread *m_thread = nullptr;
    TrafficWorker *m_worker = nullptr;
    std::atomic<bool> m_running{false};
    quint64 m_runId = 0;
};

} // namespace lbscope
