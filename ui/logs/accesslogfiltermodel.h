#pragma once

// Which access records the log shows: one backend (or all), some status classes, and a
// piece of text. No sorting: the rows stay in the order requests ended.

#include <QByteArray>
#include <QSortFilterProxyModel>
#include <QString>

namespace lbscope {

class AccessLogFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccessLogFilterModel)

public:
    // One bit per status class; 1xx and anything unparsed count as Other.
    enum StatusClass : quint8 {
        Other = 1 << 1,
        Success = 1 << 2,     // 2xx
        Redirection = 1 << 3, // 3xx
        ClientError = 1 << 4, // 4xx
        ServerError = 1 << 5, // 5xx
    };
    static constexpr quint8 AllStatusClasses = Other | Success | Redirection | ClientError | ServerError;
    // AccessLogModel::StatusClassRole's 1..5 as its bit.
    static constexpr quint8 bitForClass(int statusClass)
    {
        return statusClass >= 2 && statusClass <= 5 ? quint8(1 << statusClass) : quint8(Other);
    }

    explicit AccessLogFilterModel(QObject *parent = nullptr);

    // The backend address ("127.0.0.1:3000") that answered last; empty: all backends.
    void setBackend(const QByteArray &peer);
    QByteArray backend() const { return m_backend; }
    void setStatusClasses(quint8 classes);
    quint8 statusClasses() const { return m_statusClasses; }
    // Case-insensitive, over URI, client, method, backend and status; empty: everything.
    void setText(const QString &text);
    QString text() const { return m_text; }

    bool isFiltering() const;

signals:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void apply();

    QByteArray m_backend;
    quint8 m_statusClasses = AllStatusClasses;
    QString m_text;
};

} // namespace lbscope
