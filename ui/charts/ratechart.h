#pragma once

// Requests per second per backend, one line each in its colour, over the last 1, 5 or 15
// minutes on a fixed "seconds ago" axis. A point is one whole second, taken from the
// engine's per-second counts (PeerSnapshot::rate), so the first tick already fills the
// last five minutes.

#include "charts/livechartview.h"
#include "charts/secondring.h"

#include <QHash>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace lbscope {

class RateChart final : public LiveChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateChart)

public:
    static constexpr int DefaultWindowSeconds = 60;

    explicit RateChart(BackendPalette *palette, QWidget *parent = nullptr);

    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }

    QLineSeries *series(QByteArrayView peer) const { return m_series.value(peer.toByteArray()); }
    QValueAxis *timeAxis() const { return m_axisX; }
    QValueAxis *valueAxis() const { return m_axisY; }

protected:
    void clearData() override;
    void handlePeersChanged() override;
    void handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick) override;
    void applyStyle() override;

private:
    void redraw();

    QValueAxis *m_axisX;
    QValueAxis *m_axisY;
    QHash<QByteArray, QLineSeries *> m_series;
    QHash<QByteArray, charts::SecondRing> m_rings;
    int m_windowSeconds = DefaultWindowSeconds;
    qint64 m_newestSecond = -1; // the newest whole second in the rings
};

} // namespace lbscope
