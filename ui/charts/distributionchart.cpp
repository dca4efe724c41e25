#include "charts/distributionchart.h"

#include "backendpalette.h"
#include "balancing/expectedshare.h"
#include "charts/chartstyle.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int RedrawIntervalMs = 200;
constexpr double MarkerHalfWidth = 0.36; // of a category; the bars are 0.6 wide

int percent(double share)
{
    return int(std::lround(share * 100));
}

} // namespace

DistributionChart::DistributionChart(BackendPalette *palette, QWidget *parent)
    : LiveChartView(palette, parent)
    , m_bars(new QStackedBarSeries)
    , m_axisX(new QBarCategoryAxis)
    , m_axisY(new QValueAxis)
{
    chart()->setTitle(tr("Requests per backend"));
    m_bars->setBarWidth(0.6);
    m_bars->setLabelsVisible(true);
    m_bars->setLabelsFormat(u"@value"_s);
    m_bars->setLabelsPosition(QAbstractBarSeries::LabelsCenter);
    chart()->addSeries(m_bars);
    chart()->addAxis(m_axisX, Qt::AlignBottom);
    chart()->addAxis(m_axisY, Qt::AlignLeft);
    m_bars->attachAxis(m_axisX);
    m_bars->attachAxis(m_axisY);
    m_axisY->setTitleText(tr("requests"));
    setAxisLabelsOptional(m_axisY);
    charts::setNiceRange(m_axisY, 0);
    m_axisX->setGridLineVisible(false);
    setToolTip(tr("Requests each backend got since the counters started; the dashed mark on each bar is the "
                  "share its weight predicts. Click a bar to show that backend."));
    connect(m_bars, &QAbstractBarSeries::hovered, this,
            [this](bool status, int index, QBarSet *) { handleBarHovered(status, index); });
    connect(m_bars, &QAbstractBarSeries::clicked, this, [this](int index, QBarSet *) {
        if (index >= 0 && index < peers().size())
            emit backendActivated(peers()[index]);
    });
    applyStyle();
}

QBarSet *DistributionChart::barSet(QByteArrayView peer) const
{
    const qsizetype index = peerIndex(peer);
    return index < 0 ? nullptr : m_bars->barSets().value(index);
}

void DistributionChart::clearData()
{
    // The bars follow the cumulative counters: a reset shows in the next snapshot's values.
    m_total = 0;
}

void DistributionChart::handlePeersChanged()
{
    // Backends came or went: one set per backend, each with its value at its own category.
    m_bars->clear();
    const QList<QByteArray> &current = peers();
    for (auto it = m_markers.begin(); it != m_markers.end();) {
        if (current.contains(it.key())) {
            ++it;
            continue;
        }
        chart()->removeSeries(it.value());
        delete it.value();
        it = m_markers.erase(it);
    }
    m_categories.clear();
    for (const QByteArray &peer : current) {
        auto *set = new QBarSet(peerLabel(peer));
        set->append(QList<qreal>(current.size(), 0.0));
        m_bars->append(set);
        m_categories.append(peerLabel(peer));
        if (!m_markers.contains(peer)) {
            auto *marker = new QLineSeries;
            chart()->addSeries(marker);
            marker->attachAxis(m_axisX);
            marker->attachAxis(m_axisY);
            m_markers.insert(peer, marker);
        }
    }
    m_axisX->setCategories(m_categories);
    m_counts.fill(0, current.size());
    m_expected.fill(0.0, current.size());
    m_weights.fill(1, current.size());
    applyStyle();
}

