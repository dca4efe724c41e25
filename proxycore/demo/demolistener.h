#pragma once

// The demo instance's listening socket: hands each accepted descriptor over as it is, so
// that no QTcpSocket is made for a connection that only wraps another one.

#include <QTcpServer>

namespace lbscope {

class DemoListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoListener)

public:
    explicit DemoListener(QObject *parent = nullptr)
        : QTcpServer(parent)
    {
        setListenBacklogSize(1024);
    }

signals:
    void connectionAccepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { emit connectionAccepted(descriptor); }
};

} // namespace lbscope
