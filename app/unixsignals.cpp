#include "unixsignals.h"

#include <QSocketNotifier>

#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

// What the handler writes: small enough that one write() is never split.
struct SignalRecord
{
    int signalNumber;
    pid_t sender;
};

void writeSignal(int signalNumber, siginfo_t *info, void *)
{
    const SignalRecord record{signalNumber, info ? info->si_pid : 0};
    [[maybe_unused]] const auto written = ::write(signalPipe[0], &record, sizeof record);
}

} // namespace

UnixSignals::UnixSignals(QObject *parent)
    : UnixSignals({SIGINT, SIGTERM, SIGHUP}, parent)
{
}

UnixSignals::UnixSignals(const QList<int> &signalNumbers, QObject *parent)
    : QObject(parent)
    , m_signalNumbers(signalNumbers)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    m_notifier = new QSocketNotifier(signalPipe[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignals::handleActivated);
    struct sigaction action = {};
    action.sa_sigaction = writeSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | SA_SIGINFO;
    for (int signalNumber : std::as_const(m_signalNumbers))
        ::sigaction(signalNumber, &action, nullptr);
}

UnixSignals::~UnixSignals()
{
    for (int signalNumber : std::as_const(m_signalNumbers))
        std::signal(signalNumber, SIG_DFL);
    ::close(signalPipe[0]);
    ::close(signalPipe[1]);
}

void UnixSignals::handleActivated()
{
    SignalRecord record{};
    if (::read(signalPipe[1], &record, sizeof record) != sizeof record)
        return;
    emit received(record.signalNumber, record.sender);
    if (record.signalNumber == SIGHUP)
        emit reloadRequested();
    else if (record.signalNumber == SIGINT || record.signalNumber == SIGTERM)
        emit terminationRequested(record.signalNumber);
}
