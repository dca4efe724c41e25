#include "proxy/worker.h"

#include "proxy/clientconnection.h"
#include "proxy/keepalivepool.h"
#include "proxy/proxyserver.h"

using namespace Qt::StringLiterals;

namespace lbscope {

Worker::Worker(std::shared_ptr<const RoutingTable> table, const std::vector<std::shared_ptr<BalancerState>> &sharedStates,
               WorkerCounters *counters, QObject *parent)
    : QObject(parent)
    , m_table(std::move(table))
    , m_counters(counters)
{
    for (qsizetype i = 0; i < m_table->upstreams.size(); ++i) {
        const UpstreamDefinition &definition = m_table->upstreams[i];
        std::shared_ptr<BalancerState> state = sharedStates[std::size_t(i)];
        if (!state)
            state = std::make_shared<BalancerState>(definition, false);
        auto *pool = new KeepalivePool(definition.config.keepalive, definition.config.keepaliveTimeoutMs, this);
        m_upstreams.push_back(std::make_unique<UpstreamRuntime>(definition, std::move(state), pool));
    }
}

Worker::~Worker() = default;

void Worker::serveConnection(qintptr descriptor, int listenerIndex)
{
    auto *connection = new ClientConnection(*this, m_table->listeners[listenerIndex], this);
    connection->start(descriptor);
}

QString Worker::listen(const QList<Worker *> &workers, QList<QPair<QHostAddress, quint16>> *bound)
{
    for (qsizetype i = 0; i < m_table->listeners.size(); ++i) {
        const Listener &listener = m_table->listeners[i];
        auto *server = new ProxyServer(workers, int(i), this);
        if (!server->listen(listener.address, listener.port)) {
            const QString error = u"bind() to %1:%2 failed (%3)"_s.arg(listener.address.toString())
                                      .arg(listener.port)
                                      .arg(server->errorString());
            shutdown();
            return error;
        }
        m_servers.append(server);
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
