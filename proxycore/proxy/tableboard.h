#pragma once

// Where the engine publishes the newest routing table for its workers. A worker compares one
// atomic generation at the start of each request and takes the new table when it moved on,
// so an edit reaches every request that starts after it returns without waiting for a
// worker; the lock guards only the copy of a pointer.

#include <QMutex>

#include <atomic>
#include <memory>
#include <vector>

namespace lbscope {

struct BalancerState;
struct RoutingTable;

using SharedStates = std::vector<std::shared_ptr<BalancerState>>;

struct PublishedTable
{
    quint64 generation = 0;
    std::shared_ptr<const RoutingTable> table;
    SharedStates sharedStates; // per upstream of the table: the state the workers share (a zone), or null
};

class TableBoard
{
public:
    TableBoard() = default;
    Q_DISABLE_COPY_MOVE(TableBoard)

    void publish(std::shared_ptr<const PublishedTable> table)
    {
        const quint64 generation = table->generation;
        {
            const QMutexLocker locker(&m_mutex);
            m_latest = std::move(table);
        }
        m_generation.store(generation, std::memory_order_release);
    }
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }
    std::shared_ptr<const PublishedTable> latest() const
    {
        const QMutexLocker locker(&m_mutex);
        return m_latest;
    }

private:
    mutable QMutex m_mutex;
    std::shared_ptr<const PublishedTable> m_latest;
    std::atomic<quint64> m_generation{0};
};

} // namespace lbscope
