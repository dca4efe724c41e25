#pragma once

// random and random two for one pick: the servers drawn, in order (a draw that could not take
// the request is drawn again), the active connections random two compared, and the winner.

#include "teaching/methodstateview.h"

class QLabel;
class QTableWidget;

namespace lbscope {

class RandomView final : public MethodStateView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RandomView)

public:
    enum Column {
        DrawColumn,
        ServerColumn,
        WeightColumn,
        ColumnCount
    };

    explicit RandomView(BackendPalette *palette, QWidget *parent = nullptr);

    void showPick(const StatePick &pick) override;
    // One row per draw, in order.
    QTableWidget *drawsTable() const { return m_draws; }
    QLabel *connsLabel() const { return m_conns; }
    QLabel *winnerLabel() const { return m_winner; }

private:
    QLabel *m_caption;
    QTableWidget *m_draws;
    QLabel *m_conns;
    QLabel *m_winner;
};

} // namespace lbscope
