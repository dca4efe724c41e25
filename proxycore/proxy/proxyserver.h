#pragma once

// A listening socket. It accepts in its own thread and hands each descriptor to a worker,
// round robin over the workers, so a connection lives in one worker thread for its life.

#include <QList>
#include <QTcpServer>

namespace lbscope {

class Worker;

class ProxyServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyServer)

public:
    ProxyServer(const QList<Worker *> &workers, int listenerIndex, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<Worker *> m_workers;
    int m_listenerIndex;
    qsizetype m_next = 0;
};

} // namespace lbscope
