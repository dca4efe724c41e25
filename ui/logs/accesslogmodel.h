#pragma once

// The access log as a table: a bounded ring of its own, fed once per tick with the records
// the poller read by cursor, so memory stays flat however long the proxy runs. Each tick
// announces at most one removal (what falls off the head) and one insertion (the batch);
// text is formatted only when a view asks for it (Wireshark's packet list model).

#include "livetick.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>
#include <QList>
#include <QSet>

namespace lbscope {

class BackendPalette;

class AccessLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccessLogModel)

public:
    enum Column {
        TimeColumn,
        ClientColumn,
        MethodColumn,
        UriColumn,
        StatusColumn,
        BackendColumn,
        UpstreamTimeColumn,
        TotalTimeColumn,
        ColumnCount
    };
    enum Role {
        PeerRole = Qt::UserRole + 1, // QByteArray: the backend that answered last, or empty
        StatusClassRole,             // int 1..5
        RecordIdRole,                // quint64: AccessRecord::id
    };
    static constexpr qsizetype DefaultCapacity = 20'000;

    explicit AccessLogModel(BackendPalette *palette, QObject *parent = nullptr);

    // Keeps the newest rows that fit; at least 1.
    void setCapacity(qsizetype capacity);
    qsizetype capacity() const { return m_capacity; }

    void handleTick(const lbscope::LiveTick &tick);
    // Appends a batch, oldest first, as one tick would.
    void appendRecords(const QList<AccessRecord> &records);
    void clear();

    // The record shown in that row, or nullptr; valid until the next append or clear.
    const AccessRecord *recordAt(int row) const;
    // Records seen since the start or the last clear, including those that went past the
    // ring and those the poller skipped.
    quint64 totalSeen() const { return m_totalSeen; }

    // The last entry of upstreamAddr ("127.0.0.1:3000, 127.0.0.1:3100" -> the second).
    static QByteArray finalPeer(const AccessRecord &record);
    static int statusClass(int status);
    // nginx's per-attempt lists: "0.002, 0.001" -> {"0.002", "0.001"}.
    static QList<QByteArray> attempts(const QByteArray &list);
    // nginx's seconds with milliseconds ("0.012") as whole milliseconds; "–" when not reached ("-").
    static QString milliseconds(const QByteArray &seconds);
    // The backend's colour as a small square carrying its number.
    QIcon backendIcon(const QByteArray &peer) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    // A backend that no earlier record of this model went to.
    void backendSeen(const QByteArray &peer);

private:
    struct Row
    {
        AccessRecord record;
        QByteArray peer; // finalPeer(record), kept because filters ask for it on every row
    };

    const Row &rowAt(int row) const;
    QVariant displayText(const Row &row, int column) const;
    QString toolTip(const Row &row, int column) const;

    BackendPalette *m_palette;
    qsizetype m_capacity = DefaultCapacity;
    QList<Row> m_ring;     // at most m_capacity
    qsizetype m_head = 0;  // the storage slot of row 0
    qsizetype m_count = 0; // rows announced to views
    quint64 m_totalSeen = 0;
    QSet<QByteArray> m_knownPeers;
    mutable QHash<QByteArray, QIcon> m_swatches;
};

} // namespace lbscope
