#include "peerstatestyle.h"

namespace lbscope {

PeerStateStyle PeerStateStyle::of(PeerState state)
{
    switch (state) {
    case PeerState::Up:
        return {QColor(0x1b, 0x7f, 0x3b), QColor(Qt::white), false, tr("UP")};
    case PeerState::Failed:
        return {QColor(0xc6, 0x28, 0x28), QColor(Qt::white), false, tr("FAILED")};
    case PeerState::Down:
        return {QColor(0x5f, 0x5f, 0x5f), QColor(Qt::white), false, tr("DOWN")};
    case PeerState::Draining:
        return {QColor(0x15, 0x65, 0xc0), QColor(Qt::white), false, tr("DRAINING")};
    case PeerState::Backup:
        return {QColor(0x80, 0x80, 0x80), QColor(), true, tr("BACKUP")};
    case PeerState::BackupInUse:
        return {QColor(0xf0, 0x9a, 0x00), QColor(Qt::black), false, tr("BACKUP IN USE")};
    }
    return {};
}

QString PeerStateStyle::meaning(PeerState state)
{
    switch (state) {
    case PeerState::Up:
        return tr("takes requests");
    case PeerState::Failed:
        return tr("max_fails reached: no requests until fail_timeout passes");
    case PeerState::Down:
        return tr("marked down: never used");
    case PeerState::Draining:
        return tr("no new requests; those in flight finish");
    case PeerState::Backup:
        return tr("standby: used only when every primary is unavailable");
    case PeerState::BackupInUse:
        return tr("a backup serving because the primaries are unavailable");
    }
    return {};
}

} // namespace lbscope
