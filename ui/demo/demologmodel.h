#pragma once

// The last lines one demo instance logged, as a list model: a view with uniform row heights
// lays out only the rows on screen, so thousands of lines a second cost a few row inserts
// per tick, not a text layout per line.

#include "demo/demolog.h"

#include <QAbstractListModel>
#include <QStringList>

namespace lbscope {

class DemoLogModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoLogModel)

public:
    static constexpr qsizetype Capacity = 500;

    explicit DemoLogModel(QObject *parent = nullptr);

    // Appends the entries, dropping the oldest lines beyond Capacity.
    void append(const QList<DemoLogEntry> &entries);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    struct Line
    {
        QString text;
        int status = 0;
    };
    QList<Line> m_lines;
};

} // namespace lbscope
