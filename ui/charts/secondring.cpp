#include "charts/secondring.h"

#include <cmath>

namespace lbscope::charts {

namespace {

std::size_t slotOf(qint64 second)
{
    return std::size_t(second % SecondRing::Capacity);
}

} // namespace

void SecondRing::set(qint64 second, double value)
{
    if (second < 0)
        return;
    if (m_newest >= 0 && second <= m_newest - Capacity)
        return;
    if (second > m_newest) {
        const qint64 firstSkipped = std::max(m_newest + 1, second - Capacity + 1);
        for (qint64 s = firstSkipped; s < second; ++s)
            m_values[slotOf(s)] = std::numeric_limits<double>::quiet_NaN();
        m_newest = second;
    }
    m_values[slotOf(second)] = value;
}

void SecondRing::clear()
{
    m_newest = -1;
}

double SecondRing::valueAt(qint64 second) const
{
    if (m_newest < 0 || second > m_newest || second <= m_newest - Capacity || second < 0)
        return std::numeric_limits<double>::quiet_NaN();
    return m_values[slotOf(second)];
}

template <typename Visit> void SecondRing::forEach(qint64 newestSecond, int windowSeconds, Visit visit) const
{
    const int window = std::min(windowSeconds, Capacity);
    for (qint64 second = newestSecond - window + 1; second <= newestSecond; ++second)
        visit(second, valueAt(second));
}

QList<QPointF> SecondRing::points(qint64 newestSecond, int windowSeconds) const
{
    QList<QPointF> result;
    result.reserve(std::min(windowSeconds, Capacity));
    forEach(newestSecond, windowSeconds, [&](qint64 second, double value) {
        if (!std::isnan(value))
            result.append(QPointF(double(second - newestSecond), value));
    });
    return result;
}

QList<QList<QPointF>> SecondRing::runs(qint64 newestSecond, int windowSeconds) const
{
    QList<QList<QPointF>> result;
    bool inRun = false;
    forEach(newestSecond, windowSeconds, [&](qint64 second, double value) {
        if (std::isnan(value)) {
            inRun = false;
            return;
        }
        if (!inRun)
            result.append(QList<QPointF>());
        inRun = true;
        result.last().append(QPointF(double(second - newestSecond), value));
    });
    return result;
}

double SecondRing::maxIn(qint64 newestSecond, int windowSeconds) const
{
    double result = std::numeric_limits<double>::quiet_NaN();
    forEach(newestSecond, windowSeconds, [&](qint64, double value) {
        if (!std::isnan(value) && !(value <= result))
            result = value;
    });
    return result;
}

double SecondRing::minIn(qint64 newestSecond, int windowSeconds) const
{
    double result = std::numeric_limits<double>::quiet_NaN();
    forEach(newestSecond, windowSeconds, [&](qint64, double value) {
        if (!std::isnan(value) && !(value >= result))
            result = value;
    });
    return result;
}

} // namespace lbscope::charts
