#include "applicationfontfollower.h"

#include <QApplication>
#include <QEvent>
#include <QFontDatabase>
#include <QWidget>

#include <algorithm>

namespace lbscope {

ApplicationFontFollower::ApplicationFontFollower(QWidget *widget, FontFrom fontFrom)
    : QObject(widget)
    , m_widget(widget)
    , m_fontFrom(std::move(fontFrom))
{
    // QApplication::setFont announces itself to the application object only; a widget whose font
    // is set, as this one's is, hears nothing of it. The filter sees the main thread's events,
    // and lets each through after one comparison.
    qApp->installEventFilter(this);
    apply();
}

void ApplicationFontFollower::follow(QWidget *widget, FontFrom fontFrom)
{
    new ApplicationFontFollower(widget, std::move(fontFrom));
}

ApplicationFontFollower::FontFrom ApplicationFontFollower::scaled(qreal factor, bool bold)
{
    return [factor, bold](const QFont &applicationFont) {
        QFont font = applicationFont;
        if (font.pointSizeF() > 0)
            font.setPointSizeF(font.pointSizeF() * factor);
        else
            font.setPixelSize(qRound(font.pixelSize() * factor));
        font.setBold(bold);
        return font;
    };
}

ApplicationFontFollower::FontFrom ApplicationFontFollower::fixedPitch()
{
    return [](const QFont &applicationFont) {
        QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        font.setPointSizeF(std::max(font.pointSizeF(), applicationFont.pointSizeF()));
        return font;
    };
}

bool ApplicationFontFollower::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == qApp && event->type() == QEvent::ApplicationFontChange)
        apply();
    return QObject::eventFilter(watched, event);
}

void ApplicationFontFollower::apply()
{
    m_widget->setFont(m_fontFrom(QApplication::font()));
}

} // namespace lbscope
