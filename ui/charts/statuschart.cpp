#include "charts/statuschart.h"

#include "backendpalette.h"
#include "charts/chartstyle.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QLegend>
#include <QLegendMarker>
#include <QPercentBarSeries>
#include <QToolTip>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int RedrawIntervalMs = 250;

// Paul Tol's pale grey, grey, cyan, sand and wine.
constexpr std::array<QRgb, StatusChart::Classes> ClassColors = {0xffdddddd, 0xffaaaaaa, 0xff88ccee, 0xffddcc77,
                                                                0xff882255};

} // namespace

StatusChart::StatusChart(BackendPalette *palette, QWidget *parent)
    : LiveChartView(palette, parent)
    , m_bars(new QPercentBarSeries)
    , m_axisX(new QBarCategoryAxis)
    , m_axisY(new QValueAxis)
{
    chart()->setTitle(tr("Responses by status"));
    for (int i = 0; i < Classes; ++i) {
        m_sets[std::size_t(i)] = new QBarSet(u"%1xx"_s.arg(i + 1));
        m_bars->append(m_sets[std::size_t(i)]);
    }
    m_bars->setBarWidth(0.6);
    chart()->addSeries(m_bars);
    chart()->addAxis(m_axisX, Qt::AlignBottom);
    chart()->addAxis(m_axisY, Qt::AlignLeft);
    m_bars->attachAxis(m_axisX);
    m_bars->attachAxis(m_axisY);
    m_axisX->setGridLineVisible(false);
    m_axisY->setRange(0, 100);
    m_axisY->setTickCount(5);
    m_axisY->setLabelFormat(u"%.0f %%"_s);
    setAxisLabelsOptional(m_axisY); // short: the stacks show the shares, the tooltip the numbers
    setToolTip(tr("Each backend's responses by status class, as a share of its responses"));
    connect(m_bars, &QAbstractBarSeries::hovered, this, &StatusChart::handleBarHovered);
    applyStyle();
}

void StatusChart::handlePeersChanged()
{
    const qsizetype count = peers().size();
    for (QBarSet *set : m_sets) {
        if (set->count() > count)
            set->remove(int(count), set->count() - int(count));
        while (set->count() < count)
            set->append(0.0);
        // The values now belong to other backends; the next snapshot sets them all.
        for (int i = 0; i < set->count(); ++i)
            set->replace(i, 0.0);
    }
    QStringList categories;
    for (const QByteArray &peer : peers())
        categories.append(peerLabel(peer));
    m_axisX->setCategories(categories);
}

void StatusChart::handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick)
{
    if (!throttle(tick, RedrawIntervalMs))
        return;
    for (qsizetype i = 0; i < upstream.peers.size(); ++i) {
        for (std::size_t c = 0; c < Classes; ++c) {
            const double value = double(upstream.peers[i].counts.responses[c]);
            if (i < m_sets[c]->count() && m_sets[c]->at(int(i)) != value)
                m_sets[c]->replace(int(i), value);
        }
    }
}

void StatusChart::handleBarHovered(bool status, int index, QBarSet *)
{
    if (!status || index < 0 || index >= peers().size()) {
        QToolTip::hideText();
        return;
    }
    double total = 0;
    for (const QBarSet *set : m_sets)
        total += set->at(index);
    QStringList lines{peerLabel(peers()[index])};
    for (const QBarSet *set : m_sets) {
        const double value = set->at(index);
        lines.append(tr("%1: %2 (%3 %)")
                         .arg(set->label())
                         .arg(qint64(value))
                         .arg(total > 0 ? int(std::lround(value * 100 / total)) : 0));
    }
    QToolTip::showText(QCursor::pos(), lines.join(u'\n'), this);
}

void StatusChart::applyStyle()
{
    restyle();
    for (std::size_t c = 0; c < Classes; ++c) {
        const QColor color = QColor::fromRgba(ClassColors[c]);
        m_sets[c]->setColor(color);
        m_sets[c]->setBorderColor(color.darker(140));
    }
    // The legend's default marker for bars is a small outline; a filled square reads at a glance.
    chart()->legend()->setMarkerShape(QLegend::MarkerShapeRectangle);
    const QList<QLegendMarker *> markers = chart()->legend()->markers(m_bars);
    for (qsizetype i = 0; i < markers.size() && i < Classes; ++i) {
        markers[i]->setBrush(QColor::fromRgba(ClassColors[std::size_t(i)]));
        markers[i]->setPen(QPen(QColor::fromRgba(ClassColors[std::size_t(i)]).darker(140)));
    }
    QStringList categories;
    for (const QByteArray &peer : peers())
        categories.append(peerLabel(peer));
    if (m_axisX->categories() != categories)
        m_axisX->setCategories(categories);
}

} // namespace lbscope
