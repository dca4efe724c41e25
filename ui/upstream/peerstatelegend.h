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

    // Any width: where the row is short (a large presentation font), the last swatches are
    // cut rather than the whole window growing past the screen.
    QSize minimumSizeHint() const override { return {0, QWidget::minimumSizeHint().height()}; }
};

} // namespace lbscope
