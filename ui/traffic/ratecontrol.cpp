#include "ratecontrol.h"

#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <cmath>

namespace lbscope {

RateControl::RateControl(QWidget *parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QSpinBox(this))
{
    m_slider->setRange(0, SliderSteps);
    m_slider->setPageStep(SliderSteps / 8);
    m_slider->setToolTip(tr("Requests per second, on a logarithmic scale from %L1 to %L2").arg(MinRate).arg(MaxRate));
    m_slider->setAccessibleName(tr("Rate"));
    m_spin->setRange(MinRate, MaxRate);
    m_spin->setSuffix(tr(" req/s"));
    m_spin->setGroupSeparatorShown(true);
    m_spin->setToolTip(tr("The exact rate in requests per second (%L1 to %L2)").arg(MinRate).arg(MaxRate));
    m_spin->setAccessibleName(tr("Rate in requests per second"));
    connect(m_slider, &QSlider::valueChanged, this, &RateControl::handleSliderMoved);
    connect(m_spin, &QSpinBox::valueChanged, this, &RateControl::handleSpinChanged);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);
    setFocusProxy(m_slider);
    setValue(100);
}

int RateControl::value() const
{
    return m_spin->value();
}

void RateControl::setValue(int rate)
{
    m_spin->setValue(rate); // moves the slider through handleSpinChanged
}

int RateControl::rateAt(int position)
{
    const double exponent = std::log10(double(MaxRate)) * position / SliderSteps;
    return std::clamp(int(std::lround(std::pow(10.0, exponent))), MinRate, MaxRate);
}

int RateControl::positionOf(int rate)
{
    return int(std::lround(std::log10(double(std::max(rate, MinRate))) / std::log10(double(MaxRate)) * SliderSteps));
}

void RateControl::handleSliderMoved(int position)
{
    // Round to two significant figures: a slider picks 230 or 2,300, not 2,317.
    int rate = rateAt(position);
    const int unit = rate >= 100 ? int(std::pow(10.0, std::floor(std::log10(double(rate)))) / 10) : 1;
    rate = std::clamp(int(std::lround(double(rate) / unit)) * unit, MinRate, MaxRate);
    const QSignalBlocker blocker(m_spin);
    m_spin->setValue(rate);
    emit valueChanged(rate);
}

void RateControl::handleSpinChanged(int rate)
{
    const QSignalBlocker blocker(m_slider);
    m_slider->setValue(positionOf(rate));
    emit valueChanged(rate);
}

} // namespace lbscope
