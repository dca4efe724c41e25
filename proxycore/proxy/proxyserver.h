#pragma once

// A listening socket. It accepts in its own thread and hands each descriptor to a worker,
// round robin over the workers, so a connection lives in one worker thread for its life.

#include <QHostAddress>
#include <QList>
#include <QTcpServer>

namespace lbscope {

class Worker;

class ProxyServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyServer)

public:
    ProxyServer(const QList<Worker *> &workers, const QHostAddress &address, quint16 port, QObject *parent = nullptr);

    // The listen directive's address and port (port 0 binds a port of the system's choice).
    const QHostAddress &configuredAddress() const { return m_address; }
    quint16 configuredPort() const { return m_port; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<Worker *> m_workers;
    QHostAddress m_address;
    quint16 m_port;
    qsizetype m_next = 0;
};

} // namespace lbscope
