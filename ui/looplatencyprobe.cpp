#include "looplatencyprobe.h"

#include <algorithm>

namespace lbscope {

LoopLatencyProbe::LoopLatencyProbe(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(IntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &LoopLatencyProbe::handleTimeout);
}

void LoopLatencyProbe::start()
{
    m_clock.start();
    m_dueNs = qint64(IntervalMs) * 1'000'000;
    m_timer.start();
}

void LoopLatencyProbe::stop()
{
    m_timer.stop();
}

void LoopLatencyProbe::clear()
{
    m_latenciesMs.clear();
}

void LoopLatencyProbe::handleTimeout()
{
    const qint64 now = m_clock.nsecsElapsed();
    m_latenciesMs.append(double(std::max<qint64>(0, now - m_dueNs)) / 1e6);
    // Lateness is the gap between two timeouts beyond the interval: a stall shows in full.
    m_dueNs = now + qint64(IntervalMs) * 1'000'000;
}

double LoopLatencyProbe::percentileMs(double fraction) const
{
    if (m_latenciesMs.isEmpty())
        return 0;
    QList<double> sorted = m_latenciesMs;
    const auto index = std::min(sorted.size() - 1, qsizetype(fraction * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + index, sorted.end());
    return sorted[index];
}

double LoopLatencyProbe::maxMs() const
{
    return m_latenciesMs.isEmpty() ? 0 : *std::max_element(m_latenciesMs.cbegin(), m_latenciesMs.cend());
}

} // namespace lbscope
