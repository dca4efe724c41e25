#pragma once

// Idle upstream connections of one upstream in one worker, as nginx's keepalive module
// keeps them: at most `capacity` for the whole upstream, least recently used evicted first,
// taken only for exactly the peer the balancer chose, and not kept past keepalive_requests
// or keepalive_time.

#include <QHostAddress>
#include <QList>
#include <QObject>

namespace lbscope {

class UpstreamConnection;

class KeepalivePool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeepalivePool)

public:
    explicit KeepalivePool(int capacity, qint64 idleTimeoutMs, QObject *parent = nullptr);
    ~KeepalivePool() override;

    int capacity() const { return m_capacity; }
    void setLimits(int capacity, qint64 idleTimeoutMs);
    // keepalive_requests and keepalive_time of the upstream: a connection that carried as
    // many requests, or is older, is closed instead of kept.
    void setReuseLimits(int maxRequests, qint64 maxAgeMs);

    // An idle connection to this peer, now owned by the caller, or nullptr.
    UpstreamConnection *take(const QHostAddress &address, quint16 port);
    // Parks a connection the caller is done with; the pool owns it from now on.
    void put(UpstreamConnection *connection);

private:
    void handleIdleClosed(UpstreamConnection *connection);

    int m_capacity;
    qint64 m_idleTimeoutMs;
    int m_maxRequests = 1000;
    qint64 m_maxAgeMs = 3'600'000;
    QList<UpstreamConnection *> m_idle; // most recently used last
};

} // namespace lbscope
