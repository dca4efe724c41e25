#include "trafficdistributionview.h"

#include "backendpalette.h"

#include <QHostAddress>
#include <QPainter>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int MinimumRows = 3;

// The palette is keyed by peer address ("127.0.0.1:3000"); a backend known only by another
// name (a demo instance's X-Backend) gets no colour rather than one that means nothing.
bool isPeerAddress(const QString &backend)
{
    const qsizetype colon = backend.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    bool portOk = false;
    backend.sliced(colon + 1).toUShort(&portOk);
    QString host = backend.first(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.sliced(1, host.size() - 2);
    return portOk && !QHostAddress(host).isNull();
}

bool sameShares(const QList<BackendShare> &a, const QList<BackendShare> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const BackendShare &x, const BackendShare &y) {
        return x.backend == y.backend && x.count == y.count && x.failures == y.failures;
    });
}

} // namespace

TrafficDistributionView::TrafficDistributionView(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
    setToolTip(tr("Where the generator's requests of this run went, per backend (as the responses' "
                  "X-Upstream-Addr header says)"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
}

void TrafficDistributionView::setShares(const QList<BackendShare> &shares)
{
    if (sameShares(shares, m_shares))
        return;
    const bool resized = shares.size() != m_shares.size();
    m_shares = shares;
    if (resized)
        updateGeometry();
    update();
}

int TrafficDistributionView::rowHeight() const
{
    return fontMetrics().height() * 3 / 2;
}

QSize TrafficDistributionView::sizeHint() const
{
    const int rows = std::max<int>(MinimumRows, int(m_shares.size()));
    return {fontMetrics().horizontalAdvance(u'x') * 40, rows * rowHeight()};
}

QSize TrafficDistributionView::minimumSizeHint() const
{
    return {fontMetrics().horizontalAdvance(u'x') * 24, sizeHint().height()};
}

void TrafficDistributionView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    if (m_shares.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No responses yet"));
        return;
    }
    quint64 largest = 1;
    for (const BackendShare &share : m_shares)
        largest = std::max(largest, share.count);
    const QFontMetrics metrics = fontMetrics();
    const int height = rowHeight();
    const int swatch = height - 6;
    int nameWidth = metrics.horizontalAdvance(u"127.000.000.1:00000"_s);
    nameWidth = std::min(nameWidth, width() / 2 - swatch);
    const int countWidth = metrics.horizontalAdvance(u"00000 (100%)"_s);
    const int barLeft = swatch + 8 + nameWidth + 6;
    const int barWidth = std::max(10, width() - barLeft - countWidth - 8);
    int y = 0;
    for (const BackendShare &share : m_shares) {
        const bool peer = isPeerAddress(share.backend);
        const QColor color = peer ? m_palette->colorFor(share.backend.toLatin1()) : pal.color(QPalette::Mid);
        const QRect swatchRect(0, y + 3, swatch, swatch);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawRoundedRect(swatchRect, 3, 3);
        if (peer) {
            painter.setPen(BackendPalette::textColorOn(color));
            QFont bold = font();
            bold.setBold(true);
            painter.setFont(bold);
            painter.drawText(swatchRect, Qt::AlignCenter,
                             QString::number(m_palette->numberFor(share.backend.toLatin1())));
            painter.setFont(font());
        }
        const QString name = share.backend.isEmpty()
                                 ? (share.failures == share.count ? tr("failed") : tr("(no backend header)"))
                                 : share.backend;
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawText(QRect(swatch + 8, y, nameWidth, height), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(name, Qt::ElideMiddle, nameWidth));
        const int filled = int(double(barWidth) * double(share.count) / double(largest));
        const QRect track(barLeft, y + height / 4, barWidth, height / 2);
        painter.setPen(Qt::NoPen);
        painter.setBrush(pal.color(QPalette::AlternateBase));
        painter.drawRect(track);
        painter.setBrush(color);
        painter.drawRect(track.adjusted(0, 0, filled - barWidth, 0));
        painter.setPen(pal.color(QPalette::WindowText));
        painter.drawText(QRect(barLeft + barWidth + 4, y, countWidth + 4, height), Qt::AlignRight | Qt::AlignVCenter,
                         tr("%L1 (%2%)").arg(share.count).arg(share.sharePercent, 0, 'f', 0));
        y += height;
    }
}

} // namespace lbscope