void DistributionChart::handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick)
{
    if (!throttle(tick, RedrawIntervalMs))
        return;
    const ExpectedShares expected = lbscope::expectedShares(upstream);
    m_dependsOnKeys = expected.dependsOnKeys;
    m_total = 0;
    for (const PeerSnapshot &peer : upstream.peers)
        m_total += peer.counts.requests;

    const QList<QBarSet *> sets = m_bars->barSets();
    double highest = 0;
    for (qsizetype i = 0; i < upstream.peers.size() && i < sets.size(); ++i) {
        const quint64 count = upstream.peers[i].counts.requests;
        if (count != m_counts[i] || sets[i]->at(i) != double(count)) {
            m_counts[i] = count;
            sets[i]->replace(int(i), double(count));
        }
        m_weights[i] = upstream.peers[i].weight;
        const double share = expected.shares.value(i);
        const double level = share * double(m_total);
        QLineSeries *marker = m_markers.value(upstream.peers[i].peer);
        if (marker && (share != m_expected[i] || marker->count() != 2 || marker->at(0).y() != level ||
                       marker->at(0).x() != double(i) - MarkerHalfWidth)) {
            marker->replace({QPointF(double(i) - MarkerHalfWidth, level), QPointF(double(i) + MarkerHalfWidth, level)});
        }
        m_expected[i] = share;
        highest = std::max({highest, double(count), level});
    }
    charts::setNiceRange(m_axisY, highest * 1.08);
    updateLabels();
}

void DistributionChart::updateLabels()
{
    // "#1 :3000 · 40 %": the observed share under each bar; categories change only when a
    // rounded share does.
    QStringList categories;
    categories.reserve(peers().size());
    for (qsizetype i = 0; i < peers().size(); ++i) {
        QString label = peerLabel(peers()[i]);
        if (m_total > 0)
            label += u" · %1 %"_s.arg(percent(double(m_counts[i]) / double(m_total)));
        categories.append(label);
    }
    if (categories != m_categories) {
        m_categories = categories;
        m_axisX->setCategories(m_categories);
    }
    bool legendShown = false;
    const QString name = m_dependsOnKeys ? tr("expected by weight (depends on keys)") : tr("expected by weight");
    for (const QByteArray &peer : peers()) {
        QLineSeries *marker = m_markers.value(peer);
        if (!marker)
            continue;
        if (marker->name() != name)
            marker->setName(name);
        for (QLegendMarker *legendMarker : chart()->legend()->markers(marker))
            legendMarker->setVisible(!legendShown);
        legendShown = true;
    }
}

QString DistributionChart::tooltipFor(qsizetype index) const
{
    const QByteArray &peer = peers()[index];
    const double observed = m_total > 0 ? double(m_counts[index]) / double(m_total) : 0.0;
    QString text = tr("%1 (%2)\n%3 requests, %4 % of %5\nexpected by weight %6: %7 %")
                       .arg(peerLabel(peer), QString::fromLatin1(peer))
                       .arg(m_counts[index])
                       .arg(percent(observed))
                       .arg(m_total)
                       .arg(m_weights.value(index))
                       .arg(percent(m_expected.value(index)));
    if (m_dependsOnKeys)
        text += u'\n' + tr("The hash method sends each key to one backend: with few distinct keys the "
                           "shares can be far from the weights.");
    return text;
}

void DistributionChart::handleBarHovered(bool status, int index)
{
    if (status && index >= 0 && index < peers().size())
        QToolTip::showText(QCursor::pos(), tooltipFor(index), this);
    else
        QToolTip::hideText();
}

void DistributionChart::applyStyle()
{
    restyle();
    const QColor text = palette().color(QPalette::Text);
    const QList<QBarSet *> sets = m_bars->barSets();
    for (qsizetype i = 0; i < sets.size() && i < peers().size(); ++i) {
        const QColor color = backendPalette().colorFor(peers()[i]);
        sets[i]->setColor(color);
        sets[i]->setBorderColor(color);
        sets[i]->setLabelColor(BackendPalette::textColorOn(color));
        sets[i]->setLabelFont(charts::titleFont(font()));
    }
    for (QLegendMarker *marker : chart()->legend()->markers(m_bars))
        marker->setVisible(false);
    QPen pen(text, charts::lineWidth(), Qt::DashLine);
    pen.setCapStyle(Qt::FlatCap);
    for (QLineSeries *marker : std::as_const(m_markers))
        marker->setPen(pen);
    updateLabels();
}

} // namespace lbscope
