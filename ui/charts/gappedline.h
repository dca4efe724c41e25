#pragma once

// A line that stops where the data stops: QLineSeries joins every point it is given, so a
// line with gaps is drawn as one series per run of consecutive points. The series are made
// as the runs grow and kept (emptied) when they shrink, so a steady chart creates none; only
// the first shows in the legend.

#include <QList>
#include <QPen>
#include <QPointF>
#include <QPointer>
#include <QString>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QChart;
class QLineSeries;
QT_END_NAMESPACE

namespace lbscope::charts {

class GappedLine
{
public:
    // More runs than this: the oldest are joined, so a flickering backend stays cheap.
    static constexpr qsizetype MaxSegments = 24;

    GappedLine(QChart *chart, QAbstractAxis *x, QAbstractAxis *y, const QString &name, const QPen &pen);
    ~GappedLine();
    Q_DISABLE_COPY_MOVE(GappedLine)

    void setRuns(QList<QList<QPointF>> runs);
    void setPen(const QPen &pen);
    void setName(const QString &name);
    // The series that carries the legend entry.
    QLineSeries *legendSeries() const { return m_segments.first(); }
    const QList<QLineSeries *> &segments() const { return m_segments; }

private:
    QLineSeries *addSegment();

    QPointer<QChart> m_chart;
    QAbstractAxis *m_x;
    QAbstractAxis *m_y;
    QString m_name;
    QPen m_pen;
    QList<QLineSeries *> m_segments;
};

} // namespace lbscope::charts
