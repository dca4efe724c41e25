#include "teaching/methodstateview.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>

using namespace Qt::StringLiterals;

namespace lbscope {

MethodStateView::MethodStateView(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
}

void MethodStateView::notePick(const StatePick &)
{
}

void MethodStateView::reset()
{
}

QTableWidget *MethodStateView::makeTable(const QStringList &headers, const QString &objectName)
{
    auto *table = new QTableWidget(0, int(headers.size()), this);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->setFocusPolicy(Qt::TabFocus);
    table->verticalHeader()->hide();
    // The server column as wide as its names, the figures share the rest but never get
    // narrower than their headings (which grow in presentation mode: see changeEvent).
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tables.append(table);
    fitHeadings(table);
    table->setAlternatingRowColors(false);
    table->setWordWrap(false);
    return table;
}

QTableWidgetItem *MethodStateView::serverItem(const QByteArray &name, bool chosen)
{
    // Number and port, as the charts label a backend: the host is the same for the whole pool
    // and only crowds a projector; the full address is in the tooltip.
    const qsizetype colon = name.lastIndexOf(':');
    const QString port = colon < 0 ? QString::fromLatin1(name) : QString::fromLatin1(name.mid(colon));
    const QString label = name.isEmpty() ? tr("?") : u"%1  %2"_s.arg(m_palette->numberFor(name)).arg(port);
    auto *item = new QTableWidgetItem((chosen ? u"\u25b6 "_s : u"   "_s) + label);
    item->setData(Qt::UserRole, name);
    item->setToolTip(QString::fromLatin1(name));
    if (!name.isEmpty()) {
        const QColor colour = m_palette->colorFor(name);
        item->setBackground(colour);
        item->setForeground(BackendPalette::textColorOn(colour));
    }
    QFont font = item->font();
    font.setBold(chosen);
    item->setFont(font);
    return item;
}

void MethodStateView::fitHeadings(QTableWidget *table)
{
    const QFontMetrics metrics(table->horizontalHeader()->font());
    int widest = 0;
    for (int column = 1; column < table->columnCount(); ++column) {
        const QTableWidgetItem *heading = table->horizontalHeaderItem(column);
        const QStringList lines = heading ? heading->text().split(u'\n') : QStringList();
        for (const QString &line : lines)
            widest = std::max(widest, metrics.horizontalAdvance(line));
    }
    table->horizontalHeader()->setMinimumSectionSize(widest + 2 * metrics.averageCharWidth());
}

void MethodStateView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        for (QTableWidget *table : std::as_const(m_tables))
            fitHeadings(table);
    }
}

QLabel *MethodStateView::makeFigure(const QString &objectName, bool wrap)
{
    auto *label = new QLabel(this);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(wrap);
    ApplicationFontFollower::follow(label, ApplicationFontFollower::scaled(1.3, true));
    return label;
}

QTableWidgetItem *MethodStateView::numberItem(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignCenter);
    return item;
}

void MethodStateView::markChosenRow(QTableWidget *table, int row, const QByteArray &name)
{
    if (row < 0 || row >= table->rowCount())
        return;
    const QColor tint = m_palette->colorFor(name).lighter(165);
    for (int column = 1; column < table->columnCount(); ++column) {
        QTableWidgetItem *item = table->item(row, column);
        if (!item)
            continue;
        item->setBackground(tint);
        item->setForeground(BackendPalette::textColorOn(tint));
        QFont font = item->font();
        font.setBold(true);
        item->setFont(font);
    }
}

QString MethodStateView::skipText(const StatePick &pick, int index)
{
    for (const SkippedPeer &skip : pick.decision.skipped) {
        if (skip.index != index || skip.backup != pick.decision.backup)
            continue;
        switch (skip.reason) {
        case SkipReason::Down:
            return tr("skipped: down");
        case SkipReason::Draining:
            return tr("skipped: draining");
        case SkipReason::Failed:
            return tr("skipped: failed");
        case SkipReason::MaxConns:
            return tr("skipped: max_conns");
        case SkipReason::Tried:
            return tr("skipped: tried");
        }
    }
    return {};
}

} // namespace lbscope
