#include "inlinemessage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace lbscope {

InlineMessage::InlineMessage(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setObjectName(u"messageText"_s);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_DialogCloseButton));
    m_close->setToolTip(tr("Close this message"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    m_hideTimer.setSingleShot(true);
    m_hideTimer.setInterval(HideAfterMs);
    connect(&m_hideTimer, &QTimer::timeout, this, &QWidget::hide);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void InlineMessage::showMessage(const QString &text, Kind kind)
{
    const bool error = kind == Kind::Error;
    // A tint of the theme's window colour, so the text keeps the theme's contrast.
    QPalette colours = parentWidget() ? parentWidget()->palette() : palette();
    const QColor tint = error ? QColor(0xd3, 0x2f, 0x2f) : QColor(0x19, 0x76, 0xd2);
    const QColor window = colours.color(QPalette::Window);
    colours.setColor(QPalette::Window, QColor::fromRgbF(0.8f * window.redF() + 0.2f * tint.redF(),
                                                        0.8f * window.greenF() + 0.2f * tint.greenF(),
                                                        0.8f * window.blueF() + 0.2f * tint.blueF()));
    setPalette(colours);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()
                          ->standardIcon(error ? QStyle::SP_MessageBoxWarning : QStyle::SP_MessageBoxInformation)
                          .pixmap(size, size));
    m_text->setText(text);
    show();
    m_hideTimer.start();
}

QString InlineMessage::text() const
{
    return isVisible() ? m_text->text() : QString();
}

} // namespace lbscope
