#pragma once

// The sequence strip: the last picks as a row of cells in the backend colours, oldest on the
// left, newest on the right, so a round-robin cycle, nginx's smooth 5-1-1 pattern, a failed
// server being skipped or a backup taking over show at a glance. It keeps what a cell needs of
// the last Capacity records in a fixed ring and paints them itself in one pass: at thousands
// of requests a second a tick only overwrites ring slots and asks for one repaint.

#include "livetick.h"

#include <QSet>
#include <QWidget>

#include <array>

namespace lbscope {

class BackendPalette;

class SequenceStrip final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SequenceStrip)

public:
    static constexpr int Capacity = 200;
    static constexpr int MinCellWidth = 14;
    static constexpr int CellHeight = 40;

    explicit SequenceStrip(BackendPalette *palette, QWidget *parent = nullptr);

    // Records held, at most Capacity; index 0 is the oldest.
    int count() const { return m_count; }
    // The backend that answered each held record, oldest first; empty for none.
    QList<QByteArray> peers() const;
    quint64 idAt(int index) const;
    // Where the cell of a held record is drawn; empty when the width leaves it out.
    QRect cellRect(int index) const;
    // The held record drawn at pos, or -1.
    int indexAt(const QPoint &pos) const;
    // What hovering the cell tells: the request and its decision in words.
    QString cellText(int index) const;
    // How many cells the width has room for (the newest that many are drawn).
    int visibleSlots() const;

    // The keyboard's cell, or -1; it stays on its record while newer ones push it left.
    int currentIndex() const;
    void setCurrentIndex(int index);

    // The line above the cells; empty: the strip's own, which says how to read it.
    void setCaption(const QString &caption);
    // Off for records that carry no decision trace (the nginx twin's): hovering then tells the
    // request and its backend only.
    void setExplainsDecisions(bool explains);
    // Cells whose record id is in ids carry a difference mark on top (the nginx twin's
    // comparison); the set replaces the previous one.
    void setMarkedIds(const QSet<quint64> &ids);
    bool isMarked(int index) const;
    // How many held cells are marked.
    int markedCount() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void handleTick(const lbscope::LiveTick &tick);
    // Records from elsewhere than the tick, in the order they ended (the nginx twin's).
    void appendRecords(const QList<lbscope::AccessRecord> &records);
    void clear();

signals:
    // A cell was clicked, or Enter pressed on the current one.
    void recordActivated(quint64 id);
    void backendActivated(const QByteArray &peer);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Cell
    {
        quint64 id = 0;
        int status = 0;
        bool retried = false; // more than one attempt ($upstream_addr has ", ")
        QByteArray peer;      // the backend that answered; empty: none did
        QByteArray method;
        QByteArray uri;
        QByteArray client;
        QByteArray upstreamAddr;
        QVarLengthArray<Decision, 1> decisions; // implicitly shared lists: cheap to keep
    };

    const Cell &cellAt(int index) const;
    void append(const AccessRecord &record);
    int slotWidth() const;
    QRect slotsRect() const;
    void activate(int index);
    static bool failed(const Cell &cell);

    BackendPalette *m_palette;
    std::array<Cell, Capacity> m_ring;
    int m_head = 0; // the slot of index 0
    int m_count = 0;
    quint64 m_currentId = 0; // 0: no current cell
    QString m_caption;
    bool m_explainsDecisions = true;
    QSet<quint64> m_marked;
};

} // namespace lbscope
