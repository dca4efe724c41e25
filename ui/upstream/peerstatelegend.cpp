#include "peerstatelegend.h"

#include "peerstatestyle.h"

#include <QHBoxLayout>
#include <QLabel>

using namespace Qt::StringLiterals;

namespace lbscope {

PeerStateLegend::PeerStateLegend(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    setToolTip(tr("A server's number and colour stand for the same backend in every view"));
    auto *intro = new QLabel(tr("States:"), this);
    layout->addWidget(intro);
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
    }
    layout->addStretch(1);
}

} // namespace lbscope
