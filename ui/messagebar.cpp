#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace lbscope {

MessageBar::MessageBar(QWidget *parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_close);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Hide this message"));
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void MessageBar::showMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    m_label->setText(text);
    const QStyle::StandardPixmap icon = kind == Kind::Error     ? QStyle::SP_MessageBoxCritical
                                        : kind == Kind::Warning ? QStyle::SP_MessageBoxWarning
                                                                : QStyle::SP_MessageBoxInformation;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    updateColors();
    show();
}

QString MessageBar::text() const
{
    return isVisible() ? m_label->text() : QString();
}

void MessageBar::updateColors()
{
    // A tint of the message's colour over the window colour keeps text readable in light and dark.
    const QColor accent = m_kind == Kind::Error     ? QColor(0xd5, 0x5e, 0x00)
                          : m_kind == Kind::Warning ? QColor(0xe6, 0x9f, 0x00)
                                                    : QColor(0x00, 0x72, 0xb2);
    QPalette colors = palette();
    const QColor base =
        parentWidget() ? parentWidget()->palette().color(QPalette::Window) : colors.color(QPalette::Window);
    QColor tint;
    tint.setRgbF(base.redF() * 0.75f + accent.redF() * 0.25f, base.greenF() * 0.75f + accent.greenF() * 0.25f,
                 base.blueF() * 0.75f + accent.blueF() * 0.25f);
    colors.setColor(QPalette::Window, tint);
    setPalette(colors);
}

} // namespace lbscope
