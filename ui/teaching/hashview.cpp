#include "teaching/hashview.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"
#include "teaching/hashringwidget.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString hex(quint32 value)
{
    return u"0x%1"_s.arg(value, 8, 16, QLatin1Char('0'));
}

} // namespace

HashView::HashView(BackendPalette *palette, QWidget *parent)
    : MethodStateView(palette, parent)
    , m_key(makeFigure(u"hashKey"_s, true))
    , m_hash(makeFigure(u"hashValue"_s, true))
    , m_pointCaption(new QLabel(tr("Ring point hit:"), this))
    , m_point(makeFigure(u"hashPoint"_s, true))
    , m_pick(makeFigure(u"hashPick"_s, true))
    , m_moved(new QLabel(this))
    , m_ring(new HashRingWidget(palette, this))
{
    m_moved->setObjectName(u"movedKeys"_s);
    m_moved->setWordWrap(true);
    ApplicationFontFollower::follow(m_moved, ApplicationFontFollower::scaled(1.15, true));
    auto *form = new QFormLayout;
    form->addRow(tr("Key:"), m_key);
    form->addRow(tr("Hash:"), m_hash);
    form->addRow(m_pointCaption, m_point);
    form->addRow(tr("Backend:"), m_pick);
    form->addRow(m_moved);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form, 2);
    layout->addWidget(m_ring, 3);
    m_moved->setText(m_moves.text());
}

void HashView::notePick(const StatePick &pick)
{
    m_moves.note(pick.decision);
}

void HashView::showPick(const StatePick &pick)
{
    const Decision &decision = pick.decision;
    const bool consistent = decision.consistent;
    m_key->setText(u"\"%1\""_s.arg(QString::fromUtf8(decision.key)));
    const QString rehashed =
        decision.rehashes > 0 ? tr("  (after %n rehash(es))", nullptr, decision.rehashes) : QString();
    m_hash->setText(consistent ? tr("crc32 %1").arg(hex(decision.hash)) + rehashed
                               : tr("%1, modulo the total weight").arg(decision.hash) + rehashed);
    m_pointCaption->setVisible(consistent);
    m_point->setVisible(consistent);
    m_point->setText(tr("#%1 at %2").arg(decision.point).arg(hex(decision.pointHash)));
    m_pick->setText(
        decision.picked < 0
            ? tr("none")
            : u"%1  %2"_s.arg(m_palette->numberFor(pick.pickedName())).arg(QString::fromLatin1(pick.pickedName())));
    m_moved->setText(m_moves.text());
    m_ring->setVisible(consistent);
    if (!consistent)
        return;
    QList<QByteArray> names;
    for (const PeerBalancerState &peer : pick.state.peers) {
        if (!peer.backup)
            names.append(peer.name);
    }
    m_ring->setRing(pick.state.ring, names);
    if (decision.point >= 0 && !decision.roundRobinFallback)
        m_ring->setMarker(decision.hash, decision.point);
    else
        m_ring->clearMarker();
}

void HashView::reset()
{
    m_moves.reset();
    m_moved->setText(m_moves.text());
}

} // namespace lbscope
