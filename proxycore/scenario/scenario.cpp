#include "scenario.h"

#include <algorithm>
#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr std::array<std::pair<ScenarioStep::Action, QLatin1StringView>, 9> ActionNames = {{
    {ScenarioStep::Action::Say, "say"_L1},
    {ScenarioStep::Action::StopInstance, "stopInstance"_L1},
    {ScenarioStep::Action::RestartInstance, "restartInstance"_L1},
    {ScenarioStep::Action::SetDelay, "setDelay"_L1},
    {ScenarioStep::Action::SetErrorRate, "setErrorRate"_L1},
    {ScenarioStep::Action::AddServer, "addServer"_L1},
    {ScenarioStep::Action::RemoveServer, "removeServer"_L1},
    {ScenarioStep::Action::SetMethod, "setMethod"_L1},
    {ScenarioStep::Action::ResetCounters, "resetCounters"_L1},
}};

} // namespace

double Scenario::lengthSeconds() const
{
    double length = traffic.mode == TrafficPlan::Mode::Rate ? traffic.durationSeconds : 0.0;
    for (const ScenarioStep &step : steps)
        length = std::max(length, step.atSeconds);
    return length;
}

QString actionName(ScenarioStep::Action action)
{
    for (const auto &[value, name] : ActionNames) {
        if (value == action)
            return name;
    }
    return {};
}

bool actionFromName(QStringView name, ScenarioStep::Action *action)
{
    for (const auto &[value, text] : ActionNames) {
        if (name == text) {
            *action = value;
            return true;
        }
    }
    return false;
}

} // namespace lbscope
