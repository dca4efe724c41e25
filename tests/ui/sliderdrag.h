#pragma once

// Drags a horizontal QSlider's handle with the mouse as a user does: press on the handle, a
// few moves with the button held, release. Qt 6.4's QTest::mouseMove sends a real MouseMove
// with the pressed button when a QTest::mousePress came first, so QSlider runs its own drag
// code (sliderPressed, sliderMoved, valueChanged, sliderReleased).

#include <QSlider>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTest>

namespace lbscope::test {

// What QSlider's (protected) initStyleOption fills in, for a left-to-right horizontal slider.
inline QStyleOptionSlider sliderOption(const QSlider &slider)
{
    QStyleOptionSlider option;
    option.initFrom(&slider);
    option.subControls = QStyle::SC_None;
    option.activeSubControls = QStyle::SC_None;
    option.orientation = slider.orientation();
    option.maximum = slider.maximum();
    option.minimum = slider.minimum();
    option.tickPosition = slider.tickPosition();
    option.tickInterval = slider.tickInterval();
    option.upsideDown = slider.invertedAppearance();
    option.direction = Qt::LeftToRight;
    option.sliderPosition = slider.sliderPosition();
    option.sliderValue = slider.value();
    option.singleStep = slider.singleStep();
    option.pageStep = slider.pageStep();
    return option;
}

inline QRect sliderHandle(const QSlider &slider)
{
    const QStyleOptionSlider option = sliderOption(slider);
    return slider.style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, &slider);
}

// Where the handle's left edge sits for `value`, as QSlider maps a pixel back to a value.
inline int handleLeftFor(const QSlider &slider, int value)
{
    const QStyleOptionSlider option = sliderOption(slider);
    const QRect groove = slider.style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, &slider);
    const int span = groove.width() - sliderHandle(slider).width();
    return groove.x() + QStyle::sliderPositionFromValue(slider.minimum(), slider.maximum(), value, span);
}

// Drags the handle to `value` in `moves` mouse moves; true if the slider ends there.
inline bool dragSliderTo(QSlider *slider, int value, int moves = 4)
{
    const QRect handle = sliderHandle(*slider);
    const QPoint grab = handle.center();
    const int offset = grab.x() - handle.left();
    const int to = handleLeftFor(*slider, value) + offset;
    QTest::mousePress(slider, Qt::LeftButton, {}, grab);
    if (!slider->isSliderDown())
        return false;
    for (int move = 1; move <= moves; ++move)
        QTest::mouseMove(slider, QPoint(grab.x() + (to - grab.x()) * move / moves, grab.y()));
    QTest::mouseRelease(slider, Qt::LeftButton, {}, QPoint(to, grab.y()));
    return !slider->isSliderDown() && slider->value() == value;
}

} // namespace lbscope::test
