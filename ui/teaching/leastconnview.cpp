#include "teaching/leastconnview.h"

#include "backendpalette.h"
#include "teaching/weightedroundrobinview.h"

#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

LeastConnView::LeastConnView(BackendPalette *palette, QWidget *parent)
    : MethodStateView(palette, parent)
    , m_comparison(new QLabel(this))
    , m_tieBreak(new WeightedRoundRobinView(palette, this))
{
    m_table = makeTable({tr("Server"), tr("Active\nconnections"), tr("Weight"), tr("Connections\n/ weight"), tr("")},
                        u"leastConnTable"_s);
    m_table->setAccessibleName(tr("least_conn: active connections of each server against its weight"));
    m_comparison->setObjectName(u"leastConnComparison"_s);
    m_comparison->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 2);
    layout->addWidget(m_comparison);
    layout->addWidget(m_tieBreak, 3);
}

void LeastConnView::showPick(const StatePick &pick)
{
    const Decision &decision = pick.decision;
    const int count = pick.peerCount();
    const bool tied = decision.ties.size() > 1;
    m_table->setRowCount(count);
    for (int row = 0; row < count; ++row) {
        const QByteArray name = pick.peerName(row);
        const bool chosen = row == decision.picked;
        const PeerBalancerState *state = pick.peerState(name);
        const QString conns = QString::number(decision.conns.value(row));
        const QString weight = state ? QString::number(state->weight) : u"?"_s;
        QString note = skipText(pick, row);
        if (chosen)
            note = tied ? tr("tied, chosen") : tr("lowest, chosen");
        else if (note.isEmpty() && decision.ties.contains(row))
            note = tr("tied");
        m_table->setItem(row, ServerColumn, serverItem(name, chosen));
        m_table->setItem(row, ConnsColumn, numberItem(conns));
        m_table->setItem(row, WeightColumn, numberItem(weight));
        m_table->setItem(row, LoadColumn, numberItem(u"%1/%2"_s.arg(conns, weight)));
        m_table->setItem(row, StateColumn, numberItem(note));
        if (chosen)
            markChosenRow(m_table, row, name);
    }
    if (decision.picked < 0) {
        m_comparison->setText(tr("No server could take the request."));
    } else if (tied) {
        QStringList names;
        for (const int index : decision.ties)
            names.append(QString::number(m_palette->numberFor(pick.peerName(index))));
        m_comparison->setText(tr("Servers %1 tie at the lowest connections for their weight: smooth weighted round "
                                 "robin among them decided.")
                                  .arg(names.join(u", "_s)));
    } else {
        m_comparison->setText(tr("Server %1 has the fewest connections for its weight (%2): it wins outright.")
                                  .arg(m_palette->numberFor(pick.pickedName()))
                                  .arg(decision.conns.value(decision.picked)));
    }
    if (m_tieBreak->isVisibleTo(this) != tied)
        m_tieBreak->setVisible(tied);
    if (tied)
        m_tieBreak->showPick(pick);
}

} // namespace lbscope
