#include "teaching/sequencestrip.h"

#include "backendpalette.h"
#include "logs/accesslogmodel.h"
#include "logs/decisionexplainer.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int Margin = 3;
constexpr int CaptionGap = 1;
constexpr int MarkBand = 12; // the bottom of a failed or retried cell carries its mark
const QColor FailedColor(0xb0, 0x00, 0x20);
const QColor NoBackendColor(0xd9, 0xd9, 0xd9);

} // namespace

SequenceStrip::SequenceStrip(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
    setObjectName(u"sequenceStrip"_s);
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAccessibleName(tr("Sequence of picks"));
    setAccessibleDescription(tr("The last requests in order, newest on the right; each cell is the backend that "
                                "answered. Left and Right choose a request, Enter shows it in the log."));
}

QSize SequenceStrip::minimumSizeHint() const
{
    const int height = Margin + fontMetrics().height() + CaptionGap + CellHeight + Margin;
    return {2 * Margin + 20 * MinCellWidth, height};
}

QSize SequenceStrip::sizeHint() const
{
    return {2 * Margin + 60 * MinCellWidth, minimumSizeHint().height()};
}

const SequenceStrip::Cell &SequenceStrip::cellAt(int index) const
{
    return m_ring[std::size_t((m_head + index) % Capacity)];
}

void SequenceStrip::append(const AccessRecord &record)
{
    Cell *cell = nullptr;
    if (m_count < Capacity) {
        cell = &m_ring[std::size_t((m_head + m_count) % Capacity)];
        ++m_count;
    } else {
        cell = &m_ring[std::size_t(m_head)];
        m_head = (m_head + 1) % Capacity;
    }
    cell->id = record.id;
    cell->status = record.status;
    cell->retried = record.upstreamAddr.contains(", ");
    cell->peer = AccessLogModel::finalPeer(record);
    cell->method = record.method;
    cell->uri = record.uri;
    cell->client = record.clientAddress;
    cell->upstreamAddr = record.upstreamAddr;
    cell->decisions = record.decisions;
}

void SequenceStrip::handleTick(const LiveTick &tick)
{
    appendRecords(tick.records);
}

void SequenceStrip::appendRecords(const QList<AccessRecord> &records)
{
    const qsizetype size = records.size();
    if (size == 0)
        return;
    // At thousands a second only the newest Capacity of a tick can be shown.
    for (qsizetype i = std::max<qsizetype>(0, size - Capacity); i < size; ++i)
        append(records[i]);
    update();
}

void SequenceStrip::setCaption(const QString &caption)
{
    m_caption = caption;
    update();
}

void SequenceStrip::setExplainsDecisions(bool explains)
{
    m_explainsDecisions = explains;
}

void SequenceStrip::setMarkedIds(const QSet<quint64> &ids)
{
    if (ids == m_marked)
        return;
    m_marked = ids;
    update();
}

bool SequenceStrip::isMarked(int index) const
{
    return index >= 0 && index < m_count && m_marked.contains(cellAt(index).id);
}

int SequenceStrip::markedCount() const
{
    int marked = 0;
    for (int i = 0; i < m_count; ++i)
        marked += isMarked(i) ? 1 : 0;
    return marked;
}

void SequenceStrip::clear()
{
    m_ring = {};
    m_head = 0;
    m_count = 0;
    m_currentId = 0;
    m_marked.clear();
    update();
}

QList<QByteArray> SequenceStrip::peers() const
{
    QList<QByteArray> result;
    result.reserve(m_count);
    for (int i = 0; i < m_count; ++i)
        result.append(cellAt(i).peer);
    return result;
}

quint64 SequenceStrip::idAt(int index) const
{
    return index >= 0 && index < m_count ? cellAt(index).id : 0;
}

bool SequenceStrip::failed(const Cell &cell)
{
    return cell.peer.isEmpty() || cell.status >= 500;
}

QRect SequenceStrip::slotsRect() const
{
    const int top = Margin + fontMetrics().height() + CaptionGap;
    return {Margin, top, std::max(0, width() - 2 * Margin), CellHeight};
}

int SequenceStrip::slotWidth() const
{
    return std::max(MinCellWidth, slotsRect().width() / Capacity);
}

int SequenceStrip::visibleSlots() const
{
    return std::min(Capacity, slotsRect().width() / slotWidth());
}

