#include "proxy/engine.h"

#include "demo/demofleet.h"
#include "eventloop/epolleventdispatcher.h"
#include "proxy/routing.h"
#include "proxy/upstreamruntime.h"
#include "proxy/worker.h"

#include <QDateTime>
#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// The workers wait on epoll (eventloop/epolleventdispatcher.h); LBSCOPE_EVENT_DISPATCHER=qt
// keeps Qt's own, to compare the two.
void installWorkerDispatcher(QThread &thread)
{
    if (qEnvironmentVariable("LBSCOPE_EVENT_DISPATCHER") == u"qt"_s)
        return;
    auto dispatcher = std::make_unique<EpollEventDispatcher>();
    if (dispatcher->isValid())
        thread.setEventDispatcher(dispatcher.release());
}

// What a balancer's state means: a change of any of these starts the state afresh.
bool sameMethod(const UpstreamConfig &a, const UpstreamConfig &b)
{
    return a.method == b.method && a.hashKey == b.hashKey && a.hashConsistent == b.hashConsistent &&
           a.randomTwo == b.randomTwo && a.zoneName == b.zoneName;
}

UpstreamServer *findServer(UpstreamConfig &upstream, const QString &address)
{
    for (UpstreamServer &server : upstream.servers) {
        if (server.address == address)
            return &server;
    }
    return nullptr;
}

} // namespace

Engine::Engine(qsizetype accessLogCapacity, QObject *parent)
    : QObject(parent)
    , m_accessLog(accessLogCapacity)
{
}

Engine::~Engine()
{
    stop();
    stopDemoInstances();
}

bool Engine::startDemoInstances(const ProxyConfig &config, QString *error)
{
    stopDemoInstances();
    auto fleet = std::make_unique<DemoFleet>();
    if (!fleet->start(config, error))
        return false;
    m_demo = std::move(fleet);
    return true;
}

void Engine::stopDemoInstances()
{
    m_demo.reset();
}

bool Engine::isRunning() const
{
    const QMutexLocker locker(&m_mutex);
    return m_running;
}

std::shared_ptr<RoutingTable> Engine::compile(const ProxyConfig &config, QString *error)
{
    const auto counterIndex = [this](const QString &upstream, const QByteArray &peer) {
        return m_stats.counterIndex(upstream, peer);
    };
    std::shared_ptr<RoutingTable> table = RoutingTable::build(config, counterIndex, error);
    if (table)
        m_stats.ensureCounters(); // before any worker sees the new indices
    return table;
}

// Numbers the table's upstreams' lineages against the published table and makes the zone
// states, carried over where the lineage goes on. Publishes nothing.
std::shared_ptr<const PublishedTable> Engine::prepare(std::shared_ptr<RoutingTable> table, bool afresh)
{
    const std::shared_ptr<const PublishedTable> previous = m_tables.latest();
    auto published = std::make_shared<PublishedTable>();
    published->generation = previous ? previous->generation + 1 : 1;
    for (UpstreamDefinition &upstream : table->upstreams) {
        const UpstreamDefinition *before = previous ? previous->table->findUpstream(upstream) : nullptr;
        const bool carry = !afresh && before && sameMethod(before->config, upstream.config);
        upstream.lineage = carry ? before->lineage : ++m_lastLineage;
        std::shared_ptr<BalancerState> shared;
        if (!upstream.config.zoneName.isEmpty()) {
            const auto index = before ? before - previous->table->upstreams.constData() : -1;
            shared = BalancerState::follow(upstream, index >= 0 ? previous->sharedStates[std::size_t(index)] : nullptr,
                                           true);
        }
        published->sharedStates.push_back(std::move(shared));
    }
    published->table = std::move(table);
    return published;
}

// On the acceptor worker, which owns the listening sockets; publishes when all opened.
QString Engine::listen(const std::shared_ptr<const PublishedTable> &published,
                       QList<QPair<QHostAddress, quint16>> *bound)
{
    QList<Worker *> workers;
    for (const WorkerThread &thread : m_workers)
        workers.append(thread.worker);
    Worker *acceptor = workers.first();
    QString error;
    QMetaObject::invokeMethod(
        acceptor,
        [&] {
            error = acceptor->listen(
                *published->table, workers, [&] { m_tables.publish(published); }, bound);
        },
        Qt::BlockingQueuedConnection);
    return error;
}

// Idle workers take the new table now rather than at their next request, so their state
// copies show it; nobody waits for them.
void Engine::notifyWorkers()
{
    for (const WorkerThread &thread : m_workers)
        QMetaObject::invokeMethod(thread.worker, &Worker::adoptLatestTable, Qt::QueuedConnection);
}

