#include "scenariorunner.h"

#include "config/nginxvalues.h"
#include "demo/demofleet.h"
#include "proxy/engine.h"
#include "scenario/scenariofile.h"
#include "traffic/trafficgenerator.h"

#include <QFileInfo>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr auto SeedLoopback = "127.0.0.1"_L1;

QHostAddress hostAddress(const QString &host)
{
    return host == "localhost"_L1 ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
}

} // namespace

ScenarioRunner::ScenarioRunner(Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    m_stepTimer.setSingleShot(true);
    m_stepTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_stepTimer, &QTimer::timeout, this, &ScenarioRunner::applyDueSteps);
}

ScenarioRunner::~ScenarioRunner()
{
    m_stepTimer.stop();
    if (m_generator)
        m_generator->stop();
}

QString ScenarioRunner::placedAddress(const QString &address) const
{
    const auto hostPort = nginx::splitHostPort(address);
    if (m_placement.loopbackHost.isEmpty() || !hostPort || hostPort->host != SeedLoopback)
        return address;
    return nginx::joinHostPort(m_placement.loopbackHost, hostPort->hasPort ? hostPort->port : quint16(80));
}

Scenario ScenarioRunner::placed(const Scenario &scenario) const
{
    Scenario result = scenario;
    const double scale = m_placement.timeScale > 0 ? m_placement.timeScale : 1.0;
    const auto placeServer = [this](UpstreamServer &server) {
        server.address = placedAddress(server.address);
        if (const auto hostPort = nginx::splitHostPort(server.address))
            server.host = hostPort->host;
    };
    for (UpstreamConfig &upstream : result.pool.upstreams) {
        for (UpstreamServer &server : upstream.servers)
            placeServer(server);
    }
    if (m_placement.listens && !result.pool.servers.isEmpty())
        result.pool.servers.first().listens = *m_placement.listens;
    for (InstanceKnobs &knobs : result.instances) {
        knobs.instance = placedAddress(knobs.instance);
        knobs.delayMs = int(std::lround(knobs.delayMs * scale));
    }
    for (ScenarioStep &step : result.steps) {
        step.atSeconds *= scale;
        step.delayMs = int(std::lround(step.delayMs * scale));
        if (!step.instance.isEmpty())
            step.instance = placedAddress(step.instance);
        if (!step.address.isEmpty())
            step.address = placedAddress(step.address);
        if (step.action == ScenarioStep::Action::AddServer)
            placeServer(step.server);
    }
    result.traffic.durationSeconds *= scale;
    result.traffic.rate /= scale;
    return result;
}

bool ScenarioRunner::run(const Scenario &scenario, QString *error)
{
    if (const QString problem = ScenarioFile::validate(scenario); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    Scenario playing = placed(scenario);
    if (const QString problem = ScenarioFile::validate(playing); !problem.isEmpty()) {
        *error = tr("placed at %1: %2").arg(m_placement.loopbackHost, problem);
        return false;
    }
    stop();
    stopTraffic(); // also a run started by hand: its end must not count as the lesson's
    const QString name = scenario.poolFile.isEmpty() ? u"lesson.conf"_s : QFileInfo(scenario.poolFile).fileName();
    if (!applyPool(playing.pool, name, error) || !prepareInstances(playing, error))
        return false;
    resetCounters();

    const auto listeners = m_engine.listeningAddresses();
    if (listeners.isEmpty()) {
        *error = tr("the proxy is not listening, so there is nowhere to send the traffic");
        return false;
    }
    const auto &[address, port] = listeners.first();
    playing.traffic.address = TrafficPlan::targetFor(address);
    playing.traffic.port = port;

    m_current = std::move(playing);
    m_say.clear();
    m_next = 0;
    m_running = true;
    m_trafficRunning = true;
    if (!startTraffic(m_current.traffic, error)) {
        m_running = false;
        m_trafficRunning = false;
        return false;
    }
    m_clock.start();
    emit started();
    applyDueSteps(); // the steps at 0 s
    return true;
}

void ScenarioRunner::stop()
{
    m_stepTimer.stop();
    const bool wasRunning = m_running;
    m_running = false;
    if (m_trafficRunning) {
        m_trafficRunning = false;
        stopTraffic();
    }
    if (wasRunning)
        emit finished();
}

double ScenarioRunner::elapsedSeconds() const
{
    return m_clock.isValid() ? double(m_clock.elapsed()) / 1000.0 : 0.0;
}

void ScenarioRunner::handleTrafficFinished()
{
    if (!m_trafficRunning)
        return;
    m_trafficRunning = false;
    checkFinished();
}

bool ScenarioRunner::applyPool(const ProxyConfig &pool, const QString &name, QString *error)
{
    if (m_hooks.applyPool)
        return m_hooks.applyPool(pool, name, error);
    const bool ok = m_engine.isRunning() ? m_engine.reload(pool, error) : m_engine.start(pool, error);
    return ok && m_engine.startDemoInstances(pool, error);
}

// Every loopback server of the pool gets a demo instance that starts as the scenario says:
// knobs at zero and running unless the file says otherwise (a previous lesson's slow instance
// must not slow this one).
bool ScenarioRunner::prepareInstances(const Scenario &scenario, QString *error)
{
    QSet<QString> wanted;
    for (const UpstreamConfig &upstream : scenario.pool.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            if (hostAddress(server.host).isLoopback())
                wanted.insert(nginx::joinHostPort(server.host, server.port));
        }
    }
    const auto present = [this] {
        QSet<QString> addresses;
        if (const DemoFleet *fleet = m_engine.demoInstances()) {
            for (const DemoFleet::Instance &instance : fleet->instances())
                addresses.insert(nginx::joinHostPort(instance.address.toString(), instance.port));
        }
        return addresses;
    };
    if (!present().contains(wanted) && !m_engine.startDemoInstances(scenario.pool, error)) {
        *error = tr("the demo instances did not start: %1").arg(*error);
        return false;
    }
    DemoFleet *fleet = m_engine.demoInstances();
    if (!fleet)
        return wanted.isEmpty();
    for (const DemoFleet::Instance &instance : fleet->instances()) {
        const QString name = nginx::joinHostPort(instance.address.toString(), instance.port);
        fleet->setDelayMs(name, 0);
        fleet->setErrorRate(name, 0.0);
        if (instance.crashed)
            fleet->restartInstance(name);
    }
    for (const InstanceKnobs &knobs : scenario.instances) {
        QString problem;
        const bool ok = fleet->setDelayMs(knobs.instance, knobs.delayMs, &problem) &&
                        fleet->setErrorRate(knobs.instance, knobs.errorRate, &problem) &&
                        (!knobs.crashed || fleet->stopInstance(knobs.instance, &problem));
        if (!ok) {
            *error = tr("demo instance %1: %2").arg(knobs.instance, problem);
            return false;
        }
    }
    return true;
}

