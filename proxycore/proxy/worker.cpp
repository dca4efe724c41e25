#include "proxy/worker.h"

#include "proxy/clientconnection.h"
#include "proxy/keepalivepool.h"
#include "proxy/proxyserver.h"

#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace lbscope {

Worker::Worker(WorkerCounters *counters, AccessLog *accessLog, QObject *parent)
    : QObject(parent)
    , m_counters(counters)
    , m_accessLog(accessLog)
{
}

Worker::~Worker()
{
    shutdown();
}

void Worker::applyTable(std::shared_ptr<const RoutingTable> table, const SharedStates &sharedStates)
{
    m_table = std::move(table);
    QHash<QString, std::shared_ptr<KeepalivePool>> pools;
    m_upstreams.clear(); // requests in flight hold their own references
    for (qsizetype i = 0; i < m_table->upstreams.size(); ++i) {
        const UpstreamDefinition &definition = m_table->upstreams[i];
        std::shared_ptr<BalancerState> state = sharedStates[std::size_t(i)];
        if (!state)
            state = std::make_shared<BalancerState>(definition, false);
        // Idle connections stay usable across an edit: the pool only holds sockets.
        std::shared_ptr<KeepalivePool> pool = m_pools.value(definition.config.name);
        if (!pool)
            pool = std::make_shared<KeepalivePool>(definition.config.keepalive, definition.config.keepaliveTimeoutMs);
        pool->setLimits(definition.config.keepalive, definition.config.keepaliveTimeoutMs);
        pools.insert(definition.config.name, pool);
        m_upstreams.push_back(std::make_shared<UpstreamRuntime>(m_table, definition, std::move(state), pool));
    }
    m_pools = std::move(pools);
}

void Worker::serveConnection(qintptr descriptor, const QHostAddress &address, quint16 port)
{
    const Listener *listener = m_table->findListener(address, port);
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
// failed bind leaves the listeners as they were.
QString Worker::listen(const QList<Worker *> &workers, QList<QPair<QHostAddress, quint16>> *bound)
{
    QList<ProxyServer *> opened;
    for (const Listener &listener : m_table->listeners) {
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
    m_servers.removeIf([this](ProxyServer *server) {
        const bool dropped = !m_table->findListener(server->configuredAddress(), server->configuredPort());
        if (dropped)
            delete server;
        return dropped;
    });
    m_servers += opened;
    for (const Listener &listener : m_table->listeners) {
        const ProxyServer *server = openServerFor(listener);
        bound->append({server->serverAddress(), server->serverPort()});
    }
    return {};
}

void Worker::shutdown()
{
    qDeleteAll(m_servers);
    m_servers.clear();
    const auto connections = findChildren<ClientConnection *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(connections);
}

} // namespace lbscope
