#include "teaching/flowview.h"

#include "backendpalette.h"
#include "charts/chartstyle.h"

#include <QDateTime>
#include <QPainter>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int MaxQueueSquares = 24;

QPointF lerp(const QPointF &a, const QPointF &b, qreal t)
{
    return a + (b - a) * t;
}

QString secondsText(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10'000 ? 1 : 0);
}

} // namespace

FlowView::FlowView(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
    setObjectName(u"flowView"_s);
    setAccessibleName(tr("Flow of requests"));
    setAccessibleDescription(tr("Requests as dots from the proxy on the left to their backend on the right; "
                                "each backend shows the requests waiting at it, redder the longer they wait."));
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_timer.setInterval(FrameIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &FlowView::advanceDots);
}

// Small, so that the tab widget (as tall as its tallest page's minimum) leaves the docks their
// room in presentation mode; the layout squeezes.
QSize FlowView::minimumSizeHint() const
{
    return {30 * fontMetrics().averageCharWidth(), 6 * fontMetrics().height()};
}

QSize FlowView::sizeHint() const
{
    return {90 * fontMetrics().averageCharWidth(), 30 * fontMetrics().height()};
}

const FlowView::DrawnBackend *FlowView::drawnBackend(QByteArrayView peer) const
{
    for (const DrawnBackend &backend : m_backends) {
        if (backend.peer == peer)
            return &backend;
    }
    return nullptr;
}

void FlowView::handleTick(const LiveTick &tick)
{
    m_model.handleTick(tick);
    const QList<quint32> &rate = tick.stats.rate;
    m_proxyRate = rate.size() >= 2 ? rate[rate.size() - 2] : 0;
    m_proxyActive = tick.stats.proxy.connections;
    if (tick.configChanged || m_method.isEmpty()) {
        QStringList methods;
        for (const UpstreamSnapshot &upstream : tick.stats.upstreams)
            methods.append(upstream.methodText);
        m_method = methods.join(u'\n');
    }
    // Hidden: the model keeps up (cheaply), nothing is laid out or painted.
    if (!isVisible())
        return;
    updateTimer();
    advance(); // the whole view with the new numbers; frames in between move only the dots
}

void FlowView::clear()
{
    m_model.clear();
    advance();
}

void FlowView::updateTimer()
{
    const bool run = isVisible() && m_model.isMoving(QDateTime::currentMSecsSinceEpoch());
    if (run && !m_timer.isActive())
        m_timer.start();
    else if (!run)
        m_timer.stop();
}

void FlowView::advance()
{
    buildFrame(QDateTime::currentMSecsSinceEpoch());
    update();
}

// A frame between ticks: only the lanes, where the dots move (with the room a falling dot
// needs below them), are painted again and sent to the screen.
void FlowView::advanceDots()
{
    buildFrame(QDateTime::currentMSecsSinceEpoch());
    const QRectF proxy = proxyRect();
    const qreal margin = 2.5 * dotRadius();
    const qreal cardLeft = m_backends.isEmpty() ? width() : m_backends.first().card.left();
    update(QRectF(proxy.right() - margin, 0, cardLeft - proxy.right() + 2 * margin, height()).toAlignedRect());
    if (!m_model.isMoving(m_frameMs))
        m_timer.stop(); // the next tick starts it again
}

void FlowView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    advance();
    updateTimer();
}

void FlowView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer.stop();
}

void FlowView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    buildFrame(m_frameMs ? m_frameMs : QDateTime::currentMSecsSinceEpoch());
}

void FlowView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && isVisible())
        advance(); // presentation mode: bigger text, bigger dots, new layout
}

qreal FlowView::dotRadius() const
{
    return std::max(5.0, fontMetrics().height() * 0.5);
}

