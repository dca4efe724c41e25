#pragma once

// Looks shared by the charts: colours from the widget's palette (so dark desktops work),
// fonts and pens large enough for a projector, and axis ranges that snap to round numbers.

#include <QFont>
#include <QPalette>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QChart;
class QValueAxis;
QT_END_NAMESPACE

namespace lbscope::charts {

// The normal width of a backend's line. Draw with lineWidth(): this times the line scale, which
// presentation mode raises for a projector. Charts read it when they restyle, on a font or
// palette change, so change the scale before the application font.
inline constexpr qreal LineWidth = 3.0;
qreal lineWidth();
qreal lineScale();
void setLineScale(qreal scale);
// Lines that lie on top of each other (round robin gives every backend the same rate) stay
// visible as nested bands: the first backend's line is the widest.
qreal stackedLineWidth(qsizetype index, qsizetype count);

// Background, title, legend and plot area from the palette; no animation, compact margins.
void styleChart(QChart *chart, const QPalette &palette, const QFont &font);
void styleAxis(QAbstractAxis *axis, const QPalette &palette, const QFont &font);
QFont titleFont(const QFont &base);
QFont labelFont(const QFont &base);

// The smallest 1, 2 or 5 times a power of ten that is at least value (1 for value <= 0).
double niceCeiling(double value);
// Sets 0..niceCeiling(maxValue) with round ticks, touching the axis only when the bound moves.
void setNiceRange(QValueAxis *axis, double maxValue);

// -windowSeconds..0 with ticks at round steps (10 s, 1 min, 3 min).
void setSecondsAgoRange(QValueAxis *axis, int windowSeconds);
// A time chart's new window (clamped to 10 s .. what a SecondRing keeps): sets *windowSeconds
// and the axis, and returns whether anything changed (then the chart redraws).
bool changeWindow(QValueAxis *axis, int *windowSeconds, int seconds);

} // namespace lbscope::charts
