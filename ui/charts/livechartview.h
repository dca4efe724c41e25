#pragma once

// What every live chart does alike: follows one upstream of the tick's snapshot, notices
// when its set of backends changes (edits add and remove servers) and when the counters
// were reset (StatsSnapshot::sinceMs moves), and restyles itself when the palette changes.
// The chart classes say what to draw.

#include "livetick.h"

#include <QChartView>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
QT_END_NAMESPACE

namespace lbscope {

class BackendPalette;

class LiveChartView : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChartView)

public:
    explicit LiveChartView(BackendPalette *palette, QWidget *parent = nullptr);

    // The upstream whose backends are shown; empty: the first one.
    void setUpstream(const QString &name);
    QString upstream() const { return m_upstream; }
    // The backends shown, in the pool's order ("127.0.0.1:3000").
    const QList<QByteArray> &peers() const { return m_peers; }

public slots:
    void handleTick(const lbscope::LiveTick &tick);

protected:
    // The counters were reset or another upstream is shown: forget rings and baselines.
    virtual void clearData() = 0;
    // The set of backends changed (peers() holds the new one): add and remove series.
    virtual void handlePeersChanged() = 0;
    virtual void handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick) = 0;
    // The palette or the font changed: colours and fonts again.
    virtual void applyStyle() = 0;

    BackendPalette &backendPalette() const { return *m_palette; }
    // "#1 :3000" (the host too when the backends are on several hosts).
    QString peerLabel(const QByteArray &peer) const;
    qsizetype peerIndex(QByteArrayView peer) const;
    // True at most every intervalMs of tick time: bars re-lay out on every change, so they
    // follow the counters a few times a second rather than at the poller's rate.
    bool throttle(const LiveTick &tick, int intervalMs);
    // Call after the chart's axes and series exist: styles it from the widget's palette.
    void restyle();

    void changeEvent(QEvent *event) override;
    // When the view is short, axis titles and a legend the colours and numbers already explain
    // (the backends) give their room to the axes, whose labels Qt Charts would otherwise elide.
    void resizeEvent(QResizeEvent *event) override;
    void setLegendOptional(bool optional) { m_legendOptional = optional; }
    // An axis whose numbers the chart also prints elsewhere (the counts in the bars) hides them.
    void setAxisLabelsOptional(QAbstractAxis *axis) { m_optionalLabels = axis; }
    static constexpr int MinimumHeightForLegend = 240;

private:
    bool m_legendOptional = false;
    QAbstractAxis *m_optionalLabels = nullptr;
    BackendPalette *m_palette;
    QString m_upstream;
    QList<QByteArray> m_peers;
    qint64 m_sinceMs = -1;
    qint64 m_lastDrawnMs = 0;
    bool m_dirty = true;
    bool m_sameHost = true;
};

} // namespace lbscope
