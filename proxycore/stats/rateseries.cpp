#include "stats/rateseries.h"

namespace lbscope {

void RateSeries::add(qint64 nowSecs)
{
    Slot &slot = m_slots[std::size_t(nowSecs % Seconds)];
    if (slot.second.load(std::memory_order_relaxed) != nowSecs) {
        slot.count.store(0, std::memory_order_relaxed);
        slot.second.store(nowSecs, std::memory_order_relaxed);
    }
    bump(slot.count);
}

void RateSeries::addTo(QList<quint32> &series, qint64 nowSecs, qint64 notBeforeSecs) const
{
    series.resize(Seconds);
    for (int i = 0; i < Seconds; ++i) {
        const qint64 second = nowSecs - Seconds + 1 + i;
        if (second < notBeforeSecs || second < 0)
            continue;
        const Slot &slot = m_slots[std::size_t(second % Seconds)];
        if (slot.second.load(std::memory_order_relaxed) == second)
            series[i] += quint32(read(slot.count));
    }
}

} // namespace lbscope
