#include "teaching/weightedroundrobinview.h"

#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

WeightedRoundRobinView::WeightedRoundRobinView(BackendPalette *palette, QWidget *parent)
    : MethodStateView(palette, parent)
    , m_caption(new QLabel(this))
{
    m_table = makeTable(
        {tr("Server"), tr("Weight"), tr("Effective"), tr("Current\n+ effective"), tr("Current\nafter pick"), tr("")},
        u"weightsTable"_s);
    m_table->setAccessibleName(tr("Smooth weighted round robin: weights of each server for the shown request"));
    m_caption->setObjectName(u"weightsCaption"_s);
    m_caption->setWordWrap(true);
    m_caption->setText(tr("Each pick: every server's current weight grows by its effective weight; the highest "
                          "wins and loses the total (the sum of the effective weights)."));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_table, 1);
}

void WeightedRoundRobinView::showPick(const StatePick &pick)
{
    const Decision &decision = pick.decision;
    const int count = pick.peerCount();
    m_table->setRowCount(count + 1);
    for (int row = 0; row < count; ++row) {
        const QByteArray name = pick.peerName(row);
        const bool chosen = row == decision.picked;
        const PeerBalancerState *state = pick.peerState(name);
        const QString weight = state ? QString::number(state->weight) : u"?"_s;
        // An empty list: every effective weight equalled its configured weight at this pick.
        const QString effective =
            decision.effectiveWeights.isEmpty() ? weight : QString::number(decision.effectiveWeights.value(row));
        QString note = skipText(pick, row);
        if (chosen)
            note = decision.backup ? tr("chosen (backup)") : tr("chosen");
        else if (note.isEmpty() && !decision.ties.isEmpty() && !decision.ties.contains(row))
            note = tr("not tied");
        m_table->setItem(row, ServerColumn, serverItem(name, chosen));
        m_table->setItem(row, WeightColumn, numberItem(weight));
        m_table->setItem(row, EffectiveColumn, numberItem(effective));
        m_table->setItem(row, BeforeColumn, numberItem(QString::number(decision.weightsBefore.value(row))));
        m_table->setItem(row, AfterColumn, numberItem(QString::number(decision.weightsAfter.value(row))));
        m_table->setItem(row, StateColumn, numberItem(note));
        if (chosen)
            markChosenRow(m_table, row, name);
    }
    // What the winner lost: the sum of the effective weights that took part.
    const int subtracted = decision.weightsBefore.value(decision.picked) - decision.weightsAfter.value(decision.picked);
    auto *total = new QTableWidgetItem(tr("   Total"));
    total->setToolTip(tr("The sum of the effective weights that took part: the winner loses it"));
    QFont bold = total->font();
    bold.setBold(true);
    total->setFont(bold);
    m_table->setItem(count, ServerColumn, total);
    m_table->setItem(count, WeightColumn, numberItem({}));
    m_table->setItem(count, EffectiveColumn, numberItem(QString::number(subtracted)));
    m_table->setItem(count, BeforeColumn, numberItem({}));
    m_table->setItem(count, AfterColumn, numberItem(decision.picked >= 0 ? u"\u2212%1"_s.arg(subtracted) : QString()));
    m_table->setItem(count, StateColumn, numberItem({}));
    m_table->item(count, EffectiveColumn)->setFont(bold);
}

} // namespace lbscope
