#pragma once

// The timers of one event dispatcher, due in deadline order: a binary heap with lazy removal,
// so starting, stopping and firing a timer cost O(log n) however many there are (Qt's own
// list is sorted by insertion, O(n) per start). An idle keep-alive connection holds one.

#include <QAbstractEventDispatcher>
#include <QList>

#include <unordered_map>
#include <vector>

class QObject;

namespace lbscope {

class TimerQueue
{
public:
    struct Due
    {
        int id;
        QObject *object;
    };

    void add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object, qint64 nowMs);
    bool remove(int id);
    bool removeAll(QObject *object);
    QList<QAbstractEventDispatcher::TimerInfo> timersOf(QObject *object) const;
    int remainingMs(int id, qint64 nowMs) const; // -1: no such timer

    // Milliseconds until the next timer is due (0: one is), -1: none is registered.
    qint64 waitMs(qint64 nowMs);
    // The timers due at nowMs, each moved to its next deadline; a timer whose event is still
    // being delivered (a nested event loop in its handler) is left out until that returns.
    void takeDue(qint64 nowMs, std::vector<Due> *due);
    // Whether due, taken by takeDue(), is still to be delivered: an earlier handler of the same
    // pass may have stopped it, and its id may even be another object's timer by now.
    bool stillDue(const Due &due) const;
    // Its event was delivered: it may fire again.
    void delivered(int id);
    bool isEmpty() const { return m_timers.empty(); }
    std::size_t heapSize() const { return m_heap.size(); } // live and stale entries

private:
    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadlineMs = 0;
        quint64 generation = 0; // which heap entry is the live one
        bool delivering = false;
    };
    struct Entry
    {
        qint64 deadlineMs;
        int id;
        quint64 generation;
        bool operator>(const Entry &other) const { return deadlineMs > other.deadlineMs; }
    };

    void schedule(int id, Timer &timer);
    void dropStaleTop();
    void compactIfMostlyStale();

    std::unordered_map<int, Timer> m_timers;
    std::vector<Entry> m_heap; // min-heap on deadline; entries whose generation is old are stale
    quint64 m_nextGeneration = 1;
};

} // namespace lbscope
