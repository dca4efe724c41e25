#pragma once

// The window's one reader of the engine: a timer on the GUI thread that, 10 to 20 times a
// second, takes the engine's snapshot and the access records after its cursor and hands them
// to every view in one signal. Views never poll the engine themselves, and nothing is
// signalled per request, so the GUI's cost does not grow with the request rate.

#include "livetick.h"

#include <QObject>
#include <QTimer>

namespace lbscope {

class DemoFleet;
class Engine;

class LivePoller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LivePoller)

public:
    static constexpr int DefaultIntervalMs = 100; // 10 Hz: smooth enough to watch, half the repaints of 20
    static constexpr qsizetype MaxRecordsPerTick = 20'000;
    static constexpr qsizetype MaxDemoLogLinesPerTick = 500;

    explicit LivePoller(Engine &engine, QObject *parent = nullptr);

    void start(int intervalMs = DefaultIntervalMs);
    void stop();
    bool isActive() const { return m_timer.isActive(); }
    // Takes a tick now (also used by tests to avoid waiting for the timer).
    void pollNow();

    // The demo instance whose log the ticks carry (empty: none). Only that log is read and
    // formatted, so hidden logs cost nothing however fast the demo runs.
    void setFollowedDemoLog(const QString &instance);

    const LiveTick &lastTick() const { return m_tick; }
    // The access-log cursor: the id of the last record handed out.
    quint64 cursor() const { return m_cursor; }

signals:
    void ticked(const lbscope::LiveTick &tick);

private:
    void handleConfigurationChanged() { m_configDirty = true; }
    void pollDemoInstances();
    void pollFollowedDemoLog(const DemoFleet &fleet);

    Engine &m_engine;
    QTimer m_timer;
    LiveTick m_tick;
    quint64 m_cursor = 0;
    bool m_configDirty = true;
    const DemoFleet *m_fleet = nullptr;
    QString m_followedDemoLog;
    quint64 m_demoLogCursor = 0;
    bool m_demoLogReset = true;
};

} // namespace lbscope
