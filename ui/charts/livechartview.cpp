#include "charts/livechartview.h"

#include "backendpalette.h"
#include "charts/chartstyle.h"

#include <QAbstractAxis>
#include <QEvent>
#include <QLegend>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QByteArrayView hostOf(QByteArrayView peer)
{
    const qsizetype colon = peer.lastIndexOf(':');
    return colon < 0 ? peer : peer.first(colon);
}

} // namespace

LiveChartView::LiveChartView(BackendPalette *palette, QWidget *parent)
    : QChartView(parent)
    , m_palette(palette)
{
    setRenderHint(QPainter::Antialiasing);
    // Low enough for two rows of charts under every server's row on a 720-pixel projector in
    // presentation mode.
    setMinimumSize(200, 130);
    chart()->setAnimationOptions(QChart::NoAnimation);
}

void LiveChartView::setUpstream(const QString &name)
{
    if (name == m_upstream)
        return;
    m_upstream = name;
    m_dirty = true;
}

void LiveChartView::handleTick(const LiveTick &tick)
{
    const UpstreamSnapshot *shown = nullptr;
    for (const UpstreamSnapshot &upstream : tick.stats.upstreams) {
        if (m_upstream.isEmpty() || upstream.name == m_upstream) {
            shown = &upstream;
            break;
        }
    }
    static const UpstreamSnapshot none;
    const UpstreamSnapshot &upstream = shown ? *shown : none;

    if (m_dirty || tick.stats.sinceMs != m_sinceMs) {
        m_sinceMs = tick.stats.sinceMs;
        m_dirty = true;
        clearData();
    }
    QList<QByteArray> peers;
    peers.reserve(upstream.peers.size());
    for (const PeerSnapshot &peer : upstream.peers)
        peers.append(peer.peer);
    if (peers != m_peers) {
        m_peers = peers;
        m_sameHost = std::all_of(m_peers.cbegin(), m_peers.cend(),
                                 [&](const QByteArray &peer) { return hostOf(peer) == hostOf(m_peers.first()); });
        handlePeersChanged();
        m_dirty = true;
    }
    handleSnapshot(upstream, tick);
    m_dirty = false;
}

bool LiveChartView::throttle(const LiveTick &tick, int intervalMs)
{
    if (!m_dirty && tick.nowMs >= m_lastDrawnMs && tick.nowMs - m_lastDrawnMs < intervalMs)
        return false;
    m_lastDrawnMs = tick.nowMs;
    return true;
}

QString LiveChartView::peerLabel(const QByteArray &peer) const
{
    const QByteArrayView shown = m_sameHost ? QByteArrayView(peer).sliced(hostOf(peer).size()) : QByteArrayView(peer);
    return u"#%1 %2"_s.arg(m_palette->numberFor(peer)).arg(QString::fromLatin1(shown));
}

qsizetype LiveChartView::peerIndex(QByteArrayView peer) const
{
    return m_peers.indexOf(peer);
}

void LiveChartView::restyle()
{
    charts::styleChart(chart(), palette(), font());
}

void LiveChartView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyStyle();
}

void LiveChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    const bool roomy = height() >= MinimumHeightForLegend;
    if (m_legendOptional)
        chart()->legend()->setVisible(roomy);
    for (QAbstractAxis *axis : chart()->axes())
        axis->setTitleVisible(roomy);
    if (m_optionalLabels)
        m_optionalLabels->setLabelsVisible(roomy);
}

} // namespace lbscope
