#pragma once

// A widget whose font is set explicitly (a big figure, a fixed-pitch log) no longer follows the
// application font; this sets it from the application font now and again whenever that changes
// (presentation mode scales it), so the figure stays bigger than the text around it.

#include <QFont>
#include <QObject>

#include <functional>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace lbscope {

class ApplicationFontFollower final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplicationFontFollower)

public:
    using FontFrom = std::function<QFont(const QFont &applicationFont)>;

    // Owned by widget; fontFrom gives the widget's font from the application's.
    static void follow(QWidget *widget, FontFrom fontFrom);
    // The application font's size times factor, bold if asked.
    static FontFrom scaled(qreal factor, bool bold);
    // The system's fixed-pitch font, at least as large as the application font.
    static FontFrom fixedPitch();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    explicit ApplicationFontFollower(QWidget *widget, FontFrom fontFrom);
    void apply();

    QWidget *m_widget;
    FontFrom m_fontFrom;
};

} // namespace lbscope
