#include "proxy/proxyserver.h"

#include "proxy/worker.h"

#include <QThread>

namespace lbscope {

ProxyServer::ProxyServer(const QList<Worker *> &workers, const QHostAddress &address, quint16 port, QObject *parent)
    : QTcpServer(parent)
    , m_workers(workers)
    , m_address(address)
    , m_port(port)
{
    setMaxPendingConnections(4096);
    setListenBacklogSize(1024);
}

void ProxyServer::incomingConnection(qintptr descriptor)
{
    Worker *worker = m_workers[m_next];
    m_next = (m_next + 1) % m_workers.size();
    if (worker->thread() == QThread::currentThread()) {
        worker->serveConnection(descriptor, m_address, m_port);
        return;
    }
    QMetaObject::invokeMethod(
        worker,
        [worker, descriptor, address = m_address, port = m_port] {
            worker->serveConnection(descriptor, address, port);
        },
        Qt::QueuedConnection);
}

} // namespace lbscope
