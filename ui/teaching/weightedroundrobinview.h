#pragma once

// Smooth weighted round robin as a teacher draws it on the whiteboard: one row per server with
// its configured weight, its effective weight, its current weight after the add step and after
// the winner lost the total; the winner's row highlighted, the total in the last row. Also
// least_conn's tie-break, which is the same step over the tied servers.

#include "teaching/methodstateview.h"

class QLabel;
class QTableWidget;

namespace lbscope {

class WeightedRoundRobinView final : public MethodStateView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WeightedRoundRobinView)

public:
    enum Column {
        ServerColumn,
        WeightColumn,
        EffectiveColumn,
        BeforeColumn,
        AfterColumn,
        StateColumn,
        ColumnCount
    };

    explicit WeightedRoundRobinView(BackendPalette *palette, QWidget *parent = nullptr);

    void showPick(const StatePick &pick) override;
    // Rows: the servers of the list, then the total.
    QTableWidget *table() const { return m_table; }

private:
    QLabel *m_caption;
    QTableWidget *m_table;
};

} // namespace lbscope
