#pragma once

// What the state strip's badges mean, one swatch per state, for the bottom of the upstream
// editor; each swatch's tooltip says the state in a sentence.

#include <QWidget>

namespace lbscope {

class PeerStateLegend final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeerStateLegend)

public:
    explicit PeerStateLegend(QWidget *parent = nullptr);
};

} // namespace lbscope
