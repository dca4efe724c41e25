#include "verticalscrollarea.h"

#include <QEvent>
#include <QScrollBar>

namespace lbscope {

VerticalScrollArea::VerticalScrollArea(QWidget *content, QWidget *parent)
    : QScrollArea(parent)
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWidget(content);
    // The panel's own size hints change with its font and contents; the dock must hear of it.
    content->installEventFilter(this);
}

QSize VerticalScrollArea::minimumSizeHint() const
{
    const int contentWidth = widget() ? widget()->minimumSizeHint().width() : 0;
    return {contentWidth + verticalScrollBar()->sizeHint().width(), QScrollArea::minimumSizeHint().height()};
}

QSize VerticalScrollArea::sizeHint() const
{
    if (!widget())
        return QScrollArea::sizeHint();
    const QSize content = widget()->sizeHint();
    return {content.width() + verticalScrollBar()->sizeHint().width(), content.height()};
}

bool VerticalScrollArea::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == widget() && event->type() == QEvent::LayoutRequest)
        updateGeometry();
    return QScrollArea::eventFilter(watched, event);
}

} // namespace lbscope
