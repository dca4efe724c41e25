#include "upstreamdelegate.h"

#include "backendpalette.h"
#include "peerstatestyle.h"
#include "upstreamtablemodel.h"
#include "validatinglineedit.h"

#include <QApplication>
#include <QPainter>
#include <QPersistentModelIndex>

namespace lbscope {

UpstreamDelegate::UpstreamDelegate(UpstreamTableModel *model, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_model(model)
{
}

QWidget *UpstreamDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                        const QModelIndex &index) const
{
    const auto field = UpstreamTableModel::fieldOf(index.column());
    if (!field)
        return QStyledItemDelegate::createEditor(parent, option, index);
    const QPersistentModelIndex cell(index);
    UpstreamTableModel *model = m_model;
    auto *editor = new ValidatingLineEdit(
        [model, cell](const QString &text) {
            return cell.isValid() ? model->editError(cell, text) : UpstreamTableModel::tr("the row is gone");
        },
        parent);
    editor->setFloatingReason(true);
    editor->setFrame(false);
    editor->setPlaceholderText(ServerFields::hint(*field));
    editor->setToolTip(ServerFields::hint(*field));
    return editor;
}

void UpstreamDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *line = qobject_cast<ValidatingLineEdit *>(editor)) {
        if (!line->isModified())
            line->setText(index.data(Qt::EditRole).toString());
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void UpstreamDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    auto *line = qobject_cast<ValidatingLineEdit *>(editor);
    if (!line) {
        QStyledItemDelegate::setModelData(editor, model, index);
        return;
    }
    // Qt commits only acceptable text; the model checks again and asks the engine, and a
    // refusal there is reported through UpstreamTableModel::editRefused.
    if (line->isAcceptable())
        model->setData(index, line->text(), Qt::EditRole);
}

void UpstreamDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.column() == UpstreamTableModel::StateColumn) {
        paintState(painter, option, index);
        return;
    }
    QStyledItemDelegate::paint(painter, option, index);
    if (index.column() == UpstreamTableModel::FirstFigureColumn) {
        // Configuration on the left, live figures on the right: a rule between them.
        painter->save();
        painter->setPen(QPen(option.palette.color(QPalette::Mid), 2));
        painter->drawLine(option.rect.topLeft() + QPoint(1, 0), option.rect.bottomLeft() + QPoint(1, 1));
        painter->restore();
    }
}

void UpstreamDelegate::paintState(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear(); // the row's background and selection only
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect cell = opt.rect.adjusted(3, 3, -3, -3);

    // The backend's colour and number: the same in every view.
    const QColor backend = index.data(UpstreamTableModel::BackendColorRole).value<QColor>();
    const int number = index.data(UpstreamTableModel::BackendNumberRole).toInt();
    const QRect block(cell.left(), cell.top(), cell.height() + 4, cell.height());
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    if (backend.isValid()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(backend);
        painter->drawRoundedRect(block, 3, 3);
        painter->setPen(BackendPalette::textColorOn(backend));
        painter->drawText(block, Qt::AlignCenter, QString::number(number));
    }

    const auto state = PeerState(index.data(UpstreamTableModel::StateRole).toInt());
    const PeerStateStyle look = PeerStateStyle::of(state);
    const QString badge = index.data(UpstreamTableModel::BadgeTextRole).toString();
    QRect pill = cell.adjusted(block.width() + 5, 0, 0, 0);
    const int wanted = painter->fontMetrics().horizontalAdvance(badge) + 14;
    pill.setWidth(std::min(pill.width(), wanted));
    if (look.outlined) {
        painter->setPen(QPen(opt.palette.color(QPalette::Text), 1.5, Qt::DashLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(pill).adjusted(0.75, 0.75, -0.75, -0.75), 4, 4);
        painter->setPen(opt.palette.color(QPalette::Text));
    } else {
        painter->setPen(Qt::NoPen);
        painter->setBrush(look.fill);
        painter->drawRoundedRect(pill, 4, 4);
        painter->setPen(look.text);
    }
    painter->drawText(pill, Qt::AlignCenter,
                      painter->fontMetrics().elidedText(badge, Qt::ElideRight, pill.width() - 6));
    painter->restore();
}

} // namespace lbscope
