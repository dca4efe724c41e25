#include "validatinglineedit.h"

#include <QLabel>
#include <QValidator>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// Never Invalid (the user may type through a bad state), Acceptable only when the check passes.
class CheckValidator final : public QValidator
{
public:
    CheckValidator(ValidatingLineEdit::Check check, QObject *parent)
        : QValidator(parent)
        , m_check(std::move(check))
    {
    }

    State validate(QString &input, int &) const override
    {
        return m_check(input).isEmpty() ? Acceptable : Intermediate;
    }

private:
    ValidatingLineEdit::Check m_check;
};

} // namespace

ValidatingLineEdit::ValidatingLineEdit(Check check, QWidget *parent)
    : QLineEdit(parent)
    , m_check(std::move(check))
{
    setValidator(new CheckValidator(m_check, this));
    connect(this, &QLineEdit::textChanged, this, &ValidatingLineEdit::handleTextChanged);
}

ValidatingLineEdit::~ValidatingLineEdit()
{
    delete m_floatingLabel;
}

QLabel *ValidatingLineEdit::createReasonLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    QPalette colours = label->palette();
    colours.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    label->setPalette(colours);
    return label;
}

void ValidatingLineEdit::setFloatingReason(bool floating)
{
    m_floating = floating;
}

void ValidatingLineEdit::showReason(const QString &reason)
{
    setReason(reason);
}

void ValidatingLineEdit::handleTextChanged(const QString &text)
{
    setReason(m_check(text));
}

void ValidatingLineEdit::setReason(const QString &reason)
{
    if (reason == m_reason)
        return;
    if (m_reason.isEmpty())
        m_plainToolTip = toolTip();
    m_reason = reason;
    QPalette colours = parentWidget() ? parentWidget()->palette() : palette();
    if (!reason.isEmpty()) {
        // White on a strong red reads the same in light and dark themes.
        colours.setColor(QPalette::Base, QColor(0xc6, 0x28, 0x28));
        colours.setColor(QPalette::Text, QColor(Qt::white));
    }
    setPalette(colours);
    setToolTip(reason.isEmpty() ? m_plainToolTip : reason);
    if (m_floating && parentWidget()) {
        if (reason.isEmpty()) {
            delete m_floatingLabel;
        } else {
            if (!m_floatingLabel) {
                m_floatingLabel = new QLabel(parentWidget());
                m_floatingLabel->setObjectName(u"reasonLabel"_s);
                m_floatingLabel->setAutoFillBackground(true);
                // Inside a view's viewport a child would paint with the viewport's Base role.
                m_floatingLabel->setBackgroundRole(QPalette::Window);
                m_floatingLabel->setForegroundRole(QPalette::WindowText);
                m_floatingLabel->setFrameShape(QFrame::Box);
                m_floatingLabel->setMargin(3);
                QPalette labelColours = m_floatingLabel->palette();
                labelColours.setColor(QPalette::Window, QColor(0xb7, 0x1c, 0x1c));
                labelColours.setColor(QPalette::WindowText, QColor(Qt::white));
                m_floatingLabel->setPalette(labelColours);
            }
            m_floatingLabel->setText(u"⚠ "_s + reason);
            m_floatingLabel->adjustSize();
            placeFloatingLabel();
            m_floatingLabel->show();
            m_floatingLabel->raise();
        }
    }
    emit reasonChanged(reason);
}

void ValidatingLineEdit::placeFloatingLabel()
{
    if (!m_floatingLabel || !parentWidget())
        return;
    const QRect area = parentWidget()->rect();
    const QSize size = m_floatingLabel->sizeHint();
    QPoint at = geometry().bottomLeft() + QPoint(0, 1);
    if (at.y() + size.height() > area.bottom())
        at.setY(geometry().top() - size.height() - 1); // no room below: above
    at.setX(std::max(0, std::min(at.x(), area.right() - size.width())));
    m_floatingLabel->move(at);
}

void ValidatingLineEdit::moveEvent(QMoveEvent *event)
{
    QLineEdit::moveEvent(event);
    placeFloatingLabel();
}

void ValidatingLineEdit::resizeEvent(QResizeEvent *event)
{
    QLineEdit::resizeEvent(event);
    placeFloatingLabel();
}

} // namespace lbscope
