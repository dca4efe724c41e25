#include "traffic/trafficgenerator.h"

#include "traffic/trafficworker.h"

#include <QThread>

using namespace Qt::StringLiterals;

namespace lbscope {

TrafficGenerator::TrafficGenerator(QObject *parent)
    : QObject(parent)
    , m_results(std::make_unique<TrafficResults>())
    , m_thread(new QThread(this))
    , m_worker(new TrafficWorker(m_results.get()))
{
    m_thread->setObjectName(u"lbscope-traffic"_s);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrafficWorker::progressChanged, this, &TrafficGenerator::handleWorkerProgress);
    connect(m_worker, &TrafficWorker::finished, this, &TrafficGenerator::handleWorkerFinished);
    m_thread->start();
}

TrafficGenerator::~TrafficGenerator()
{
    stop();
    m_thread->quit();
    m_thread->wait(); // the worker is deleted in its thread as the thread finishes
}

bool TrafficGenerator::start(const TrafficPlan &plan, QString *error)
{
    QString problem = isRunning() ? u"traffic is already running"_s : plan.validate();
    if (!problem.isEmpty()) {
        if (error)
            *error = std::move(problem);
        return false;
    }
    const quint64 runId = ++m_runId;
    m_results->begin(plan.totalRequests());
    m_running = true;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, plan, runId] { worker->run(plan, runId); }, Qt::QueuedConnection);
    return true;
}

void TrafficGenerator::stop()
{
    if (!isRunning())
        return;
    QMetaObject::invokeMethod(m_worker, &TrafficWorker::stop, Qt::BlockingQueuedConnection);
    m_running = false;
    emit finished();
}

// Signals queued before a stop() or a new start() belong to a run that is over.
void TrafficGenerator::handleWorkerProgress(quint64 runId)
{
    if (runId == m_runId && isRunning())
        emit progressChanged();
}

// Only the current run's end counts: a run that stop() ended has been reported already.
void TrafficGenerator::handleWorkerFinished(quint64 runId)
{
    if (runId != m_runId || !isRunning())
        return;
    m_running = false;
    emit finished();
}

} // namespace lbscope
