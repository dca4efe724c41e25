#include "charts/latencychart.h"

#include "backendpalette.h"
#include "charts/chartstyle.h"

#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// Loopback answers in tens of microseconds; below this the log axis would only show noise.
constexpr double FloorMs = 0.01;

QPen linePen(const QColor &color, Qt::PenStyle style, qreal width = charts::lineWidth())
{
    QPen pen(color, style == Qt::SolidLine ? width : charts::lineWidth() - 0.5 * charts::lineScale(), style);
    pen.setJoinStyle(Qt::RoundJoin);
    pen.setCapStyle(Qt::RoundCap);
    return pen;
}

} // namespace

LatencyChart::LatencyChart(BackendPalette *palette, QWidget *parent)
    : LiveChartView(palette, parent)
    , m_axisX(new QValueAxis)
    , m_axisY(new QLogValueAxis)
    , m_keyP50(new QLineSeries)
    , m_keyP99(new QLineSeries)
{
    setLegendOptional(true);
    chart()->setTitle(tr("Latency (ms): p50 solid, p99 dashed"));
    chart()->addAxis(m_axisX, Qt::AlignBottom);
    chart()->addAxis(m_axisY, Qt::AlignLeft);
    m_axisX->setTitleText(tr("seconds ago"));
    m_axisY->setTitleText(tr("ms (log scale)"));
    m_axisY->setBase(10);
    m_axisY->setLabelFormat(u"%g"_s);
    m_axisY->setMinorTickCount(0);
    m_axisY->setRange(0.1, 10);
    // Legend keys for the two line styles, before the backends' entries.
    for (QLineSeries *key : {m_keyP50, m_keyP99}) {
        chart()->addSeries(key);
        key->attachAxis(m_axisX);
        key->attachAxis(m_axisY);
    }
    m_keyP50->setName(tr("p50"));
    m_keyP99->setName(tr("p99"));
    charts::setSecondsAgoRange(m_axisX, m_windowSeconds);
    setToolTip(tr("Response time of each backend per second: half the responses were faster than the solid "
                  "line (p50), 99 in 100 faster than the dashed one (p99). Logarithmic scale."));
    applyStyle();
}

LatencyChart::~LatencyChart() = default;

void LatencyChart::setWindowSeconds(int seconds)
{
    if (charts::changeWindow(m_axisX, &m_windowSeconds, seconds))
        redraw();
}

const LatencyChart::Track *LatencyChart::track(QByteArrayView peer) const
{
    return m_tracks.value(peer.toByteArray()).get();
}

double LatencyChart::latestP50(QByteArrayView peer) const
{
    const Track *found = track(peer);
    return found ? found->p50.maxIn(m_newestSecond, 1) : std::nan("");
}

double LatencyChart::latestP99(QByteArrayView peer) const
{
    const Track *found = track(peer);
    return found ? found->p99.maxIn(m_newestSecond, 1) : std::nan("");
}

const charts::GappedLine *LatencyChart::p50Line(QByteArrayView peer) const
{
    const Track *found = track(peer);
    return found ? found->p50Line.get() : nullptr;
}

const charts::GappedLine *LatencyChart::p99Line(QByteArrayView peer) const
{
    const Track *found = track(peer);
    return found ? found->p99Line.get() : nullptr;
}

void LatencyChart::clearData()
{
    for (const std::shared_ptr<Track> &track : std::as_const(m_tracks)) {
        track->p50.clear();
        track->p99.clear();
        track->hasBaseline = false;
    }
    m_newestSecond = -1;
    redraw();
}

