#pragma once

// How a peer's state looks, the same in the table's state strip and in the legend: a fill,
// a text colour readable on it and a short word. Fills are saturated enough to read from the
// back of a classroom and differ in lightness too, so they survive a washed-out projector.

#include "stats/statssnapshot.h"

#include <QColor>
#include <QCoreApplication>
#include <QString>

namespace lbscope {

class PeerStateStyle
{
    Q_DECLARE_TR_FUNCTIONS(PeerStateStyle)

public:
    QColor fill;
    QColor text;
    bool outlined = false; // standby states are drawn as an outline, not a fill
    QString word;          // "UP", "FAILED", ...

    static PeerStateStyle of(PeerState state);
    // What the legend says the state means.
    static QString meaning(PeerState state);
    static constexpr PeerState All[] = {PeerState::Up,       PeerState::Failed, PeerState::Down,
                                        PeerState::Draining, PeerState::Backup, PeerState::BackupInUse};
};

} // namespace lbscope
