#pragma once

// A message strip inside a panel, as KMessageWidget shows one: an icon, the text and a close
// button on a tinted background. Used for edits the engine refused; it goes away by itself
// after a while so a stale error does not linger on a projector.

#include <QFrame>
#include <QTimer>

class QLabel;
class QToolButton;

namespace lbscope {

class InlineMessage final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InlineMessage)

public:
    enum class Kind {
        Error,
        Information,
    };

    explicit InlineMessage(QWidget *parent = nullptr);

    void showMessage(const QString &text, Kind kind = Kind::Error);
    QString text() const;

    static constexpr int HideAfterMs = 12'000;

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
    QTimer m_hideTimer;
};

} // namespace lbscope