void LatencyChart::handlePeersChanged()
{
    const QList<QByteArray> &current = peers();
    for (auto it = m_tracks.begin(); it != m_tracks.end();) {
        if (current.contains(it.key()))
            ++it;
        else
            it = m_tracks.erase(it);
    }
    for (const QByteArray &peer : current) {
        if (m_tracks.contains(peer))
            continue;
        auto track = std::make_shared<Track>();
        const QColor color = backendPalette().colorFor(peer);
        track->p50Line = std::make_unique<charts::GappedLine>(chart(), m_axisX, m_axisY, peerLabel(peer),
                                                              linePen(color, Qt::SolidLine));
        track->p99Line =
            std::make_unique<charts::GappedLine>(chart(), m_axisX, m_axisY, QString(), linePen(color, Qt::DashLine));
        m_tracks.insert(peer, track);
    }
    applyStyle();
}

void LatencyChart::handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick)
{
    const qint64 newest = tick.stats.takenAtMs / 1000 - 1;
    if (newest <= m_newestSecond)
        return;
    // What was answered since the last second boundary we saw belongs to the second that just
    // ended; the first sample only sets the baseline.
    for (const PeerSnapshot &peer : upstream.peers) {
        const std::shared_ptr<Track> track = m_tracks.value(peer.peer);
        if (!track)
            continue;
        LatencyCounts delta = peer.counts.responseTime;
        if (track->hasBaseline) {
            delta.subtract(track->baseline);
            if (delta.count > 0) {
                track->p50.set(newest, std::max(FloorMs, delta.percentileMs(0.50)));
                track->p99.set(newest, std::max(FloorMs, delta.percentileMs(0.99)));
            } else {
                track->p50.setGap(newest);
                track->p99.setGap(newest);
            }
        }
        track->baseline = peer.counts.responseTime;
        track->hasBaseline = true;
    }
    m_newestSecond = newest;
    redraw();
}

void LatencyChart::redraw()
{
    double low = std::nan("");
    double high = std::nan("");
    for (const std::shared_ptr<Track> &track : std::as_const(m_tracks)) {
        track->p50Line->setRuns(track->p50.runs(m_newestSecond, m_windowSeconds));
        track->p99Line->setRuns(track->p99.runs(m_newestSecond, m_windowSeconds));
        const double trackLow = track->p50.minIn(m_newestSecond, m_windowSeconds);
        const double trackHigh = track->p99.maxIn(m_newestSecond, m_windowSeconds);
        if (!(trackLow >= low))
            low = trackLow;
        if (!(trackHigh <= high))
            high = trackHigh;
    }
    // Whole decades, at least two, so the scale moves seldom and reads at a glance.
    double bottom = 0.1;
    double top = 10;
    if (!std::isnan(low) && !std::isnan(high)) {
        bottom = std::pow(10.0, std::floor(std::log10(std::max(low, FloorMs)) + 1e-9));
        top = std::pow(10.0, std::ceil(std::log10(std::max(high, FloorMs)) - 1e-9));
        if (top < bottom * 100)
            top = bottom * 100;
    }
    if (m_axisY->min() != bottom || m_axisY->max() != top)
        m_axisY->setRange(bottom, top);
}

void LatencyChart::applyStyle()
{
    restyle();
    const QColor text = palette().color(QPalette::Text);
    m_keyP50->setPen(linePen(text, Qt::SolidLine));
    m_keyP99->setPen(linePen(text, Qt::DashLine));
    for (auto it = m_tracks.cbegin(); it != m_tracks.cend(); ++it) {
        const QColor color = backendPalette().colorFor(it.key());
        it.value()->p50Line->setPen(
            linePen(color, Qt::SolidLine, charts::stackedLineWidth(peerIndex(it.key()), peers().size())));
        it.value()->p50Line->setName(peerLabel(it.key()));
        it.value()->p99Line->setPen(linePen(color, Qt::DashLine));
    }
    // One legend entry per backend: the p99 lines are told apart by their dashes.
    for (const std::shared_ptr<Track> &track : std::as_const(m_tracks)) {
        for (QLineSeries *segment : track->p99Line->segments()) {
            for (QLegendMarker *marker : chart()->legend()->markers(segment))
                marker->setVisible(false);
        }
    }
}

} // namespace lbscope
