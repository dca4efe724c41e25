#pragma once

// The built-in demo instances: one DemoBackend on each loopback address of a configuration's
// upstreams, named web-client, web-client2, web-client3, ... in upstream order, all served
// by one thread of their own so that no GUI thread touches their sockets.

#include "config/proxyconfig.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>

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

    // What each instance received, as "check the logs of each web client instance" means:
    // its last DemoBackend::LogCapacity request lines, oldest first. Thread-safe.
    struct Instance
    {
        QString name;
        QHostAddress address;
        quint16 port = 0;
        quint64 requests = 0;
        bool crashed = false;
    };
    QList<Instance> instances() const;
    QStringList log(const QString &name) const;

signals:
    void requestLogged(const QString &line);

private:
    QThread *m_thread = nullptr;
    QList<DemoBackend *> m_backends;
};

} // namespace lbscope
