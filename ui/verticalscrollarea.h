#pragma once

// A scroll area for a dock's tall panel: it scrolls vertically only and is as wide as the panel
// needs, so a panel taller than the window (presentation mode's larger font on a 720-pixel
// projector) does not hold up the window's minimum height, and is never cut off at the side.

#include <QScrollArea>

namespace lbscope {

class VerticalScrollArea final : public QScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VerticalScrollArea)

public:
    explicit VerticalScrollArea(QWidget *content, QWidget *parent = nullptr);

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace lbscope