QRectF FlowView::proxyRect() const
{
    const qreal line = fontMetrics().height();
    const qreal top = 2.6 * line;
    const qreal bottom = height() - 3.2 * line;
    const qreal w = std::clamp(width() * 0.15, 7.0 * line, 12.0 * line);
    const qreal h = std::min(bottom - top, 9.0 * line);
    return {line, top + (bottom - top - h) / 2, w, h};
}

void FlowView::buildFrame(qint64 nowMs)
{
    m_frameMs = nowMs;
    m_aggregated = m_model.aggregated();
    const qreal line = fontMetrics().height();
    const QList<FlowModel::Backend> &backends = m_model.backends();
    const qsizetype count = backends.size();

    // Cards on the right, one per backend, centred as a group.
    const qreal top = 2.6 * line;
    const qreal bottom = height() - 3.2 * line;
    const qreal cardWidth = std::clamp(width() * 0.34, 16.0 * line, 26.0 * line);
    const qreal minGap = 0.5 * line;
    const qreal cardHeight =
        count > 0 ? std::clamp((bottom - top - minGap * qreal(count - 1)) / qreal(count), 2.4 * line, 4.6 * line) : 0;
    // Spare height goes between the cards (up to two lines), so the lanes fan out.
    const qreal gap =
        count > 1 ? std::clamp((bottom - top - cardHeight * qreal(count)) / qreal(count - 1) * 0.6, minGap, 2.0 * line)
                  : minGap;
    const qreal groupHeight = qreal(count) * cardHeight + qreal(std::max<qsizetype>(0, count - 1)) * gap;
    qreal y = top + std::max(0.0, (bottom - top - groupHeight) / 2);
    const qreal cardLeft = width() - line - cardWidth;
    const QRectF proxy = proxyRect();

    quint32 maxRate = 0;
    for (const FlowModel::Backend &backend : backends)
        maxRate = std::max(maxRate, backend.rate);
    const qreal busiest = std::max<qreal>(1, maxRate); // the busiest backend gets the widest line
    const qreal thinLine = charts::lineWidth();
    const qreal thickest = 1.6 * line * charts::lineScale();

    m_backends.clear();
    m_backends.reserve(count);
    for (qsizetype i = 0; i < count; ++i) {
        const FlowModel::Backend &backend = backends[i];
        DrawnBackend drawn;
        drawn.peer = backend.peer;
        drawn.name = backend.name;
        drawn.number = m_palette->numberFor(backend.peer);
        drawn.color = m_palette->colorFor(backend.peer);
        drawn.card = QRectF(cardLeft, y, cardWidth, cardHeight);
        drawn.inFlight = backend.active;
        drawn.oldestAgeMs = m_model.queueAgeMs(int(i), nowMs);
        drawn.queueColor = FlowModel::ageColor(drawn.oldestAgeMs);
        drawn.rate = backend.rate;
        drawn.lineWidth = m_aggregated ? std::max(thinLine, thickest * qreal(backend.rate) / busiest) : thinLine;
        const qreal startY = proxy.top() + (qreal(i) + 0.5) * proxy.height() / qreal(count);
        drawn.laneStart = QPointF(proxy.right(), startY);
        drawn.laneEnd = QPointF(cardLeft, drawn.card.center().y());
        m_backends.append(drawn);
        y += cardHeight + gap;
    }

    const qreal radius = dotRadius();
    const QList<FlowModel::Dot> dots = m_model.dotsAt(nowMs);
    m_dots.clear();
    m_dots.reserve(dots.size());
    const QPointF proxyExit(proxy.right(), proxy.center().y());
    // Each queue's length, so that it fits the lane (closer together when long) and arriving
    // dots stop at its tail.
    QVarLengthArray<int, 16> queued(m_backends.size() + 1, 0);
    for (const FlowModel::Dot &dot : dots) {
        if (dot.phase == FlowModel::Phase::Waiting && dot.backend < m_backends.size())
            ++queued[dot.backend + 1];
    }
    for (const FlowModel::Dot &dot : dots) {
        DrawnDot drawn;
        drawn.radius = radius;
        drawn.phase = dot.phase;
        drawn.ageMs = dot.ageMs;
        drawn.failed = dot.failed;
        drawn.pending = dot.pending;
        drawn.ring = FlowModel::ageColor(dot.ageMs);
        QPointF start = proxyExit;
        QPointF end = proxyExit;
        if (dot.backend >= 0 && dot.backend < m_backends.size()) {
            const DrawnBackend &backend = m_backends[dot.backend];
            drawn.peer = backend.peer;
            drawn.fill = backend.color;
            start = backend.laneStart;
            end = backend.laneEnd - QPointF(1.3 * radius, 0);
        } else {
            drawn.fill = FlowModel::failedColor();
        }
        const QPointF direction = end - start;
        const qreal length = std::hypot(direction.x(), direction.y());
        const int queueLength = queued[dot.backend + 1];
        const qreal step = queueLength > 0 ? std::min(2.3 * radius, 0.8 * length / queueLength) : 0;
        const auto queuePlace = [&](int index) { return length > 0 ? end - direction * (step * index / length) : end; };
        switch (dot.phase) {
        case FlowModel::Phase::Travelling: {
            const qreal t = dot.progress;
            // Eased, so it leaves and arrives gently; it stops at the tail of the queue.
            drawn.position = lerp(start, queuePlace(queueLength), t * t * (3 - 2 * t));
            break;
        }
        case FlowModel::Phase::Waiting:
            drawn.position = queuePlace(dot.queueIndex); // the oldest at the front
            break;
        case FlowModel::Phase::Absorbed:
            drawn.position = end + QPointF(radius * dot.phaseDone, 0);
            drawn.opacity = 1 - dot.phaseDone;
            drawn.radius = radius * (1 - 0.5 * dot.phaseDone);
            break;
        case FlowModel::Phase::Falling: {
            const qreal t = dot.phaseDone;
            drawn.position = end + QPointF(2 * radius * t, (height() - end.y()) * 0.8 * t * t);
            drawn.opacity = 1 - t * t;
            drawn.fill = FlowModel::failedColor();
            break;
        }
        }
        m_dots.append(drawn);
    }

    // Queues: as many squares as fit beside the count, the rest said in numbers.
    const qreal square = 0.8 * line;
    for (DrawnBackend &backend : m_backends) {
        // Beside the words: "N in flight", "+N" and "oldest N s" (each with a gap).
        const QFontMetrics metrics = fontMetrics();
        QFont boldFont = font();
        boldFont.setBold(true);
        const qreal room =
            backend.card.width() - 0.8 * line - metrics.horizontalAdvance(tr("%L1 in flight").arg(backend.inFlight)) -
            metrics.horizontalAdvance(u"+"_s + QString::number(backend.inFlight)) -
            QFontMetrics(boldFont).horizontalAdvance(tr("oldest %1 s").arg(secondsText(backend.oldestAgeMs))) -
            1.2 * line;
        const int fit = std::max(0, int(room / (square + 2)));
        backend.queueShown = int(std::min<qint64>({backend.inFlight, qint64(fit), qint64(MaxQueueSquares)}));
        // Oldest first, each in the colour of its age (the pending starts, see FlowModel).
        const auto &starts = backends[&backend - m_backends.data()].pendingStartsMs;
        backend.queueColors.clear();
        for (int i = 0; i < backend.queueShown; ++i) {
            const qint64 start = i < starts.size() ? starts[i] : (starts.isEmpty() ? nowMs : starts.last());
            backend.queueColors.append(FlowModel::ageColor(std::max<qint64>(0, nowMs - start)));
        }
    }
}