bool Engine::start(const ProxyConfig &config, QString *error)
{
    const QMutexLocker editLocker(&m_editMutex);
    stopWorkers();
    std::shared_ptr<RoutingTable> table = compile(config, error);
    if (!table)
        return false;
    const int threads = table->workerThreads;
    const std::shared_ptr<const PublishedTable> published = prepare(std::move(table), true);

    const std::vector<WorkerCounters *> counters = m_stats.startCounting(threads);
    m_states.reset(threads);
    for (int i = 0; i < threads; ++i) {
        WorkerThread thread;
        thread.thread = new QThread(this);
        thread.thread->setObjectName(u"lbscope-worker-%1"_s.arg(i));
        installWorkerDispatcher(*thread.thread);
        thread.worker = new Worker(
            i, Worker::Shared{counters[std::size_t(i)], &m_accessLog, &m_tables, &m_states, m_errorLog.get()});
        thread.worker->moveToThread(thread.thread);
        connect(thread.thread, &QThread::finished, thread.worker, &QObject::deleteLater);
        thread.thread->start();
        m_workers.push_back(thread);
    }
    QList<QPair<QHostAddress, quint16>> bound;
    const QString listenError = listen(published, &bound);
    if (!listenError.isEmpty()) {
        *error = listenError;
        stopWorkers();
        return false;
    }
    notifyWorkers();
    const QMutexLocker locker(&m_mutex);
    m_config = config;
    m_bound = bound;
    m_running = true;
    return true;
}

void Engine::setErrorLog(std::shared_ptr<ErrorLog> log)
{
    const QMutexLocker editLocker(&m_editMutex);
    m_errorLog = std::move(log);
}

void Engine::stopGracefully()
{
    const QMutexLocker editLocker(&m_editMutex);
    if (m_workers.empty() || m_workersDraining > 0) {
        if (m_workers.empty()) // after this returns: a slot may call stop(), which takes the lock
            QMetaObject::invokeMethod(this, &Engine::gracefullyStopped, Qt::QueuedConnection);
        return;
    }
    {
        const QMutexLocker locker(&m_mutex);
        m_bound.clear();
    }
    m_workersDraining = int(m_workers.size());
    for (const WorkerThread &thread : m_workers) {
        connect(
            thread.worker, &Worker::drained, this,
            [this] {
                if (--m_workersDraining == 0)
                    emit gracefullyStopped();
            },
            Qt::QueuedConnection);
    }
    // The acceptor first and waited for: once its listeners are closed, every connection it
    // handed on is already queued to its worker, ahead of that worker's stop.
    QMetaObject::invokeMethod(m_workers.front().worker, &Worker::beginGracefulStop, Qt::BlockingQueuedConnection);
    for (std::size_t i = 1; i < m_workers.size(); ++i)
        QMetaObject::invokeMethod(m_workers[i].worker, &Worker::beginGracefulStop, Qt::QueuedConnection);
}

void Engine::stop()
{
    const QMutexLocker editLocker(&m_editMutex);
    stopWorkers();
}

void Engine::stopWorkers()
{
    {
        const QMutexLocker locker(&m_mutex);
        m_running = false;
        m_bound.clear();
    }
    for (WorkerThread &thread : m_workers)
        QMetaObject::invokeMethod(thread.worker, &Worker::shutdown, Qt::BlockingQueuedConnection);
    for (WorkerThread &thread : m_workers) {
        thread.thread->quit();
        thread.thread->wait();
        delete thread.thread;
    }
    m_workers.clear();
    m_workersDraining = 0;
    m_states.reset(0);
    m_stats.stopCounting();
}

// Under m_editMutex. afresh: every upstream's balancer state starts again (a reload).
bool Engine::apply(const ProxyConfig &config, bool afresh, QString *error)
{
    if (m_workers.empty()) {
        *error = u"the proxy is not running"_s;
        return false;
    }
    for (const UpstreamConfig &upstream : config.upstreams) {
        *error = validateUpstream(upstream);
        if (!error->isEmpty())
            return false;
    }
    std::shared_ptr<RoutingTable> table = compile(config, error);
    if (!table)
        return false;
    const std::shared_ptr<const PublishedTable> previous = m_tables.latest();
    const bool sameListeners = table->sameListeners(*previous->table);
    const std::shared_ptr<const PublishedTable> published = prepare(std::move(table), afresh);
    QList<QPair<QHostAddress, quint16>> bound;
    if (sameListeners) {
        m_tables.publish(published);
    } else {
        *error = listen(published, &bound);
        if (!error->isEmpty())
            return false; // the listeners were left as they were, nothing was published
    }
    notifyWorkers();
    const QMutexLocker locker(&m_mutex);
    m_config = config;
    m_config.workerProcesses = int(m_workers.size()); // a thread count change needs a restart
    if (!sameListeners)
        m_bound = bound;
    return true;
}

