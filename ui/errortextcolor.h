#pragma once

// The red that error text is drawn in, readable on the palette's base: lighter on a dark one.

#include <QColor>
#include <QPalette>

namespace lbscope {

inline QColor errorTextColor(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5 ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
}

} // namespace lbscope
