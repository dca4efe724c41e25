#include "logs/accesslogfiltermodel.h"

#include "logs/accesslogmodel.h"

#include <array>

namespace lbscope {

AccessLogFilterModel::AccessLogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void AccessLogFilterModel::setBackend(const QByteArray &peer)
{
    if (peer == m_backend)
        return;
    m_backend = peer;
    apply();
}

void AccessLogFilterModel::setStatusClasses(quint8 classes)
{
    classes &= AllStatusClasses;
    if (classes == m_statusClasses)
        return;
    m_statusClasses = classes;
    apply();
}

void AccessLogFilterModel::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    apply();
}

bool AccessLogFilterModel::isFiltering() const
{
    return !m_backend.isEmpty() || m_statusClasses != AllStatusClasses || !m_text.isEmpty();
}

void AccessLogFilterModel::apply()
{
    invalidateRowsFilter();
    emit filterChanged();
}

bool AccessLogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex first = source->index(sourceRow, 0, sourceParent);
    if (!m_backend.isEmpty() && first.data(AccessLogModel::PeerRole).toByteArray() != m_backend)
        return false;
    if (m_statusClasses != AllStatusClasses &&
        !(m_statusClasses & bitForClass(first.data(AccessLogModel::StatusClassRole).toInt())))
        return false;
    if (m_text.isEmpty())
        return true;
    static constexpr std::array searched = {AccessLogModel::UriColumn, AccessLogModel::ClientColumn,
                                            AccessLogModel::MethodColumn, AccessLogModel::BackendColumn,
                                            AccessLogModel::StatusColumn};
    for (const int column : searched) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace lbscope
