#include "teaching/hashringwidget.h"

#include "backendpalette.h"

#include <QPainter>
#include <QtMath>

using namespace Qt::StringLiterals;

namespace lbscope {

HashRingWidget::HashRingWidget(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
    setObjectName(u"hashRing"_s);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAccessibleName(tr("Consistent-hash ring"));
    setAccessibleDescription(tr("Each server's points on the ring in its colour; the needle is the request's hash, "
                                "the dot the point it hit."));
}

QSize HashRingWidget::sizeHint() const
{
    return {320, 320};
}

QSize HashRingWidget::minimumSizeHint() const
{
    return {160, 160};
}

void HashRingWidget::setRing(const QList<RingPoint> &ring, const QList<QByteArray> &peerNames)
{
    if (ring == m_ring && peerNames == m_names)
        return;
    m_ring = ring;
    m_names = peerNames;
    update();
}

void HashRingWidget::setMarker(quint32 hash, int point)
{
    m_hash = hash;
    m_point = point;
    update();
}

void HashRingWidget::clearMarker()
{
    m_point = -1;
    update();
}

QByteArray HashRingWidget::markedOwner() const
{
    if (m_point < 0 || m_point >= m_ring.size())
        return {};
    return m_names.value(m_ring[m_point].peer);
}

qreal HashRingWidget::angleOf(quint32 hash)
{
    return 360.0 * qreal(hash) / 4294967296.0;
}

void HashRingWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal side = std::min(width(), height());
    const qreal unit = std::max<qreal>(1.0, fontMetrics().height() / 16.0); // thicker in presentation mode
    const qreal radius = side / 2 - 14 * unit;
    const QPointF centre(width() / 2.0, height() / 2.0);
    if (radius <= 10)
        return;
    // Degrees clockwise from the top to a point on a circle of radius r.
    const auto at = [&](qreal degrees, qreal r) {
        const qreal radians = qDegreesToRadians(degrees - 90.0);
        return centre + QPointF(r * std::cos(radians), r * std::sin(radians));
    };
    painter.setPen(QPen(palette().color(QPalette::Mid), 1.5 * unit));
    painter.drawEllipse(centre, radius, radius);
    if (m_ring.isEmpty()) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No ring: the method is not hash ... consistent"));
        return;
    }
    const qreal tick = 9 * unit;
    for (const RingPoint &point : std::as_const(m_ring)) {
        const QByteArray name = m_names.value(point.peer);
        painter.setPen(
            QPen(name.isEmpty() ? Qt::gray : m_palette->colorFor(name), 2 * unit, Qt::SolidLine, Qt::FlatCap));
        const qreal degrees = angleOf(point.hash);
        painter.drawLine(at(degrees, radius - tick), at(degrees, radius + tick));
    }
    if (m_point < 0 || m_point >= m_ring.size())
        return;
    const QColor ink = palette().color(QPalette::WindowText);
    const qreal needle = angleOf(m_hash);
    painter.setPen(QPen(ink, 2.5 * unit, Qt::SolidLine, Qt::RoundCap));
    painter.drawLine(centre, at(needle, radius + tick));
    const RingPoint &hit = m_ring[m_point];
    const QByteArray owner = m_names.value(hit.peer);
    const QColor colour = owner.isEmpty() ? Qt::gray : m_palette->colorFor(owner);
    // From the hash clockwise to the point it hit.
    qreal sweep = angleOf(hit.hash) - needle;
    if (sweep < 0)
        sweep += 360.0;
    painter.setPen(QPen(colour, 4 * unit, Qt::SolidLine, Qt::FlatCap));
    const QRectF arc(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius);
    painter.drawArc(arc, int((90.0 - needle) * 16), int(-sweep * 16));
    painter.setPen(QPen(ink, 2 * unit));
    painter.setBrush(colour);
    painter.drawEllipse(at(angleOf(hit.hash), radius), 7 * unit, 7 * unit);
    const QString caption = tr("hash 0x%1\npoint #%2 -> server %3")
                                .arg(m_hash, 8, 16, QLatin1Char('0'))
                                .arg(m_point)
                                .arg(owner.isEmpty() ? 0 : m_palette->numberFor(owner));
    // On a card of its own, so the needle does not run through the text.
    QRectF captionRect = painter.fontMetrics().boundingRect(QRect(), Qt::AlignCenter, caption);
    captionRect.adjust(-6 * unit, -4 * unit, 6 * unit, 4 * unit);
    captionRect.moveCenter(centre);
    painter.setPen(QPen(palette().color(QPalette::Mid), unit));
    painter.setBrush(palette().color(QPalette::Base));
    painter.drawRoundedRect(captionRect, 4 * unit, 4 * unit);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(captionRect, Qt::AlignCenter, caption);
}

} // namespace lbscope
