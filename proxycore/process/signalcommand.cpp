#include "process/signalcommand.h"

#include "process/pidfile.h"

#include <cerrno>
#include <csignal>
#include <cstring>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

struct NamedSignal
{
    QLatin1StringView command; // nginx -s NAME; empty: not one nginx sends
    QLatin1StringView name;
    int number;
};

const NamedSignal signalsByName[] = {
    {"stop"_L1, "SIGTERM"_L1, SIGTERM}, {"quit"_L1, "SIGQUIT"_L1, SIGQUIT}, {"reopen"_L1, "SIGUSR1"_L1, SIGUSR1},
    {"reload"_L1, "SIGHUP"_L1, SIGHUP}, {{}, "SIGINT"_L1, SIGINT},          {{}, "SIGUSR2"_L1, SIGUSR2},
    {{}, "SIGWINCH"_L1, SIGWINCH},      {{}, "SIGCHLD"_L1, SIGCHLD},
};

} // namespace

std::optional<int> SignalCommand::signalNumber(const QString &name)
{
    for (const NamedSignal &known : signalsByName) {
        if (!known.command.isEmpty() && name == known.command)
            return known.number;
    }
    return std::nullopt;
}

QString SignalCommand::signalName(int signalNumber)
{
    for (const NamedSignal &known : signalsByName) {
        if (known.number == signalNumber)
            return known.name;
    }
    return u"SIG%1"_s.arg(signalNumber);
}

SignalCommand::Outcome SignalCommand::send(const QString &pidFile, int signalNumber)
{
    Outcome outcome;
    const std::optional<qint64> pid = PidFile::read(pidFile, &outcome.message);
    if (!pid)
        return outcome;
    if (::kill(pid_t(*pid), signalNumber) != 0) {
        const int error = errno;
        outcome.level = ErrorLogLevel::Alert;
        outcome.message = u"kill(%1, %2) failed (%3: %4)"_s.arg(*pid)
                              .arg(signalNumber)
                              .arg(error)
                              .arg(QString::fromLocal8Bit(std::strerror(error)));
        return outcome;
    }
    outcome.ok = true;
    return outcome;
}

} // namespace lbscope
