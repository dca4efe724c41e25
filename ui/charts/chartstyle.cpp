#include "charts/chartstyle.h"

#include "charts/secondring.h"

#include <QAbstractAxis>
#include <QChart>
#include <QLegend>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope::charts {

namespace {

qreal s_lineScale = 1.0; // GUI thread only, like the charts that read it

} // namespace

qreal lineScale()
{
    return s_lineScale;
}

void setLineScale(qreal scale)
{
    s_lineScale = scale > 0 ? scale : 1.0;
}

qreal lineWidth()
{
    return LineWidth * s_lineScale;
}

QFont titleFont(const QFont &base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() + 3);
    font.setBold(true);
    return font;
}

QFont labelFont(const QFont &base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() + 1);
    return font;
}

void styleChart(QChart *chart, const QPalette &palette, const QFont &font)
{
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundBrush(palette.brush(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(palette.brush(QPalette::Text));
    chart->setTitleFont(titleFont(font));
    chart->setMargins(QMargins(4, 4, 4, 4));
    QLegend *legend = chart->legend();
    legend->setLabelColor(palette.color(QPalette::Text));
    legend->setFont(labelFont(font));
    legend->setAlignment(Qt::AlignBottom);
    legend->setMarkerShape(QLegend::MarkerShapeFromSeries);
    for (QAbstractAxis *axis : chart->axes())
        styleAxis(axis, palette, font);
}

void styleAxis(QAbstractAxis *axis, const QPalette &palette, const QFont &font)
{
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlphaF(0.15);
    QColor line = text;
    line.setAlphaF(0.5);
    axis->setLabelsBrush(text);
    axis->setLabelsFont(labelFont(font));
    // Qt Charts elides a short chart's numbers ("20" becomes "…") even where they fit.
    axis->setTruncateLabels(false);
    axis->setTitleBrush(text);
    axis->setTitleFont(font);
    axis->setGridLineColor(grid);
    axis->setMinorGridLineColor(grid);
    axis->setLinePenColor(line);
}

qreal stackedLineWidth(qsizetype index, qsizetype count)
{
    const qsizetype below = std::clamp<qsizetype>(count - 1 - index, 0, 3);
    return lineWidth() + 1.5 * s_lineScale * qreal(below);
}

double niceCeiling(double value)
{
    if (!(value > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        // A little tolerance so that exactly 20 stays 20 despite the floating-point log.
        if (value <= step * magnitude * (1 + 1e-9))
            return step * magnitude;
    }
    return 10 * magnitude;
}

void setNiceRange(QValueAxis *axis, double maxValue)
{
    const double top = niceCeiling(maxValue);
    if (axis->min() == 0 && axis->max() == top)
        return;
    // 1 -> 5 ticks of 0.2, 2 -> 4 of 0.5, 5 -> 5 of 1 (times the power of ten).
    const double magnitude = std::pow(10.0, std::floor(std::log10(top) + 1e-9));
    const double leading = std::round(top / magnitude);
    const double interval = leading == 2 ? magnitude / 2 : leading == 5 ? magnitude : magnitude / 5;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(interval);
    axis->setRange(0, top);
    axis->setLabelFormat(interval < 1 ? u"%.1f"_s : u"%.0f"_s);
}

void setSecondsAgoRange(QValueAxis *axis, int windowSeconds)
{
    const int interval = windowSeconds <= 60 ? 10 : windowSeconds <= 300 ? 60 : 180;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(interval);
    axis->setRange(-windowSeconds, 0);
    axis->setLabelFormat(u"%.0f"_s);
}

bool changeWindow(QValueAxis *axis, int *windowSeconds, int seconds)
{
    seconds = std::clamp(seconds, 10, SecondRing::Capacity);
    if (seconds == *windowSeconds)
        return false;
    *windowSeconds = seconds;
    setSecondsAgoRange(axis, seconds);
    return true;
}

} // namespace lbscope::charts
