#pragma once

// Response time p50 and p99 per backend, per second (solid p50, dashed p99, in the backend's
// colour), over the same window as the rate chart. Each point is that second's latency:
// the difference of the peer's cumulative histogram between two seconds, not a lifetime
// average; a second without responses is a gap. The value axis is logarithmic, so a backend
// 100 times slower than the others still leaves theirs readable.

#include "charts/gappedline.h"
#include "charts/livechartview.h"
#include "charts/secondring.h"
#include "stats/latencyhistogram.h"

#include <QHash>

#include <memory>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QLogValueAxis;
class QValueAxis;
QT_END_NAMESPACE

namespace lbscope {

class LatencyChart final : public LiveChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LatencyChart)

public:
    explicit LatencyChart(BackendPalette *palette, QWidget *parent = nullptr);
    ~LatencyChart() override;

    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }

    // The newest second's p50 and p99 of a backend in ms; NaN when it had no responses.
    double latestP50(QByteArrayView peer) const;
    double latestP99(QByteArrayView peer) const;
    const charts::GappedLine *p50Line(QByteArrayView peer) const;
    const charts::GappedLine *p99Line(QByteArrayView peer) const;
    QValueAxis *timeAxis() const { return m_axisX; }
    QLogValueAxis *valueAxis() const { return m_axisY; }

protected:
    void clearData() override;
    void handlePeersChanged() override;
    void handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick) override;
    void applyStyle() override;

private:
    struct Track
    {
        charts::SecondRing p50;
        charts::SecondRing p99;
        LatencyCounts baseline;
        bool hasBaseline = false;
        std::unique_ptr<charts::GappedLine> p50Line;
        std::unique_ptr<charts::GappedLine> p99Line;
    };

    void redraw();
    const Track *track(QByteArrayView peer) const;

    QValueAxis *m_axisX;
    QLogValueAxis *m_axisY;
    QLineSeries *m_keyP50;
    QLineSeries *m_keyP99;
    QHash<QByteArray, std::shared_ptr<Track>> m_tracks;
    int m_windowSeconds = 60;
    qint64 m_newestSecond = -1;
};

} // namespace lbscope
