#include "eventloop/timerqueue.h"

#include <algorithm>
#include <functional>

namespace lbscope {

void TimerQueue::add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object, qint64 nowMs)
{
    Timer &timer = m_timers[id];
    timer.intervalMs = std::max<qint64>(intervalMs, 0);
    timer.type = type;
    timer.object = object;
    timer.deadlineMs = nowMs + timer.intervalMs;
    timer.delivering = false;
    schedule(id, timer);
}

bool TimerQueue::remove(int id)
{
    const bool removed = m_timers.erase(id) > 0; // its heap entry goes stale
    if (removed)
        compactIfMostlyStale();
    return removed;
}

bool TimerQueue::removeAll(QObject *object)
{
    const auto before = m_timers.size();
    std::erase_if(m_timers, [object](const auto &entry) { return entry.second.object == object; });
    if (m_timers.size() == before)
        return false;
    compactIfMostlyStale();
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> TimerQueue::timersOf(QObject *object) const
{
    QList<QAbstractEventDispatcher::TimerInfo> timers;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            timers.append({id, int(timer.intervalMs), timer.type});
    }
    return timers;
}

int TimerQueue::remainingMs(int id, qint64 nowMs) const
{
    const auto found = m_timers.find(id);
    if (found == m_timers.end())
        return -1;
    return int(std::max<qint64>(found->second.deadlineMs - nowMs, 0));
}

qint64 TimerQueue::waitMs(qint64 nowMs)
{
    dropStaleTop();
    if (m_heap.empty())
        return -1;
    return std::max<qint64>(m_heap.front().deadlineMs - nowMs, 0);
}

void TimerQueue::takeDue(qint64 nowMs, std::vector<Due> *due)
{
    // Rescheduled timers are pushed after the loop, so a zero-interval one fires once per pass.
    std::vector<int> rescheduled;
    for (dropStaleTop(); !m_heap.empty() && m_heap.front().deadlineMs <= nowMs; dropStaleTop()) {
        const int id = m_heap.front().id;
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>());
        m_heap.pop_back();
        Timer &timer = m_timers.at(id);
        // The next deadline keeps the period; one missed by more than a period starts again from now.
        timer.deadlineMs += timer.intervalMs;
        if (timer.deadlineMs <= nowMs)
            timer.deadlineMs = nowMs + timer.intervalMs;
        rescheduled.push_back(id);
        if (timer.delivering)
            continue; // its handler is still running: no second event inside it
        timer.delivering = true;
        due->push_back({id, timer.object});
    }
    for (const int id : rescheduled)
        schedule(id, m_timers.at(id));
}

bool TimerQueue::stillDue(const Due &due) const
{
    const auto found = m_timers.find(due.id);
    return found != m_timers.end() && found->second.object == due.object && found->second.delivering;
}

void TimerQueue::delivered(int id)
{
    const auto found = m_timers.find(id);
    if (found != m_timers.end())
        found->second.delivering = false;
}

void TimerQueue::schedule(int id, Timer &timer)
{
    timer.generation = m_nextGeneration++;
    m_heap.push_back({timer.deadlineMs, id, timer.generation});
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<>());
    compactIfMostlyStale();
}

void TimerQueue::dropStaleTop()
{
    while (!m_heap.empty()) {
        const Entry &top = m_heap.front();
        const auto found = m_timers.find(top.id);
        if (found != m_timers.end() && found->second.generation == top.generation)
            return;
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>());
        m_heap.pop_back();
    }
}

// Stopped timers leave their entries behind until they reach the top; when they outnumber
// the live ones the heap is rebuilt, so its size stays bounded by the live timers.
void TimerQueue::compactIfMostlyStale()
{
    if (m_heap.size() <= 2 * m_timers.size() + 64)
        return;
    m_heap.clear();
    for (const auto &[id, timer] : m_timers)
        m_heap.push_back({timer.deadlineMs, id, timer.generation});
    std::make_heap(m_heap.begin(), m_heap.end(), std::greater<>());
}

} // namespace lbscope
