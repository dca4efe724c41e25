#pragma once

// What the state strip's badges mean, one swatch per state, for the bottom of the upstream
// editor; each swatch's tooltip says the state in a sentence.

#include <QList>
#include <QWidget>

class QLabel;

namespace lbscope {

class PeerStateLegend final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeerStateLegend)

public:
    explicit PeerStateLegend(QWidget *parent = nullptr);

    // Any width: where the row is short (a large presentation font), the last swatches are
    // left out whole, rather than cut or the whole window growing past the screen.
    QSize minimumSizeHint() const override { return {0, QWidget::minimumSizeHint().height()}; }
    // How many state swatches the width shows.
    int shownSwatches() const;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void fitSwatches();

    QLabel *m_intro;
    QList<QLabel *> m_swatches;
};

} // namespace lbscope
