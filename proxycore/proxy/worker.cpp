#include "proxy/worker.h"

#include "proxy/balancerstateboard.h"
#include "proxy/clientconnection.h"
#include "proxy/keepalivepool.h"
#include "proxy/proxyserver.h"

#include <QDateTime>
#include <QTcpSocket>
#include <QTimerEvent>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int PublishIntervalMs = 50;

} // namespace

Worker::Worker(int index, const Shared &shared, QObject *parent)
    : QObject(parent)
    , m_index(index)
    , m_shared(shared)
{
}

Worker::~Worker()
{
    shutdown();
}

void Worker::adoptLatestTable()
{
    if (m_shared.tables->generation() == m_generation)
        return;
    const std::shared_ptr<const PublishedTable> published = m_shared.tables->latest();
    if (published && published->generation != m_generation)
        adopt(*published);
}

void Worker::adopt(const PublishedTable &published)
{
    QHash<QString, std::shared_ptr<UpstreamRuntime>> previous;
    for (const std::shared_ptr<UpstreamRuntime> &runtime : m_upstreams)
        previous.insert(runtime->name(), runtime);
    m_generation = published.generation;
    m_table = published.table;
    QHash<QString, std::shared_ptr<KeepalivePool>> pools;
    m_upstreams.clear(); // requests in flight hold their own references
    for (qsizetype i = 0; i < m_table->upstreams.size(); ++i) {
        const UpstreamDefinition &definition = m_table->upstreams[i];
        const std::shared_ptr<UpstreamRuntime> before = previous.value(definition.config.name);
        const std::shared_ptr<BalancerState> beforeState = before ? before->state() : nullptr;
        std::shared_ptr<BalancerState> state = published.sharedStates[std::size_t(i)];
        if (!state)
            state = BalancerState::follow(definition, beforeState, false);
        if (!beforeState || beforeState->lineage != state->lineage) {
            // Afresh: no peer is out for failures any more, whatever the counters said.
            for (const PeerList *list : {&state->peers.primary, &state->peers.backup}) {
                for (const Peer &peer : list->peers)
                    counters().peers.at(peer.statsSlot).failedUntil.store(0, std::memory_order_relaxed);
            }
        }
        // Idle connections stay usable across an edit: the pool only holds sockets.
        std::shared_ptr<KeepalivePool> pool = m_pools.value(definition.config.name);
        if (!pool)
            pool = std::make_shared<KeepalivePool>(definition.config.keepalive, definition.config.keepaliveTimeoutMs);
        pool->setLimits(definition.config.keepalive, definition.config.keepaliveTimeoutMs);
        pool->setReuseLimits(definition.config.keepaliveRequests, definition.config.keepaliveTimeMs);
        pools.insert(definition.config.name, pool);
        m_upstreams.push_back(std::make_shared<UpstreamRuntime>(m_table, definition, std::move(state), pool,
                                                                [this] { noteStateChanged(); }));
    }
    m_pools = std::move(pools);
    publishStates(); // at once: a reader sees the new table's state without waiting for traffic
}

void Worker::noteStateChanged()
{
    if (!m_stopped && !m_publishTimer.isActive())
        m_publishTimer.start(PublishIntervalMs, Qt::CoarseTimer, this);
}

void Worker::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_publishTimer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_publishTimer.stop();
    publishStates();
}

void Worker::publishStates()
{
    QList<BalancerStateSnapshot> states;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (const std::shared_ptr<UpstreamRuntime> &runtime : m_upstreams) {
        if (runtime->state()->isShared())
            continue; // one for all workers: the engine reads it under its lock
        BalancerStateSnapshot state = runtime->state()->snapshot(nowMs);
        state.worker = m_index;
        state.generation = m_generation;
        states.append(std::move(state));
    }
    m_shared.states->publish(m_index, std::move(states));
}

void Worker::serveConnection(qintptr descriptor, const QHostAddress &address, quint16 port)
{
    adoptLatestTable();
    const Listener *listener = m_table ? m_table->findListener(address, port) : nullptr;
    if (!listener) { // closed by a reload between accept and now
        QTcpSocket dropped;
        dropped.setSocketDescriptor(descriptor);
        return;
    }
    auto *connection = new ClientConnection(*this, m_table, *listener, this);
    connection->start(descriptor);
}

ProxyServer *Worker::openServerFor(const Listener &listener) const
{
    for (ProxyServer *server : m_servers) {
        if (server->configuredAddress() == listener.address && server->configuredPort() == listener.port)
            return server;
    }
    return nullptr;
}

// Opens what is missing first and closes what the table dropped only when all opened, so a
// failed bind leaves the listeners as they were. Connections on the new sockets wait in
// this thread's queue until the table is published.
QString Worker::listen(const RoutingTable &table, const QList<Worker *> &workers, const std::function<void()> &commit,
                       QList<QPair<QHostAddress, quint16>> *bound)
{
    QList<ProxyServer *> opened;
    for (const Listener &listener : table.listeners) {
        if (openServerFor(listener))
            continue;
        auto *server = new ProxyServer(workers, listener.address, listener.port, this);
        if (!server->listen(listener.address, listener.port)) {
            const QString error = u"bind() to %1:%2 failed (%3)"_s.arg(listener.address.toString())
                                      .arg(listener.port)
                                      .arg(server->errorString());
            delete server;
            qDeleteAll(opened);
            return error;
        }
        opened.append(server);
    }
    commit();
    adoptLatestTable();
    m_servers.removeIf([&table](ProxyServer *server) {
        const bool dropped = !table.findListener(server->configuredAddress(), server->configuredPort());
        if (dropped)
            delete server;
        return dropped;
    });
    m_servers += opened;
    for (const Listener &listener : table.listeners) {
        const ProxyServer *server = openServerFor(listener);
        bound->append({server->serverAddress(), server->serverPort()});
    }
    return {};
}

void Worker::shutdown()
{
    m_stopped = true;
    m_publishTimer.stop();
    qDeleteAll(m_servers);
    m_servers.clear();
    const auto connections = findChildren<ClientConnection *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(connections);
}

} // namespace lbscope
