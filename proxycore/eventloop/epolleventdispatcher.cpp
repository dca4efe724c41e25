#include "eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace lbscope {

namespace {

constexpr int maxEventsPerWait = 256;

qint64 monotonicNowMs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

void activate(QSocketNotifier *notifier)
{
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!isValid())
        return;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        close(m_wakeFd);
        m_wakeFd = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        close(m_wakeFd);
    if (m_epoll >= 0)
        close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents(); // an event posted meanwhile wakes the wait below
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const bool withSockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool withTimers = !(flags & QEventLoop::X11ExcludeTimers);
    int timeoutMs = 0;
    if ((flags & QEventLoop::WaitForMoreEvents) && withSockets) {
        const qint64 timerWait = withTimers ? m_timers.waitMs(monotonicNowMs()) : -1;
        timeoutMs = timerWait < 0 ? -1 : int(std::min<qint64>(timerWait, INT_MAX));
        if (timeoutMs != 0)
            emit aboutToBlock();
    }
    // On the stack: a handler may run a nested event loop on this dispatcher.
    epoll_event ready[maxEventsPerWait];
    const int count = epoll_wait(m_epoll, ready, maxEventsPerWait, timeoutMs);
    if (count < 0 && errno != EINTR)
        qFatal("epoll_wait: %s", strerror(errno));
    if (timeoutMs != 0)
        emit awake();
    int activated = 0;
    if (count > 0 && withSockets)
        activated += activateSockets(ready, count);
    else if (count > 0)
        drainWakeUps(); // the sockets stay ready and are reported again
    if (withTimers)
        activated += activateTimers();
    return activated > 0;
}

// Level-triggered, as Qt's notifiers are: a socket still readable is reported again on the
// next wait. Each notifier is looked up afresh, since the one before it may have disabled
// or deleted it.
int EpollEventDispatcher::activateSockets(const epoll_event *ready, int count)
{
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        const int fd = ready[i].data.fd;
        const quint32 events = ready[i].events;
        if (fd == m_wakeFd) {
            drainWakeUps();
            continue;
        }
        // An error or hang-up wakes the reader and the writer, which then find out.
        const bool failed = events & (EPOLLERR | EPOLLHUP);
        if ((events & EPOLLIN) || failed) {
            if (Watch *watch = watchFor(fd); watch && watch->read) {
                activate(watch->read);
                ++activated;
            }
        }
        if ((events & EPOLLOUT) || failed) {
            if (Watch *watch = watchFor(fd); watch && watch->write) {
                activate(watch->write);
                ++activated;
            }
        }
        if (events & EPOLLPRI) {
            if (Watch *watch = watchFor(fd); watch && watch->exception) {
                activate(watch->exception);
                ++activated;
            }
        }
        // Reported for a notifier disabled since: now the kernel is told.
        if (Watch *watch = watchFor(fd); watch && watch->events != 0)
            updateInterest(fd, *watch, Update::Now);
    }
    return activated;
}

int EpollEventDispatcher::activateTimers()
{
    // Local: nested event loops may run inside a handler and take their own due timers.
    std::vector<TimerQueue::Due> due;
    m_timers.takeDue(monotonicNowMs(), &due);
    int activated = 0;
    for (const TimerQueue::Due &timer : due) {
        if (!m_timers.stillDue(timer))
            continue;
        QTimerEvent event(timer.id);
        QCoreApplication::sendEvent(timer.object, &event);
        m_timers.delivered(timer.id);
        ++activated;
    }
    return activated;
}

void EpollEventDispatcher::drainWakeUps()
{
    // Read, then clear the flag: clearing first would let a wakeUp() write in between, the
    // read take that write too, and the flag stay set with nothing to read, so that every
    // later wakeUp() was skipped. A wakeUp() between the two here finds the flag still set
    // and writes nothing, which is safe: the next processEvents() sends the posted events and
    // checks the interrupt before it waits.
    eventfd_t count = 0;
    eventfd_read(m_wakeFd, &count);
    m_wakePending.store(false, std::memory_order_release);
}

EpollEventDispatcher::Watch *EpollEventDispatcher::watchFor(int fd)
{
    return fd >= 0 && std::size_t(fd) < m_watches.size() ? &m_watches[std::size_t(fd)] : nullptr;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0 || !isValid())
        return;
    if (std::size_t(fd) >= m_watches.size())
        m_watches.resize(std::size_t(fd) + 1);
    Watch &watch = m_watches[std::size_t(fd)];
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        watch.read = notifier;
        break;
    case QSocketNotifier::Write:
        watch.write = notifier;
        break;
    case QSocketNotifier::Exception:
        watch.exception = notifier;
        break;
    }
    updateInterest(fd, watch, Update::Lazily);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Watch *watch = watchFor(int(notifier->socket()));
    if (!watch)
        return;
    if (watch->read == notifier)
        watch->read = nullptr;
    else if (watch->write == notifier)
        watch->write = nullptr;
    else if (watch->exception == notifier)
        watch->exception = nullptr;
    else
        return;
    updateInterest(int(notifier->socket()), *watch, Update::Lazily);
}

// Disabling is lazy: QTcpSocket turns its read notifier off and on again around every
// unbuffered read, and telling the kernel each time would cost two epoll_ctl() calls per
// read. A watch keeps the wider set until an event for a notifier no longer there shows that
// it matters (activateSockets() narrows it then). Enabling, and dropping the last notifier
// (the descriptor is about to close and its number be reused), reach the kernel at once.
void EpollEventDispatcher::updateInterest(int fd, Watch &watch, Update update)
{
    const quint32 wanted = (watch.read ? quint32(EPOLLIN) : 0) | (watch.write ? quint32(EPOLLOUT) : 0) |
                           (watch.exception ? quint32(EPOLLPRI) : 0);
    if (wanted == watch.events)
        return;
    if (update == Update::Lazily && wanted != 0 && (wanted & ~watch.events) == 0)
        return;
    epoll_event event{};
    event.events = wanted;
    event.data.fd = fd;
    const int operation = wanted == 0 ? EPOLL_CTL_DEL : watch.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    // A descriptor closed before its notifiers went is already out of the set (EBADF, ENOENT).
    if (epoll_ctl(m_epoll, operation, fd, &event) != 0 && operation == EPOLL_CTL_ADD)
        qWarning("epoll_ctl(ADD, %d): %s", fd, strerror(errno));
    watch.events = wanted;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    m_timers.add(timerId, interval, timerType, object, monotonicNowMs());
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.remove(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return m_timers.removeAll(object);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    return m_timers.timersOf(object);
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    return m_timers.remainingMs(timerId, monotonicNowMs());
}

void EpollEventDispatcher::wakeUp()
{
    if (!m_wakePending.exchange(true, std::memory_order_acq_rel))
        eventfd_write(m_wakeFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace lbscope
