#pragma once

// The consistent-hash ring as a circle: each server's points (the engine's ring, from the
// balancer state) as ticks in its backend colour at their crc32's angle, 0 at the top and
// clockwise; the shown request's hash as a needle, and the point it hit, the next one
// clockwise, as a dot.

#include "balancing/balancerstatesnapshot.h"

#include <QWidget>

namespace lbscope {

class BackendPalette;

class HashRingWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HashRingWidget)

public:
    explicit HashRingWidget(BackendPalette *palette, QWidget *parent = nullptr);

    // The ring and the names of its peers (index -> address), as the state holds them.
    void setRing(const QList<RingPoint> &ring, const QList<QByteArray> &peerNames);
    // The request's hash and the point it hit (-1: none shown).
    void setMarker(quint32 hash, int point);
    void clearMarker();

    int pointCount() const { return int(m_ring.size()); }
    bool hasMarker() const { return m_point >= 0; }
    quint32 markedHash() const { return m_hash; }
    int markedPoint() const { return m_point; }
    // The owner's address of the point hit; empty without one.
    QByteArray markedOwner() const;
    // Degrees clockwise from the top where hash sits on the circle.
    static qreal angleOf(quint32 hash);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return width; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    BackendPalette *m_palette;
    QList<RingPoint> m_ring;
    QList<QByteArray> m_names;
    quint32 m_hash = 0;
    int m_point = -1;
};

} // namespace lbscope
