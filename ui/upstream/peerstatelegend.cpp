#include "peerstatelegend.h"

#include "peerstatestyle.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

PeerStateLegend::PeerStateLegend(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    setToolTip(tr("A server's number and colour stand for the same backend in every view"));
    m_intro = new QLabel(tr("States:"), this);
    layout->addWidget(m_intro);
    for (const PeerState state : PeerStateStyle::All) {
        const PeerStateStyle look = PeerStateStyle::of(state);
        auto *swatch = new QLabel(look.word, this);
        swatch->setAlignment(Qt::AlignCenter);
        swatch->setMargin(2);
        const QString style =
            look.outlined
                ? u"QLabel { border: 1px dashed palette(text); border-radius: 3px; padding: 0 6px; font-weight: bold; }"_s
                : u"QLabel { background: %1; color: %2; border-radius: 3px; padding: 0 6px; font-weight: bold; }"_s.arg(
                      look.fill.name(), look.text.name());
        swatch->setStyleSheet(style);
        swatch->setToolTip(PeerStateStyle::meaning(state));
        layout->addWidget(swatch);
        m_swatches.append(swatch);
    }
    layout->addStretch(1);
}

int PeerStateLegend::shownSwatches() const
{
    return int(
        std::count_if(m_swatches.cbegin(), m_swatches.cend(), [](QLabel *swatch) { return !swatch->isHidden(); }));
}

void PeerStateLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitSwatches();
}

void PeerStateLegend::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        fitSwatches();
}

void PeerStateLegend::fitSwatches()
{
    const int spacing = layout()->spacing();
    int used = m_intro->sizeHint().width();
    for (QLabel *swatch : std::as_const(m_swatches)) {
        used += spacing + swatch->sizeHint().width();
        swatch->setHidden(used > width());
    }
}

} // namespace lbscope
