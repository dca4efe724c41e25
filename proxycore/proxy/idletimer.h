#pragma once

// A timeout on a quiet period (no bytes moved for N ms) that costs next to nothing per
// event: activity only records a time, and the one QBasicTimer is restarted when it fires
// before the deadline or when a shorter timeout is armed. Restarting a Qt timer on every
// read would touch the thread's timer list thousands of times a second.

#include <QBasicTimer>
#include <QObject>

#include <ctime>

namespace lbscope {

// Monotonic milliseconds from the kernel's coarse clock: a few ms of resolution, a fraction
// of the cost of a precise clock read. Enough for timeouts.
inline qint64 coarseNowMs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// Wall-clock whole seconds, nginx's cached clock for fail_timeout.
inline qint64 coarseEpochSecs()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return qint64(now.tv_sec);
}

// Wall-clock milliseconds from the coarse clock, for "last selected" and "last failed".
inline qint64 coarseEpochMs()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

class IdleTimer
{
public:
    explicit IdleTimer(QObject *owner)
        : m_owner(owner)
    {
    }

    void arm(qint64 timeoutMs)
    {
        m_timeoutMs = timeoutMs;
        m_lastActivityMs = coarseNowMs();
        m_armed = true;
        if (!m_timer.isActive() || timeoutMs < m_intervalMs)
            start(timeoutMs);
    }
    void touch() { m_lastActivityMs = coarseNowMs(); }
    void disarm() { m_armed = false; } // the Qt timer runs out by itself
    qint64 timeoutMs() const { return m_timeoutMs; }

    // Call from timerEvent. True when this timer's deadline has really passed (it is then
    // disarmed); false for another timer's event or an early wake-up, which re-arms.
    bool expired(int timerId, qint64 currentTimeoutMs)
    {
        if (timerId != m_timer.timerId())
            return false;
        m_timer.stop();
        if (!m_armed)
            return false;
        m_timeoutMs = currentTimeoutMs;
        const qint64 quietMs = coarseNowMs() - m_lastActivityMs;
        if (quietMs < m_timeoutMs) {
            start(m_timeoutMs - quietMs);
            return false;
        }
        m_armed = false;
        return true;
    }
    bool owns(int timerId) const { return timerId == m_timer.timerId(); }

private:
    void start(qint64 intervalMs)
    {
        m_intervalMs = std::clamp<qint64>(intervalMs, 1, std::numeric_limits<int>::max());
        m_timer.start(int(m_intervalMs), Qt::CoarseTimer, m_owner);
    }

    QObject *m_owner;
    QBasicTimer m_timer;
    qint64 m_timeoutMs = 0;
    qint64 m_intervalMs = 0;
    qint64 m_lastActivityMs = 0;
    bool m_armed = false;
};

} // namespace lbscope