QRect SequenceStrip::cellRect(int index) const
{
    const int fromNewest = m_count - 1 - index;
    if (index < 0 || fromNewest < 0 || fromNewest >= visibleSlots())
        return {};
    const QRect area = slotsRect();
    const int width = slotWidth();
    const int gap = width > 2 * MinCellWidth ? 2 : 1;
    return {area.right() + 1 - (fromNewest + 1) * width, area.top(), width - gap, area.height()};
}

int SequenceStrip::indexAt(const QPoint &pos) const
{
    const QRect area = slotsRect();
    if (!area.contains(pos))
        return -1;
    const int fromNewest = (area.right() - pos.x()) / slotWidth();
    const int index = m_count - 1 - fromNewest;
    return fromNewest < visibleSlots() && index >= 0 ? index : -1;
}

int SequenceStrip::currentIndex() const
{
    if (m_currentId == 0)
        return -1;
    for (int i = m_count - 1; i >= 0; --i) {
        if (cellAt(i).id == m_currentId)
            return i;
    }
    return -1;
}

void SequenceStrip::setCurrentIndex(int index)
{
    const quint64 id = idAt(index);
    if (id == m_currentId)
        return;
    m_currentId = id;
    update();
}

QString SequenceStrip::cellText(int index) const
{
    if (index < 0 || index >= m_count)
        return {};
    const Cell &cell = cellAt(index);
    QStringList lines;
    const QString request =
        u"#%1 %2 %3"_s.arg(cell.id).arg(QString::fromLatin1(cell.method), QString::fromLatin1(cell.uri));
    if (cell.peer.isEmpty()) {
        lines.append(tr("%1: %2, no backend answered").arg(request).arg(cell.status));
    } else {
        lines.append(tr("%1: %2 from %3 (backend %4)")
                         .arg(request)
                         .arg(cell.status)
                         .arg(QString::fromLatin1(cell.peer))
                         .arg(m_palette->numberFor(cell.peer)));
    }
    if (cell.retried)
        lines.append(tr("Tried in turn: %1").arg(QString::fromLatin1(cell.upstreamAddr)));
    if (m_marked.contains(cell.id))
        lines.append(tr("\u2260 LB Scope and the real nginx sent this request to different backends."));
    if (!m_explainsDecisions)
        return lines.join(u'\n');
    const QList<QByteArray> addresses = AccessLogModel::attempts(cell.upstreamAddr);
    const qsizetype attempts = cell.decisions.size();
    for (qsizetype i = 0; i < attempts; ++i) {
        const Decision &decision = cell.decisions[i];
        const QString trace = QString::fromLatin1(decision.describe());
        lines.append(attempts > 1 ? tr("Attempt %1: %2").arg(i + 1).arg(trace) : trace);
        const QByteArray picked = decision.picked >= 0 ? addresses.value(i) : QByteArray();
        lines.append(DecisionExplainer(decision, PeerNames(), cell.client, picked).sentences());
    }
    if (attempts == 0)
        lines.append(tr("No balancing decision: the request never reached an upstream."));
    return lines.join(u'\n');
}

void SequenceStrip::activate(int index)
{
    if (index < 0 || index >= m_count)
        return;
    const Cell &cell = cellAt(index);
    // The backend first: the log filters to it, then selects the record among its rows.
    if (!cell.peer.isEmpty())
        emit backendActivated(cell.peer);
    emit recordActivated(cell.id);
}

bool SequenceStrip::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int index = indexAt(help->pos());
        if (index < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        // Rich text, so that long sentences wrap.
        const QString html = u"<p style=\"white-space:pre-wrap\">"_s + cellText(index).toHtmlEscaped() + u"</p>"_s;
        QToolTip::showText(help->globalPos(), html, this, cellRect(index));
        return true;
    }
    return QWidget::event(event);
}

void SequenceStrip::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const int index = indexAt(event->position().toPoint());
    if (index < 0)
        return;
    setCurrentIndex(index);
    activate(index);
}

