#include "charts/ratechart.h"

#include "backendpalette.h"
#include "charts/chartstyle.h"

#include <QLineSeries>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace lbscope {

RateChart::RateChart(BackendPalette *palette, QWidget *parent)
    : LiveChartView(palette, parent)
    , m_axisX(new QValueAxis)
    , m_axisY(new QValueAxis)
{
    setLegendOptional(true);
    chart()->setTitle(tr("Requests/s"));
    chart()->addAxis(m_axisX, Qt::AlignBottom);
    chart()->addAxis(m_axisY, Qt::AlignLeft);
    m_axisX->setTitleText(tr("seconds ago"));
    charts::setSecondsAgoRange(m_axisX, m_windowSeconds);
    charts::setNiceRange(m_axisY, 0);
    setToolTip(tr("Requests per second each backend got, one point per second"));
    applyStyle();
}

void RateChart::setWindowSeconds(int seconds)
{
    if (charts::changeWindow(m_axisX, &m_windowSeconds, seconds))
        redraw();
}

void RateChart::clearData()
{
    for (charts::SecondRing &ring : m_rings)
        ring.clear();
    m_newestSecond = -1;
}

void RateChart::handlePeersChanged()
{
    const QList<QByteArray> &current = peers();
    for (auto it = m_series.begin(); it != m_series.end();) {
        if (current.contains(it.key())) {
            ++it;
            continue;
        }
        chart()->removeSeries(it.value());
        delete it.value();
        m_rings.remove(it.key());
        it = m_series.erase(it);
    }
    for (const QByteArray &peer : current) {
        if (m_series.contains(peer))
            continue;
        auto *series = new QLineSeries;
        chart()->addSeries(series);
        series->attachAxis(m_axisX);
        series->attachAxis(m_axisY);
        m_series.insert(peer, series);
        m_rings[peer].clear();
    }
    // A new backend's ring starts empty; fill it from the engine's history like the first tick.
    m_newestSecond = -1;
    applyStyle();
}

void RateChart::handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick)
{
    const qint64 nowSecond = tick.stats.takenAtMs / 1000;
    const qint64 newest = nowSecond - 1; // the current second is still counting
    if (newest <= m_newestSecond)
        return;
    // On the first tick after a start, reset or new backend, take the whole history the engine
    // keeps, but nothing from before the counters started.
    const qint64 since = tick.stats.sinceMs / 1000;
    const qint64 first =
        m_newestSecond < 0 ? std::max(newest - charts::SecondRing::Capacity + 1, since) : m_newestSecond + 1;
    for (const PeerSnapshot &peer : upstream.peers) {
        charts::SecondRing &ring = m_rings[peer.peer];
        for (qint64 second = first; second <= newest; ++second) {
            const qsizetype index = peer.rate.size() - 1 - qsizetype(nowSecond - second);
            if (index >= 0)
                ring.set(second, double(peer.rate[index]));
        }
    }
    m_newestSecond = newest;
    redraw();
}

void RateChart::redraw()
{
    if (m_newestSecond < 0)
        return;
    double highest = 0;
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        const charts::SecondRing &ring = m_rings[it.key()];
        it.value()->replace(ring.points(m_newestSecond, m_windowSeconds));
        const double top = ring.maxIn(m_newestSecond, m_windowSeconds);
        if (top > highest)
            highest = top;
    }
    charts::setNiceRange(m_axisY, highest * 1.05);
}

void RateChart::applyStyle()
{
    restyle();
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        QPen pen(backendPalette().colorFor(it.key()), charts::stackedLineWidth(peerIndex(it.key()), peers().size()));
        pen.setJoinStyle(Qt::RoundJoin);
        it.value()->setPen(pen);
        it.value()->setName(peerLabel(it.key()));
    }
}

} // namespace lbscope