void FlowView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    painter.fillRect(rect(), pal.color(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    const QColor dimText = pal.color(QPalette::PlaceholderText);
    const QFontMetricsF metrics(font());
    const qreal line = metrics.height();
    const qreal radius = dotRadius();

    // The title says what one looks at, and in which mode.
    QFont titleFont = font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    painter.setFont(titleFont);
    painter.setPen(text);
    const QRectF titleRect(line, 0.4 * line, width() - 2 * line, 1.4 * line);
    const QString title =
        m_aggregated ? tr("%L1 requests a second: too many to draw one by one. Line width = requests per second")
                           .arg(m_model.recordsPerSecond())
                     : tr("Each dot is a request on its way to the backend that answered it (shown %1 s late)")
                           .arg(QString::number(double(FlowModel::ReplayDelayMs) / 1000.0, 'f', 1));
    painter.drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                     QFontMetricsF(titleFont).elidedText(title, Qt::ElideRight, titleRect.width()));
    painter.setFont(font());

    // Lanes under everything.
    for (const DrawnBackend &backend : m_backends) {
        QColor color = backend.color;
        if (!m_aggregated)
            color.setAlphaF(0.45f);
        painter.setPen(QPen(color, backend.lineWidth, Qt::SolidLine, Qt::FlatCap));
        painter.drawLine(backend.laneStart, backend.laneEnd);
        if (m_aggregated && backend.rate > 0 && backend.lineWidth > 3) {
            // Dashes moving towards the backend: the flow, without a dot per request.
            QPen dashes(QColor(255, 255, 255, 140), std::max(1.5, backend.lineWidth * 0.35), Qt::CustomDashLine,
                        Qt::FlatCap);
            dashes.setDashPattern({2, 3});
            dashes.setDashOffset(-qreal(m_frameMs % 100'000) / 40.0 / dashes.widthF());
            painter.setPen(dashes);
            painter.drawLine(backend.laneStart, backend.laneEnd);
        }
    }

    // The proxy.
    const QRectF proxy = proxyRect();
    painter.setPen(QPen(text, 2));
    painter.setBrush(pal.color(QPalette::AlternateBase));
    painter.drawRoundedRect(proxy, 0.4 * line, 0.4 * line);
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    const QRectF proxyText = proxy.adjusted(0.4 * line, 0.4 * line, -0.4 * line, -0.4 * line);
    painter.drawText(proxyText, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, tr("LB Scope\nproxy"));
    painter.setFont(font());
    painter.setPen(dimText);
    painter.drawText(proxyText, Qt::AlignCenter | Qt::TextWordWrap, m_method);
    painter.setPen(text);
    painter.drawText(proxyText, Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                     tr("%L1 req/s\n%L2 connections").arg(m_proxyRate).arg(m_proxyActive));

    // The backends: colour and number, name, rate, and the queue of what waits there now.
    const qreal square = 0.8 * line;
    for (const DrawnBackend &backend : m_backends) {
        const QRectF card = backend.card;
        painter.setPen(QPen(backend.color, 3));
        painter.setBrush(pal.color(QPalette::Window));
        painter.drawRoundedRect(card, 0.3 * line, 0.3 * line);
        const qreal pad = 0.4 * line;
        const QRectF inner = card.adjusted(pad, pad * 0.6, -pad, -pad * 0.6);
        const bool roomy = inner.height() >= 2.8 * line;
        const QRectF badge(inner.left(), inner.top(), line * 1.2, line * 1.2);
        painter.setPen(Qt::NoPen);
        painter.setBrush(backend.color);
        painter.drawEllipse(badge);
        painter.setPen(BackendPalette::textColorOn(backend.color));
        painter.setFont(bold);
        painter.drawText(badge, Qt::AlignCenter, QString::number(backend.number));
        painter.setPen(text);
        const QString rate = tr("%L1 req/s").arg(backend.rate);
        const qreal rateWidth = metrics.horizontalAdvance(rate) + pad;
        const QRectF nameRect(badge.right() + pad, inner.top(), inner.width() - badge.width() - pad - rateWidth,
                              badge.height());
        painter.drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetricsF(bold).elidedText(backend.name, Qt::ElideRight, nameRect.width()));
        painter.setFont(font());
        painter.drawText(QRectF(inner.right() - rateWidth, inner.top(), rateWidth, badge.height()),
                         Qt::AlignRight | Qt::AlignVCenter, rate);
        qreal rowTop = badge.bottom();
        if (roomy) {
            painter.setPen(dimText);
            const QString address = QString::fromLatin1(backend.peer);
            painter.drawText(QRectF(inner.left(), rowTop, inner.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                             metrics.elidedText(address, Qt::ElideRight, inner.width()));
            rowTop += line;
        }
        // The queue row: "N waiting" and a square per request in flight, in the age colour of
        // the oldest; its age in seconds once it is worth saying.
        const QRectF queueRow(inner.left(), rowTop, inner.width(), std::max(line, inner.bottom() - rowTop));
        painter.setPen(text);
        const QString waiting = tr("%L1 in flight").arg(backend.inFlight);
        const qreal waitingWidth = metrics.horizontalAdvance(waiting);
        painter.drawText(QRectF(queueRow.left(), queueRow.top(), waitingWidth, queueRow.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, waiting);
        qreal x = queueRow.left() + waitingWidth + 0.3 * line;
        const qreal squareTop = queueRow.center().y() - square / 2;
        painter.setPen(QPen(text.lighter(150), 1));
        for (int i = 0; i < backend.queueShown; ++i) {
            painter.setBrush(backend.queueColors.value(i, backend.queueColor));
            painter.drawRect(QRectF(x, squareTop, square, square));
            x += square + 2;
        }
        if (backend.inFlight > backend.queueShown) {
            painter.setPen(text);
            painter.drawText(QRectF(x, queueRow.top(), inner.right() - x, queueRow.height()),
                             Qt::AlignLeft | Qt::AlignVCenter,
                             u"+"_s + QString::number(backend.inFlight - backend.queueShown));
        }
        if (backend.oldestAgeMs >= 100) {
            painter.setPen(backend.oldestAgeMs >= FlowModel::AgeYellowMs
                               ? FlowModel::ageColor(backend.oldestAgeMs).darker(130)
                               : text);
            painter.setFont(bold);
            painter.drawText(queueRow, Qt::AlignRight | Qt::AlignVCenter,
                             tr("oldest %1 s").arg(secondsText(backend.oldestAgeMs)));
            painter.setFont(font());
        }
    }

    // The dots, in one pass: fill in the backend's colour, a ring in the age colour.
    // The ring and the fill are parted by a thin band of the background, so that a green ring
    // stays apart from a green backend.
    const QColor base = pal.color(QPalette::Base);
    const qreal ringWidth = std::max(2.0, radius * 0.3);
    painter.setPen(Qt::NoPen);
    for (const DrawnDot &dot : m_dots) {
        painter.setOpacity(std::clamp(dot.opacity, 0.0, 1.0));
        const qreal r = dot.radius;
        painter.setBrush(dot.failed ? FlowModel::failedColor().darker(150) : dot.ring);
        painter.drawEllipse(dot.position, r, r);
        painter.setBrush(base);
        painter.drawEllipse(dot.position, r - ringWidth, r - ringWidth);
        painter.setBrush(dot.fill);
        const qreal inner = r - ringWidth - std::max(1.0, ringWidth * 0.5);
        painter.drawEllipse(dot.position, inner, inner);
        if (dot.failed) {
            const qreal d = dot.radius * 0.5;
            painter.setPen(QPen(Qt::white, std::max(1.5, dot.radius * 0.3)));
            painter.drawLine(dot.position + QPointF(-d, -d), dot.position + QPointF(d, d));
            painter.drawLine(dot.position + QPointF(-d, d), dot.position + QPointF(d, -d));
            painter.setPen(Qt::NoPen);
        }
    }
    painter.setOpacity(1);

    // The legend: what the ring colours, a red cross and a square mean; its three parts wrap
    // onto rows of their own when the width (or presentation mode's font) needs it.
    const QString ageTitle = tr("Age of a request:");
    const QString young = tr("just sent");
    const QString middle = tr("%1 s").arg(secondsText(FlowModel::AgeYellowMs));
    const QString old = tr("%1 s or more").arg(secondsText(FlowModel::AgeRedMs));
    const QString failed = tr("failed (5xx, no live upstream): falls away");
    const QString inFlight = tr("in flight now (colour: age of the oldest)");
    const qreal space = 0.6 * line;
    const qreal sampleWidth = 2 * radius + 0.3 * line;
    const auto advance = [&](const QString &words) { return metrics.horizontalAdvance(words) + space; };
    const std::array<qreal, 3> partWidths{advance(ageTitle) + 3 * sampleWidth + advance(young) + advance(middle) +
                                              advance(old),
                                          sampleWidth + advance(failed), square + 0.3 * line + advance(inFlight)};
    std::array<int, 3> partRow{};
    int rows = 1;
    qreal used = 0;
    for (std::size_t i = 0; i < partWidths.size(); ++i) {
        if (used > 0 && line + used + partWidths[i] > width() - line) {
            ++rows;
            used = 0;
        }
        partRow[i] = rows - 1;
        used += partWidths[i] + line;
    }
    qreal x = line;
    qreal legendY = 0;
    const auto startPart = [&](std::size_t part) {
        const qreal rowY = height() - 1.4 * line - qreal(rows - 1 - partRow[part]) * 1.3 * line;
        if (part == 0 || partRow[part] != partRow[part - 1])
            x = line;
        legendY = rowY;
    };
    auto label = [&](const QString &words) {
        const qreal w = metrics.horizontalAdvance(words);
        painter.setPen(text);
        painter.drawText(QRectF(x, legendY - line / 2, w + 2, line), Qt::AlignLeft | Qt::AlignVCenter, words);
        x += w + space;
    };
    auto sample = [&](const QColor &fill, const QColor &ring, bool cross) {
        const QPointF centre(x + radius, legendY);
        painter.setPen(Qt::NoPen);
        painter.setBrush(ring);
        painter.drawEllipse(centre, radius, radius);
        painter.setBrush(base);
        painter.drawEllipse(centre, radius - ringWidth, radius - ringWidth);
        painter.setBrush(fill);
        const qreal inner = radius - ringWidth - std::max(1.0, ringWidth * 0.5);
        painter.drawEllipse(centre, inner, inner);
        if (cross) {
            const qreal d = radius * 0.5;
            painter.setPen(QPen(Qt::white, std::max(1.5, radius * 0.3)));
            painter.drawLine(centre + QPointF(-d, -d), centre + QPointF(d, d));
            painter.drawLine(centre + QPointF(-d, d), centre + QPointF(d, -d));
        }
        x += sampleWidth;
    };
    startPart(0);
    label(ageTitle);
    const QColor neutral(0xa0, 0xa0, 0xa0);
    sample(neutral, FlowModel::ageColor(0), false);
    label(young);
    sample(neutral, FlowModel::ageColor(FlowModel::AgeYellowMs), false);
    label(middle);
    sample(neutral, FlowModel::ageColor(FlowModel::AgeRedMs), false);
    label(old);
    x += line - space;
    startPart(1);
    sample(FlowModel::failedColor(), FlowModel::failedColor().darker(150), true);
    label(failed);
    x += line - space;
    startPart(2);
    painter.setPen(QPen(text.lighter(150), 1));
    painter.setBrush(FlowModel::ageColor(0));
    painter.drawRect(QRectF(x, legendY - square / 2, square, square));
    x += square + 0.3 * line;
    label(inFlight);
}

} // namespace lbscope
