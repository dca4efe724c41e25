#pragma once

// The status endpoint: GET /status (JSON) and GET /metrics (Prometheus text) from the
// engine's snapshot, on a loopback address unless remote access is asked for. It runs in a
// thread of its own, so a scrape never waits for the GUI and never slows a proxy worker.

#include <QHostAddress>
#include <QObject>

class QThread;

namespace lbscope {

class Engine;
class AdminListener;

class AdminServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)

public:
    explicit AdminServer(const Engine &engine, QObject *parent = nullptr);
    ~AdminServer() override;

    // Refuses a non-loopback address unless allowRemote is set.
    bool start(const QHostAddress &address, quint16 port, bool allowRemote, QString *error);
    void stop();
    quint16 port() const { return m_port; }

private:
    const Engine &m_engine;
    QThread *m_thread = nullptr;
    AdminListener *m_listener = nullptr;
    quint16 m_port = 0;
};

} // namespace lbscope
