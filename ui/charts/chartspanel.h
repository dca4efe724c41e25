#pragma once

// The window's central area: the four live charts in a 2x2 grid, the time window they share
// (1, 5 or 15 minutes), the upstream they show when the configuration has several, and the
// button that resets the counters (the lead connects it to Engine::resetStats).

#include "livetick.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QGridLayout;
class QHBoxLayout;
class QLabel;
class QPushButton;
QT_END_NAMESPACE

namespace lbscope {

class BackendPalette;
class DistributionChart;
class LatencyChart;
class RateChart;
class StatusChart;

class ChartsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsPanel)

public:
    explicit ChartsPanel(BackendPalette *palette, QWidget *parent = nullptr);

    // 60, 300 or 900 (another value is taken as the nearest of them).
    void setWindowSeconds(int seconds);
    int windowSeconds() const;
    // The upstream the charts show; empty: the first one.
    void setUpstream(const QString &name);
    QString upstream() const { return m_upstream; }

    DistributionChart *distributionChart() const { return m_distribution; }
    RateChart *rateChart() const { return m_rate; }
    LatencyChart *latencyChart() const { return m_latency; }
    StatusChart *statusChart() const { return m_status; }
    QComboBox *windowPicker() const { return m_window; }
    QComboBox *upstreamPicker() const { return m_upstreams; }
    QPushButton *resetButton() const { return m_reset; }
    // Puts another view's controls on the charts' own row (between the pickers and Reset), so
    // they cost the charts no height.
    void addToBar(QWidget *controls);

public slots:
    void handleTick(const lbscope::LiveTick &tick);

signals:
    void resetRequested();
    void backendActivated(const QByteArray &peer);
    void upstreamChanged(const QString &name);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void arrangeCharts(bool inRow);
    void handleWindowPicked(int index);
    void handleUpstreamPicked(int index);
    void updateUpstreamPicker(const ProxyConfig &config);

    DistributionChart *m_distribution;
    RateChart *m_rate;
    LatencyChart *m_latency;
    StatusChart *m_status;
    QComboBox *m_window;
    QLabel *m_upstreamLabel;
    QComboBox *m_upstreams;
    QPushButton *m_reset;
    QHBoxLayout *m_bar = nullptr;
    QGridLayout *m_grid = nullptr;
    bool m_inRow = false;
    QString m_upstream;
};

} // namespace lbscope
