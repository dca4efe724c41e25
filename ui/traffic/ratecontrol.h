#pragma once

// A request rate picked with a slider on a logarithmic scale (1 to 10,000 requests a second:
// each tenth of the travel multiplies the rate by the same factor, so 5, 50 and 500 are all
// easy to hit) and a spin box showing, and taking, the exact value.

#include <QWidget>

class QSlider;
class QSpinBox;

namespace lbscope {

class RateControl final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RateControl)

public:
    static constexpr int MinRate = 1;
    static constexpr int MaxRate = 10'000;

    explicit RateControl(QWidget *parent = nullptr);

    int value() const;
    void setValue(int rate);
    QSlider *slider() const { return m_slider; }
    QSpinBox *spinBox() const { return m_spin; }

signals:
    void valueChanged(int rate);

private:
    static constexpr int SliderSteps = 1000;
    static int rateAt(int position);
    static int positionOf(int rate);

    void handleSliderMoved(int position);
    void handleSpinChanged(int rate);

    QSlider *m_slider;
    QSpinBox *m_spin;
};

} // namespace lbscope
