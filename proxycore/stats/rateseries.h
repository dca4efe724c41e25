#pragma once

// Requests per second over the last five minutes, in one-second buckets kept in a ring by
// the second they count. One writer; readers add the workers' rings up.

#include "stats/counter.h"

#include <QList>

#include <array>

namespace lbscope {

class RateSeries
{
public:
    static constexpr int Seconds = 300;

    void add(qint64 nowSecs);
    // Adds this ring's counts into series[i] for the second (nowSecs - Seconds + 1 + i),
    // leaving out seconds before notBeforeSecs.
    void addTo(QList<quint32> &series, qint64 nowSecs, qint64 notBeforeSecs) const;

private:
    struct Slot
    {
        std::atomic<qint64> second{-1};
        Counter count{0};
    };
    std::array<Slot, Seconds> m_slots{};
};

} // namespace lbscope
