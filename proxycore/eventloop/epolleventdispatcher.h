#pragma once

// An event dispatcher for the engine's worker threads on Linux's epoll, as nginx waits. Qt's
// own dispatchers (GLib's, and the poll() one) hand every socket notifier to the kernel on
// every wake-up, so with 10,000 idle keep-alive clients each event cost grew with them; here
// the kernel keeps the set, a wake-up costs what happened, and timers sit in a heap
// (TimerQueue). Installed with QThread::setEventDispatcher() before the thread starts:
// QTcpServer, QTcpSocket, QTimer and queued calls work on it unchanged. The GUI thread and
// the demo instances keep Qt's.

#include "eventloop/timerqueue.h"

#include <QAbstractEventDispatcher>

#include <atomic>
#include <vector>

class QSocketNotifier;
struct epoll_event;

namespace lbscope {

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused an epoll instance or an eventfd (then use Qt's).
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;    // from any thread
    void interrupt() override; // from any thread

private:
    // The notifiers on one descriptor, at most one of each type.
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events = 0; // what epoll is told to watch
    };

    Watch *watchFor(int fd);
    enum class Update {
        Lazily, // a narrower set can wait until the kernel reports what is no longer wanted
        Now
    };
    void updateInterest(int fd, Watch &watch, Update update);
    int activateSockets(const epoll_event *ready, int count);
    int activateTimers();
    void drainWakeUps();

    int m_epoll = -1;
    int m_wakeFd = -1; // an eventfd: wakeUp() makes it readable
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};
    std::vector<Watch> m_watches; // by descriptor
    TimerQueue m_timers;
};

} // namespace lbscope
