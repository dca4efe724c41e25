#pragma once

// A one-line message across the window (as KDE's KMessageWidget): what went wrong or needs
// attention, in words, with a close button; never a modal box that stops a live demo.

#include <QWidget>

class QLabel;
class QToolButton;

namespace lbscope {

class MessageBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageBar)

public:
    enum class Kind {
        Information,
        Warning,
        Error
    };

    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text);
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    void updateColors();

    QLabel *m_icon;
    QLabel *m_label;
    QToolButton *m_close;
    Kind m_kind = Kind::Information;
};

} // namespace lbscope
