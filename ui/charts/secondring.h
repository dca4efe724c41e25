#pragma once

// One backend's value per second over the last 15 minutes (the longest window), in a fixed
// ring: memory stays flat however long the window is open. A second without a value (no
// request, or before the counters started) is a gap, not a zero.

#include <QList>
#include <QPointF>

#include <array>
#include <limits>

namespace lbscope::charts {

class SecondRing
{
public:
    static constexpr int Capacity = 900;

    // Records the value of `second` (epoch seconds); seconds skipped since the newest become
    // gaps. A second older than the ring holds is ignored.
    void set(qint64 second, double value);
    void setGap(qint64 second) { set(second, std::numeric_limits<double>::quiet_NaN()); }
    void clear();
    bool isEmpty() const { return m_newest < 0; }

    // The values of the windowSeconds seconds up to newestSecond, as (second - newestSecond,
    // value), oldest first, gaps left out.
    QList<QPointF> points(qint64 newestSecond, int windowSeconds) const;
    // The same points cut at the gaps: one run of consecutive seconds each.
    QList<QList<QPointF>> runs(qint64 newestSecond, int windowSeconds) const;
    // The largest and smallest value in that window; NaN when it has none.
    double maxIn(qint64 newestSecond, int windowSeconds) const;
    double minIn(qint64 newestSecond, int windowSeconds) const;

private:
    double valueAt(qint64 second) const;
    template <typename Visit> void forEach(qint64 newestSecond, int windowSeconds, Visit visit) const;

    std::array<double, Capacity> m_values{};
    qint64 m_newest = -1;
};

} // namespace lbscope::charts
