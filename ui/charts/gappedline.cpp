#include "charts/gappedline.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>

namespace lbscope::charts {

GappedLine::GappedLine(QChart *chart, QAbstractAxis *x, QAbstractAxis *y, const QString &name, const QPen &pen)
    : m_chart(chart)
    , m_x(x)
    , m_y(y)
    , m_name(name)
    , m_pen(pen)
{
    addSegment();
}

GappedLine::~GappedLine()
{
    if (!m_chart)
        return;
    for (QLineSeries *segment : std::as_const(m_segments)) {
        m_chart->removeSeries(segment);
        delete segment;
    }
}

QLineSeries *GappedLine::addSegment()
{
    auto *segment = new QLineSeries;
    segment->setName(m_name);
    segment->setPen(m_pen);
    m_chart->addSeries(segment);
    segment->attachAxis(m_x);
    segment->attachAxis(m_y);
    if (!m_segments.isEmpty()) {
        for (QLegendMarker *marker : m_chart->legend()->markers(segment))
            marker->setVisible(false);
    }
    m_segments.append(segment);
    return segment;
}

void GappedLine::setRuns(QList<QList<QPointF>> runs)
{
    if (runs.size() > MaxSegments) {
        const qsizetype joined = runs.size() - MaxSegments + 1;
        for (qsizetype i = 1; i < joined; ++i)
            runs.first().append(runs[i]);
        runs.remove(1, joined - 1);
    }
    for (QList<QPointF> &run : runs) {
        // One point alone draws nothing as a line: make it a short dash across its second.
        if (run.size() == 1) {
            const QPointF point = run.first();
            run = {QPointF(point.x() - 0.5, point.y()), QPointF(point.x() + 0.5, point.y())};
        }
    }
    while (m_segments.size() < runs.size())
        addSegment();
    for (qsizetype i = 0; i < m_segments.size(); ++i) {
        if (i < runs.size())
            m_segments[i]->replace(runs[i]);
        else if (m_segments[i]->count() > 0)
            m_segments[i]->clear();
    }
}

void GappedLine::setPen(const QPen &pen)
{
    m_pen = pen;
    for (QLineSeries *segment : std::as_const(m_segments))
        segment->setPen(pen);
}

void GappedLine::setName(const QString &name)
{
    m_name = name;
    for (QLineSeries *segment : std::as_const(m_segments))
        segment->setName(name);
}

} // namespace lbscope::charts
