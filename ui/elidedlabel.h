#pragma once

// A one-line label that, where its text is longer than its width, shows it cut with an
// ellipsis ("nginx on 127.0.0.1:41234 runs th…") instead of clipped mid-letter; the whole text
// is in text() and the tooltip.

#include <QLabel>

namespace lbscope {

class ElidedLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElidedLabel)

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const { return m_text; }

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateShown();

    QString m_text;
};

} // namespace lbscope
