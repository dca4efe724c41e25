#pragma once

// A counter with one writer thread: a relaxed load and store, no locked instruction, no
// contention; other threads read it relaxed.

#include <QtGlobal>

#include <atomic>

namespace lbscope {

using Counter = std::atomic<quint64>;

inline void bump(Counter &counter, quint64 by = 1)
{
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

inline quint64 read(const Counter &counter)
{
    return counter.load(std::memory_order_relaxed);
}

} // namespace lbscope
