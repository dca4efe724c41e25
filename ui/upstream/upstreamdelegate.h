#pragma once

// The upstream table's delegate: editors that refuse invalid input where it is typed (red,
// with the reason beside the field; Escape reverts), and the state strip painted in the
// backend's colour with a state badge that reads from the back of a room.

#include <QStyledItemDelegate>

namespace lbscope {

class UpstreamTableModel;

class UpstreamDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamDelegate)

public:
    explicit UpstreamDelegate(UpstreamTableModel *model, QObject *parent = nullptr);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    void paintState(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;

    UpstreamTableModel *m_model;
};

} // namespace lbscope
