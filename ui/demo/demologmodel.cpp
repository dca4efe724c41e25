#include "demo/demologmodel.h"

#include <QColor>

namespace lbscope {

DemoLogModel::DemoLogModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void DemoLogModel::append(const QList<DemoLogEntry> &entries)
{
    if (entries.isEmpty())
        return;
    const qsizetype kept = std::min(entries.size(), Capacity);
    const qsizetype dropped = std::max<qsizetype>(0, m_lines.size() + kept - Capacity);
    if (dropped > 0) {
        beginRemoveRows({}, 0, int(dropped - 1));
        m_lines.remove(0, dropped);
        endRemoveRows();
    }
    beginInsertRows({}, int(m_lines.size()), int(m_lines.size() + kept - 1));
    for (qsizetype i = entries.size() - kept; i < entries.size(); ++i)
        m_lines.append({entries[i].line, entries[i].status});
    endInsertRows();
}

void DemoLogModel::clear()
{
    if (m_lines.isEmpty())
        return;
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int DemoLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant DemoLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Line &line = m_lines[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return line.text;
    case Qt::ForegroundRole:
        // Okabe-Ito vermillion, as the rest of the window marks errors.
        return line.status >= 500 ? QVariant(QColor(0xd5, 0x5e, 0x00)) : QVariant();
    default:
        return {};
    }
}

} // namespace lbscope
