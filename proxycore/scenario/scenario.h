#pragma once

// A scenario (a lesson): a pool, the traffic to send through it, how the demo instances behave
// and what happens when, with the words a teacher needs. Plain values: ScenarioFile reads and
// writes them, ScenarioRunner plays them on an engine.

#include "config/proxyconfig.h"
#include "demo/demoknobs.h"
#include "traffic/trafficplan.h"

#include <QList>
#include <QString>

namespace lbscope {

// How a demo instance behaves when the scenario starts. Instances are named by the pool's
// server address as written ("127.0.0.1:3100").
struct InstanceKnobs : DemoKnobs
{
    QString instance;

    friend bool operator==(const InstanceKnobs &, const InstanceKnobs &) = default;
};

// Something that happens at a time after the traffic started, and what the teacher may say.
struct ScenarioStep
{
    enum class Action {
        Say, // only the words
        StopInstance,
        RestartInstance,
        SetDelay,
        SetErrorRate,
        AddServer,
        RemoveServer,
        SetMethod,
        ResetCounters,
    };

    double atSeconds = 0.0;
    Action action = Action::Say;
    QString say;      // shown on the lesson card from this step on; may be empty
    QString instance; // StopInstance, RestartInstance, SetDelay, SetErrorRate
    int delayMs = 0;
    double errorRate = 0.0;
    QString upstream;      // AddServer, RemoveServer, SetMethod
    UpstreamServer server; // AddServer
    QString address;       // RemoveServer: the server's address as written
    BalancingMethod method = BalancingMethod::RoundRobin;
    QString hashKey;
    bool consistent = false;
    bool randomTwo = false;

    friend bool operator==(const ScenarioStep &, const ScenarioStep &) = default;
};

struct Scenario
{
    static constexpr int FormatVersion = 1;

    QString title;
    QString description; // what to point out, and what to do next
    QString poolFile;    // as the lesson file names it, relative to that file
    ProxyConfig pool;
    // Where it is sent is left to the runner (the proxy's listener); everything else is here.
    TrafficPlan traffic;
    QList<InstanceKnobs> instances;
    QList<ScenarioStep> steps; // in time order
    QString sourceFile;        // the lesson file it was read from; empty when built in memory

    // How long the lesson takes: the traffic's duration or the last step, whichever is later;
    // 0 when the traffic runs until stopped and there are no steps.
    double lengthSeconds() const;
};

// The words a file uses for an action ("stopInstance"), and back.
QString actionName(ScenarioStep::Action action);
bool actionFromName(QStringView name, ScenarioStep::Action *action);

} // namespace lbscope