bool ScenarioRunner::startTraffic(const TrafficPlan &plan, QString *error)
{
    if (m_hooks.startTraffic)
        return m_hooks.startTraffic(plan, error);
    if (!m_generator) {
        m_generator = std::make_unique<TrafficGenerator>();
        connect(m_generator.get(), &TrafficGenerator::finished, this, &ScenarioRunner::handleTrafficFinished);
    }
    return m_generator->start(plan, error);
}

void ScenarioRunner::stopTraffic()
{
    if (m_hooks.stopTraffic)
        m_hooks.stopTraffic();
    else if (m_generator)
        m_generator->stop();
}

void ScenarioRunner::resetCounters()
{
    if (m_hooks.resetCounters)
        m_hooks.resetCounters();
    else
        m_engine.resetStats();
}

void ScenarioRunner::applyDueSteps()
{
    if (!m_running)
        return;
    const qint64 now = m_clock.elapsed();
    while (m_next < m_current.steps.size() && std::llround(m_current.steps[m_next].atSeconds * 1000) <= now) {
        const ScenarioStep &step = m_current.steps[m_next];
        const int index = int(m_next++);
        if (!step.say.isEmpty())
            m_say = step.say;
        QString error;
        if (applyStep(step, &error))
            emit stepApplied(index);
        else
            emit stepFailed(index, error);
    }
    scheduleNext();
    checkFinished();
}

bool ScenarioRunner::applyStep(const ScenarioStep &step, QString *error)
{
    DemoFleet *fleet = m_engine.demoInstances();
    const auto needFleet = [&] {
        if (!fleet)
            *error = tr("there are no demo instances");
        return fleet != nullptr;
    };
    using Action = ScenarioStep::Action;
    switch (step.action) {
    case Action::Say:
        return true;
    case Action::ResetCounters:
        resetCounters();
        return true;
    case Action::StopInstance:
        return needFleet() && fleet->stopInstance(step.instance, error);
    case Action::RestartInstance:
        return needFleet() && fleet->restartInstance(step.instance, error);
    case Action::SetDelay:
        return needFleet() && fleet->setDelayMs(step.instance, step.delayMs, error);
    case Action::SetErrorRate:
        return needFleet() && fleet->setErrorRate(step.instance, step.errorRate, error);
    case Action::AddServer: {
        const QHostAddress address = hostAddress(step.server.host);
        if (address.isLoopback() && needFleet()) {
            bool running = false;
            for (const DemoFleet::Instance &instance : fleet->instances())
                running = running || (instance.address.isEqual(address) && instance.port == step.server.port);
            if (!running && !fleet->startInstance(address, step.server.port, error))
                return false;
        }
        return m_engine.addServer(step.upstream, step.server, error);
    }
    case Action::RemoveServer:
        return m_engine.removeServer(step.upstream, step.address, error);
    case Action::SetMethod:
        return m_engine.setMethod(step.upstream, step.method, step.hashKey, step.consistent, step.randomTwo, error);
    }
    return false;
}

void ScenarioRunner::scheduleNext()
{
    if (!m_running || m_next >= m_current.steps.size())
        return;
    const qint64 due = std::llround(m_current.steps[m_next].atSeconds * 1000);
    m_stepTimer.start(int(std::max<qint64>(0, due - m_clock.elapsed())));
}

void ScenarioRunner::checkFinished()
{
    if (m_running && !m_trafficRunning && m_next >= m_current.steps.size()) {
        m_running = false;
        emit finished();
    }
}

} // namespace lbscope
