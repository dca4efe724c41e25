#pragma once

// Requests per backend since the counters started, one bar per backend in its colour, with
// the share the weights predict drawn across each bar: where the bar's top and the marker
// part, the balancer is not doing what the weights say (or the method does not follow
// weights: hash keys, slow backends under least_conn, failures).

#include "charts/livechartview.h"

#include <QHash>

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSet;
class QLineSeries;
class QStackedBarSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace lbscope {

class DistributionChart final : public LiveChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DistributionChart)

public:
    explicit DistributionChart(BackendPalette *palette, QWidget *parent = nullptr);

    // For tests and tooltips: what is drawn now, in peers() order.
    QList<quint64> counts() const { return m_counts; }
    QList<double> expectedShares() const { return m_expected; }
    QBarSet *barSet(QByteArrayView peer) const;
    QLineSeries *expectedMarker(QByteArrayView peer) const { return m_markers.value(peer.toByteArray()); }
    bool dependsOnKeys() const { return m_dependsOnKeys; }

signals:
    void backendActivated(const QByteArray &peer);

protected:
    void clearData() override;
    void handlePeersChanged() override;
    void handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick) override;
    void applyStyle() override;

private:
    void handleBarHovered(bool status, int index);
    void updateLabels();
    QString tooltipFor(qsizetype index) const;

    QStackedBarSeries *m_bars;
    QBarCategoryAxis *m_axisX;
    QValueAxis *m_axisY;
    QHash<QByteArray, QLineSeries *> m_markers;
    QList<quint64> m_counts;
    QList<double> m_expected;
    QList<int> m_weights;
    QStringList m_categories;
    quint64 m_total = 0;
    bool m_dependsOnKeys = false;
};

} // namespace lbscope