bool Engine::editUpstream(const QString &upstream, QString *error,
                          const std::function<bool(UpstreamConfig &, QString *)> &change)
{
    {
        const QMutexLocker editLocker(&m_editMutex);
        ProxyConfig config = configuration();
        auto found = std::find_if(config.upstreams.begin(), config.upstreams.end(),
                                  [&](const UpstreamConfig &candidate) { return candidate.name == upstream; });
        if (found == config.upstreams.end()) {
            *error = u"no upstream \"%1\""_s.arg(upstream);
            return false;
        }
        if (!change(*found, error) || !apply(config, false, error))
            return false;
    }
    emit configurationChanged(); // no lock held: a directly connected slot may ask anything
    return true;
}
bool Engine::addServer(const QString &upstream, const UpstreamServer &server, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        if (findServer(config, server.address)) {
            *message = u"upstream \"%1\" already has server \"%2\""_s.arg(upstream, server.address);
            return false;
        }
        config.servers.append(server);
        return true;
    });
}

bool Engine::removeServer(const QString &upstream, const QString &address, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        const auto removed =
            config.servers.removeIf([&](const UpstreamServer &server) { return server.address == address; });
        if (removed == 0)
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
        return removed > 0;
    });
}

bool Engine::updateServer(const QString &upstream, const QString &address, const UpstreamServer &server, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        UpstreamServer *existing = findServer(config, address);
        if (!existing) {
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
            return false;
        }
        if (server.address != address && findServer(config, server.address)) {
            *message = u"upstream \"%1\" already has server \"%2\""_s.arg(upstream, server.address);
            return false;
        }
        *existing = server;
        return true;
    });
}

bool Engine::setDraining(const QString &upstream, const QString &address, bool draining, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *message) {
        UpstreamServer *existing = findServer(config, address);
        if (!existing) {
            *message = u"upstream \"%1\" has no server \"%2\""_s.arg(upstream, address);
            return false;
        }
        existing->draining = draining;
        return true;
    });
}

bool Engine::setMethod(const QString &upstream, BalancingMethod method, const QString &hashKey, bool consistent,
                       bool randomTwo, QString *error)
{
    return editUpstream(upstream, error, [&](UpstreamConfig &config, QString *) {
        config.method = method;
        config.hashKey = method == BalancingMethod::Hash ? hashKey : QString();
        config.hashConsistent = method == BalancingMethod::Hash && consistent;
        config.randomTwo = method == BalancingMethod::Random && randomTwo;
        return true;
    });
}

bool Engine::reload(const ProxyConfig &config, QString *error)
{
    {
        const QMutexLocker editLocker(&m_editMutex);
        if (!apply(config, true, error))
            return false;
    }
    emit configurationChanged(); // no lock held: a directly connected slot may ask anything
    return true;
}

ProxyConfig Engine::configuration() const
{
    const QMutexLocker locker(&m_mutex);
    return m_config;
}

QList<QPair<QHostAddress, quint16>> Engine::listeningAddresses() const
{
    const QMutexLocker locker(&m_mutex);
    return m_bound;
}

StatsSnapshot Engine::snapshot() const
{
    const std::shared_ptr<const PublishedTable> published = m_tables.latest();
    return m_stats.snapshot(published ? published->table.get() : nullptr);
}

void Engine::resetStats()
{
    m_stats.reset();
}

QList<BalancerStateSnapshot> Engine::balancerStates() const
{
    if (!isRunning())
        return {};
    const std::shared_ptr<const PublishedTable> published = m_tables.latest();
    const QList<QList<BalancerStateSnapshot>> perWorker = m_states.states();
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    QList<BalancerStateSnapshot> states;
    for (qsizetype i = 0; i < published->table->upstreams.size(); ++i) {
        if (const std::shared_ptr<BalancerState> &shared = published->sharedStates[std::size_t(i)]) {
            // Read here under the zone's lock, which a pick holds for microseconds.
            BalancerStateSnapshot state = shared->snapshot(nowMs);
            state.generation = published->generation;
            states.append(std::move(state));
            continue;
        }
        const QString &name = published->table->upstreams[i].config.name;
        for (const QList<BalancerStateSnapshot> &worker : perWorker) {
            for (const BalancerStateSnapshot &state : worker) {
                if (state.upstream == name)
                    states.append(state);
            }
        }
    }
    return states;
}

} // namespace lbscope
