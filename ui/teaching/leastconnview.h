#pragma once

// least_conn for one pick: each server's active connections against its weight, the servers
// tied at the lowest, and, when several tie, the smooth weighted round robin that decided.

#include "teaching/methodstateview.h"

class QLabel;
class QTableWidget;

namespace lbscope {

class WeightedRoundRobinView;

class LeastConnView final : public MethodStateView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LeastConnView)

public:
    enum Column {
        ServerColumn,
        ConnsColumn,
        WeightColumn,
        LoadColumn, // "conns/weight"
        StateColumn,
        ColumnCount
    };

    explicit LeastConnView(BackendPalette *palette, QWidget *parent = nullptr);

    void showPick(const StatePick &pick) override;
    QTableWidget *table() const { return m_table; }
    // What decided, in words; the tie-break table is shown only when servers tied.
    QLabel *comparison() const { return m_comparison; }
    WeightedRoundRobinView *tieBreak() const { return m_tieBreak; }

private:
    QTableWidget *m_table;
    QLabel *m_comparison;
    WeightedRoundRobinView *m_tieBreak;
};

} // namespace lbscope
