#pragma once

// Idle upstream connections of one upstream in one worker, as nginx's keepalive module
// keeps them: at most `capacity` for the whole upstream, least recently used evicted first,
// taken only for exactly the peer the balancer chose.

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

    // An idle connection to this peer, now owned by the caller, or nullptr.
    UpstreamConnection *take(const QHostAddress &address, quint16 port);
    // Parks a connection the caller is done with; the pool owns it from now on.
    void put(UpstreamConnection *connection);

private:
    void handleIdleClosed(UpstreamConnection *connection);

    int m_capacity;
    qint64 m_idleTimeoutMs;
    QList<UpstreamConnection *> m_idle; // most recently used last
};

} // namespace lbscope
