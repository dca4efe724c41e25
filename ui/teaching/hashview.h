#pragma once

// hash and hash ... consistent for one pick: the evaluated key, its hash and the server it
// gave; for consistent hashing the ring with the request landing on it. Under both, the share
// of keys that changed server when the server list last changed, so a class can compare
// plain hash (most keys move) with consistent hashing (about 1/N).

#include "teaching/keymovetracker.h"
#include "teaching/methodstateview.h"

class QLabel;

namespace lbscope {

class HashRingWidget;

class HashView final : public MethodStateView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HashView)

public:
    explicit HashView(BackendPalette *palette, QWidget *parent = nullptr);

    void notePick(const StatePick &pick) override;
    void showPick(const StatePick &pick) override;
    void reset() override;

    QLabel *keyLabel() const { return m_key; }
    QLabel *hashLabel() const { return m_hash; }
    QLabel *pointLabel() const { return m_point; }
    QLabel *pickLabel() const { return m_pick; }
    QLabel *movedLabel() const { return m_moved; }
    HashRingWidget *ring() const { return m_ring; }
    const KeyMoveTracker &moves() const { return m_moves; }

private:
    QLabel *m_key;
    QLabel *m_hash;
    QLabel *m_pointCaption;
    QLabel *m_point;
    QLabel *m_pick;
    QLabel *m_moved;
    HashRingWidget *m_ring;
    KeyMoveTracker m_moves;
};

} // namespace lbscope
