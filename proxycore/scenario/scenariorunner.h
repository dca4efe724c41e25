#pragma once

// Plays a scenario on an engine: applies its pool (as a reload), starts the pool's demo
// instances with the scenario's knobs, counts from zero, starts the traffic at the proxy's
// listener and applies the timed steps as their time comes. A scenario is checked whole
// (ScenarioFile::validate) before anything is touched; a refused one changes nothing.
//
// Lives in the thread that calls it (the GUI's, or a test's); the engine's commands are
// thread-safe. Who runs the pool and the traffic can be given (Hooks): the window applies the
// pool through its document and sends the traffic through its traffic panel, so both show it.
// Without hooks the runner reloads the engine itself and fires with a TrafficGenerator of its own.

#include "scenario/scenario.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace lbscope {

class Engine;
class TrafficGenerator;

class ScenarioRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioRunner)

public:
    // Where and how fast a scenario is played. The files name the seed's addresses
    // (127.0.0.1:3000, listen 127.0.0.1:8080); tests move them out of each other's way.
    struct Placement
    {
        QString loopbackHost; // non-empty: upstream servers on 127.0.0.1 move to this address
        // Set: the first server block listens here instead (the window keeps its listener).
        std::optional<QList<ListenAddress>> listens;
        // Below 1 plays faster: step times, the duration and the demo delays shrink and the rate
        // grows by the same factor, so the same requests meet the same events. fail_timeout is
        // not scaled (nginx counts it in whole seconds).
        double timeScale = 1.0;
    };

    struct Hooks
    {
        // Applies the placed pool; on error nothing changed. Default: Engine::reload (or start)
        // and a fresh set of demo instances.
        std::function<bool(const ProxyConfig &pool, const QString &name, QString *error)> applyPool;
        // Starts the traffic aimed at the proxy; the owner calls handleTrafficFinished() when
        // it ends. Default: the runner's own generator.
        std::function<bool(const TrafficPlan &plan, QString *error)> startTraffic;
        std::function<void()> stopTraffic;
        // Default: Engine::resetStats.
        std::function<void()> resetCounters;
    };

    explicit ScenarioRunner(Engine &engine, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    void setPlacement(const Placement &placement) { m_placement = placement; }
    const Placement &placement() const { return m_placement; }
    void setHooks(Hooks hooks) { m_hooks = std::move(hooks); }

    // Stops what runs, then plays scenario; false with *error (and nothing changed when the
    // scenario itself is at fault).
    bool run(const Scenario &scenario, QString *error);
    // Stops the traffic and the steps still to come; the pool stays as it is.
    void stop();
    bool isRunning() const { return m_running; }

    // The scenario as it is being played (placed and scaled); empty title before the first run.
    const Scenario &current() const { return m_current; }
    // The steps applied so far.
    int stepsApplied() const { return int(m_next); }
    // What the lesson card says now: the last applied step's words, else empty.
    QString currentSay() const { return m_say; }
    double elapsedSeconds() const;
    // An address of the scenario's files ("127.0.0.1:3100") as this placement runs it.
    QString placedAddress(const QString &address) const;
    // The scenario as this placement plays it.
    Scenario placed(const Scenario &scenario) const;
    // The runner's own generator (null while hooks send the traffic or before a run).
    const TrafficGenerator *generator() const { return m_generator.get(); }

public slots:
    void handleTrafficFinished();

signals:
    void started();
    void stepApplied(int index);
    void stepFailed(int index, const QString &message);
    // The traffic ended and every step was applied (or stop() was called).
    void finished();

private:
    bool applyPool(const ProxyConfig &pool, const QString &name, QString *error);
    bool prepareInstances(const Scenario &scenario, QString *error);
    bool startTraffic(const TrafficPlan &plan, QString *error);
    void stopTraffic();
    void resetCounters();
    void applyDueSteps();
    bool applyStep(const ScenarioStep &step, QString *error);
    void scheduleNext();
    void checkFinished();

    Engine &m_engine;
    Placement m_placement;
    Hooks m_hooks;
    std::unique_ptr<TrafficGenerator> m_generator;
    Scenario m_current;
    QString m_say;
    qsizetype m_next = 0;
    bool m_running = false;
    bool m_trafficRunning = false;
    QElapsedTimer m_clock;
    QTimer m_stepTimer;
};

} // namespace lbscope