void SequenceStrip::keyPressEvent(QKeyEvent *event)
{
    const int current = currentIndex();
    const int newest = m_count - 1;
    const int oldestShown = std::max(0, m_count - visibleSlots());
    switch (event->key()) {
    case Qt::Key_Left:
        setCurrentIndex(current < 0 ? newest : std::max(oldestShown, current - 1));
        break;
    case Qt::Key_Right:
        setCurrentIndex(current < 0 ? newest : std::min(newest, current + 1));
        break;
    case Qt::Key_Home:
        setCurrentIndex(oldestShown);
        break;
    case Qt::Key_End:
        setCurrentIndex(newest);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        activate(current);
        break;
    case Qt::Key_Escape:
        setCurrentIndex(-1);
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void SequenceStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const int shown = visibleSlots();
    const QRect caption(Margin, Margin, width() - 2 * Margin, fontMetrics().height());
    painter.setPen(palette().color(QPalette::WindowText));
    const int held = std::min(shown, m_count);
    QString captionText = m_caption;
    if (captionText.isEmpty() && held == 0)
        captionText = tr("The picks appear here, newest on the right: each cell is the backend that answered "
                         "(red \u00d7: failed, dark band: retried)");
    else if (captionText.isEmpty() && held == 1)
        captionText = tr("The first pick: the cell is the backend that answered "
                         "(red \u00d7: failed, dark band: retried)");
    else if (captionText.isEmpty())
        captionText = tr("Last %1 picks, newest on the right: each cell is the backend that answered "
                         "(red \u00d7: failed, dark band: retried)")
                          .arg(held);
    // Cut with an ellipsis where presentation mode's font makes it longer than the strip.
    captionText = fontMetrics().elidedText(captionText, Qt::ElideRight, caption.width());
    painter.drawText(caption, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, captionText);

    const QRect area = slotsRect();
    painter.fillRect(area, palette().color(QPalette::Base));
    QFont number = font();
    number.setBold(true);
    number.setPixelSize(std::clamp(slotWidth() - 2, 9, 20));
    painter.setFont(number);
    QFont markFont = number;
    markFont.setPixelSize(MarkBand);
    for (int index = std::max(0, m_count - shown); index < m_count; ++index) {
        const Cell &cell = cellAt(index);
        const QRect rect = cellRect(index);
        const QColor color = cell.peer.isEmpty() ? NoBackendColor : m_palette->colorFor(cell.peer);
        painter.fillRect(rect, color);
        const bool bad = failed(cell);
        const bool marked = bad || cell.retried;
        const bool differs = m_marked.contains(cell.id);
        const QRect body = rect.adjusted(0, differs ? MarkBand : 0, 0, marked ? -MarkBand : 0);
        if (!cell.peer.isEmpty()) {
            painter.setPen(BackendPalette::textColorOn(color));
            painter.drawText(body, Qt::AlignCenter, QString::number(m_palette->numberFor(cell.peer)));
        }
        if (differs) {
            // On top, in the text colour: it reads in presentation mode's high contrast too.
            const QRect top(rect.left(), rect.top(), rect.width(), MarkBand);
            painter.fillRect(top, palette().color(QPalette::WindowText));
            painter.setPen(palette().color(QPalette::Base));
            painter.setFont(markFont);
            painter.drawText(top, Qt::AlignCenter, u"\u2260"_s);
            painter.setFont(number);
            painter.setPen(QPen(palette().color(QPalette::WindowText), 2));
            painter.drawRect(rect.adjusted(1, 1, -1, -1));
        }
        if (!marked)
            continue;
        const QRect band(rect.left(), rect.bottom() + 1 - MarkBand, rect.width(), MarkBand);
        if (bad) {
            painter.fillRect(band, FailedColor);
            const QRect cross = QRect(0, 0, 6, 6).translated(band.center() - QPoint(3, 3));
            painter.setPen(QPen(Qt::white, 2));
            painter.drawLine(cross.topLeft(), cross.bottomRight() + QPoint(1, 1));
            painter.drawLine(cross.topRight() + QPoint(1, 0), cross.bottomLeft() + QPoint(0, 1));
            painter.setPen(QPen(FailedColor, 2));
            painter.drawRect(rect.adjusted(1, 1, -1, -1));
        } else {
            painter.fillRect(band, QColor(0, 0, 0, 170));
        }
    }
    const int current = currentIndex();
    if (current >= 0 && !cellRect(current).isNull()) {
        painter.setPen(QPen(palette().color(hasFocus() ? QPalette::Highlight : QPalette::WindowText), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cellRect(current).adjusted(-1, -1, 0, 0));
    }
}

} // namespace lbscope
