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
    widget->installEventFilter(this);
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
    // QApplication::setFont sends this to every widget, after the new font is in place.
    if (watched == m_widget && event->type() == QEvent::ApplicationFontChange)
        apply();
    return QObject::eventFilter(watched, event);
}

void ApplicationFontFollower::apply()
{
    m_widget->setFont(m_fontFrom(QApplication::font()));
}

} // namespace lbscope
