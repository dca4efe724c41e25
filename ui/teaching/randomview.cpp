#include "teaching/randomview.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"

#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

RandomView::RandomView(BackendPalette *palette, QWidget *parent)
    : MethodStateView(palette, parent)
    , m_caption(new QLabel(this))
    , m_conns(new QLabel(this))
    , m_winner(new QLabel(this))
{
    m_draws = makeTable({tr("Draw"), tr("Server drawn"), tr("Weight")}, u"drawsTable"_s);
    m_draws->setAccessibleName(tr("random: the servers drawn for the shown request, in order"));
    m_caption->setWordWrap(true);
    m_conns->setObjectName(u"randomConns"_s);
    m_winner->setObjectName(u"randomWinner"_s);
    ApplicationFontFollower::follow(m_conns, ApplicationFontFollower::scaled(1.2, true));
    ApplicationFontFollower::follow(m_winner, ApplicationFontFollower::scaled(1.3, true));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_draws, 1);
    layout->addWidget(m_conns);
    layout->addWidget(m_winner);
}

void RandomView::showPick(const StatePick &pick)
{
    const Decision &decision = pick.decision;
    m_caption->setText(decision.randomTwo
                           ? tr("random two: draw two servers (by weight), take the one with fewer active "
                                "connections for its weight.")
                           : tr("random: draw a server with a chance in proportion to its weight."));
    m_draws->setRowCount(int(decision.draws.size()));
    // The winner's row: random two may keep its first draw, so the last draw of the winner.
    const int winnerRow = int(decision.draws.lastIndexOf(decision.picked));
    for (int row = 0; row < decision.draws.size(); ++row) {
        const int index = decision.draws[row];
        const QByteArray name = pick.peerName(index);
        const PeerBalancerState *state = pick.peerState(name);
        m_draws->setItem(row, DrawColumn, numberItem(QString::number(row + 1)));
        m_draws->setItem(row, ServerColumn, serverItem(name, row == winnerRow));
        m_draws->setItem(row, WeightColumn, numberItem(state ? QString::number(state->weight) : u"?"_s));
    }
    m_conns->setVisible(decision.randomTwo);
    QStringList conns;
    for (const int value : decision.conns)
        conns.append(QString::number(value));
    m_conns->setText(tr("Active connections compared: %1").arg(conns.join(u" vs "_s)));
    m_winner->setText(decision.picked < 0 ? tr("No server could take it")
                                          : tr("Winner: %1  %2")
                                                .arg(m_palette->numberFor(pick.pickedName()))
                                                .arg(QString::fromLatin1(pick.pickedName())));
}

} // namespace lbscope
