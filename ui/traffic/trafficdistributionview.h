#pragma once

// Where the generator's requests went, one row per backend: the backend's colour and number
// (from the BackendPalette, as everywhere in the window), its address, a bar for its share and
// the count. Failures and responses without a backend header get a grey row of their own.

#include "traffic/trafficresults.h"

#include <QList>
#include <QWidget>

namespace lbscope {

class BackendPalette;

class TrafficDistributionView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficDistributionView)

public:
    explicit TrafficDistributionView(BackendPalette *palette, QWidget *parent = nullptr);

    void setShares(const QList<BackendShare> &shares);
    const QList<BackendShare> &shares() const { return m_shares; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int rowHeight() const;

    BackendPalette *m_palette;
    QList<BackendShare> m_shares;
};

} // namespace lbscope
