#pragma once

// The workers' own balancer states, as copies each worker leaves here from its own thread
// (at most every 50 ms while its state changes), for readers in any thread.

#include "balancing/balancerstatesnapshot.h"

#include <QList>
#include <QMutex>

namespace lbscope {

class BalancerStateBoard
{
public:
    BalancerStateBoard() = default;
    Q_DISABLE_COPY_MOVE(BalancerStateBoard)

    void reset(int workers)
    {
        const QMutexLocker locker(&m_mutex);
        m_states = QList<QList<BalancerStateSnapshot>>(workers);
    }
    void publish(int worker, QList<BalancerStateSnapshot> states)
    {
        const QMutexLocker locker(&m_mutex);
        if (worker < m_states.size())
            m_states[worker] = std::move(states);
    }
    // Per worker, what it published last.
    QList<QList<BalancerStateSnapshot>> states() const
    {
        const QMutexLocker locker(&m_mutex);
        return m_states;
    }

private:
    mutable QMutex m_mutex;
    QList<QList<BalancerStateSnapshot>> m_states;
};

} // namespace lbscope
