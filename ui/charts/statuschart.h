#pragma once

// Responses by status class per backend: one bar per backend split into 1xx..5xx, as a share
// of its responses, so a backend's errors show even when it got few requests. The classes
// have fills of their own (Paul Tol's colour-blind-safe set, away from the backend colours),
// with neutral greys for success so that 4xx and 5xx stand out.

#include "charts/livechartview.h"

QT_BEGIN_NAMESPACE
class QBarCategoryAxis;
class QBarSet;
class QPercentBarSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace lbscope {

class StatusChart final : public LiveChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusChart)

public:
    static constexpr int Classes = 5;

    explicit StatusChart(BackendPalette *palette, QWidget *parent = nullptr);

    // The set of one status class (0: 1xx .. 4: 5xx); its value i is peers()[i]'s count.
    QBarSet *classSet(int statusClass) const { return m_sets[std::size_t(statusClass)]; }

protected:
    void clearData() override {}
    void handlePeersChanged() override;
    void handleSnapshot(const UpstreamSnapshot &upstream, const LiveTick &tick) override;
    void applyStyle() override;

private:
    void handleBarHovered(bool status, int index, QBarSet *set);

    QPercentBarSeries *m_bars;
    QBarCategoryAxis *m_axisX;
    QValueAxis *m_axisY;
    std::array<QBarSet *, Classes> m_sets{};
};

} // namespace lbscope
