#include "proxy/proxyserver.h"

#include "proxy/worker.h"

#include <QThread>

namespace lbscope {

ProxyServer::ProxyServer(const QList<Worker *> &workers, int listenerIndex, QObject *parent)
    : QTcpServer(parent)
    , m_workers(workers)
    , m_listenerIndex(listenerIndex)
{
    setMaxPendingConnections(4096);
    setListenBacklogSize(1024);
}

void ProxyServer::incomingConnection(qintptr descriptor)
{
    Worker *worker = m_workers[m_next];
    m_next = (m_next + 1) % m_workers.size();
    if (worker->thread() == QThread::currentThread()) {
        worker->serveConnection(descriptor, m_listenerIndex);
        return;
    }
    const int listener = m_listenerIndex;
    QMetaObject::invokeMethod(worker, [worker, descriptor, listener] { worker->serveConnection(descriptor, listener); },
                              Qt::QueuedConnection);
}

} // namespace lbscope
