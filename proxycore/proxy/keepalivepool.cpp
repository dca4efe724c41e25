#include "proxy/keepalivepool.h"

#include "proxy/upstreamconnection.h"

namespace lbscope {

KeepalivePool::KeepalivePool(int capacity, qint64 idleTimeoutMs, QObject *parent)
    : QObject(parent)
    , m_capacity(capacity)
    , m_idleTimeoutMs(idleTimeoutMs)
{
}

KeepalivePool::~KeepalivePool()
{
    qDeleteAll(m_idle);
}

void KeepalivePool::setLimits(int capacity, qint64 idleTimeoutMs)
{
    m_capacity = capacity;
    m_idleTimeoutMs = idleTimeoutMs;
    while (m_idle.size() > std::max(capacity, 0)) {
        UpstreamConnection *oldest = m_idle.takeFirst();
        oldest->abort();
        oldest->deleteLater();
    }
}

void KeepalivePool::setReuseLimits(int maxRequests, qint64 maxAgeMs)
{
    m_maxRequests = maxRequests;
    m_maxAgeMs = maxAgeMs;
}

UpstreamConnection *KeepalivePool::take(const QHostAddress &address, quint16 port)
{
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        UpstreamConnection *connection = m_idle[i];
        if (connection->port() == port && connection->address() == address) {
            m_idle.removeAt(i);
            disconnect(connection, &UpstreamConnection::idleClosed, this, &KeepalivePool::handleIdleClosed);
            return connection;
        }
    }
    return nullptr;
}

void KeepalivePool::put(UpstreamConnection *connection)
{
    // nginx checks these as the connection comes back (ngx_http_upstream_free_keepalive_peer).
    if (m_capacity <= 0 || connection->requestsSent() >= m_maxRequests || connection->ageMs() > m_maxAgeMs) {
        connection->abort();
        connection->deleteLater();
        return;
    }
    if (m_idle.size() >= m_capacity) {
        UpstreamConnection *oldest = m_idle.takeFirst();
        oldest->abort();
        oldest->deleteLater();
    }
    connection->park(m_idleTimeoutMs);
    connect(connection, &UpstreamConnection::idleClosed, this, &KeepalivePool::handleIdleClosed);
    m_idle.append(connection);
}

void KeepalivePool::handleIdleClosed(UpstreamConnection *connection)
{
    m_idle.removeOne(connection);
    connection->deleteLater();
}

} // namespace lbscope
