#pragma once

// The built-in demo instances: one DemoBackend on each loopback address of a configuration's
// upstreams, named web-client, web-client2, web-client3, ... in upstream order, all served
// by one thread of their own so that no GUI thread touches their sockets.

#include "config/proxyconfig.h"

#include <QList>
#include <QObject>

class QThread;

namespace lbscope {

class DemoBackend;

class DemoFleet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoFleet)

public:
    explicit DemoFleet(QObject *parent = nullptr);
    ~DemoFleet() override;

    // Starts the instances; on error none is left running.
    bool start(const ProxyConfig &config, QString *error);
    void stop();

    // Lives in the fleet's thread: use queued calls or its thread-safe getters.
    QList<DemoBackend *> backends() const { return m_backends; }

signals:
    void requestLogged(const QString &line);

private:
    QThread *m_thread = nullptr;
    QList<DemoBackend *> m_backends;
};

} // namespace lbscope
