#include "lessoncard.h"

#include "applicationfontfollower.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

LessonCard::LessonCard(QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_description(new QLabel(this))
    , m_say(new QLabel(this))
    , m_status(new QLabel(this))
    , m_runAgain(new QPushButton(tr("Run &again"), this))
    , m_stop(new QPushButton(tr("Stop lesson"), this))
    , m_close(new QToolButton(this))
{
    setObjectName(u"lessonCard"_s);
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::AlternateBase);
    setAutoFillBackground(true);
    // The words the class reads follow the application font, so presentation mode enlarges them.
    ApplicationFontFollower::follow(m_title, ApplicationFontFollower::scaled(1.35, true));
    ApplicationFontFollower::follow(m_say, ApplicationFontFollower::scaled(1.15, true));
    m_title->setObjectName(u"lessonTitle"_s);
    m_description->setObjectName(u"lessonDescription"_s);
    m_say->setObjectName(u"lessonSay"_s);
    m_status->setObjectName(u"lessonStatus"_s);
    for (QLabel *label : {m_title, m_description, m_say})
        label->setWordWrap(true);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The step's words stand out in the highlight colour, which presentation mode makes strong.
    m_say->setForegroundRole(QPalette::Highlight);
    m_say->hide();
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_runAgain->setObjectName(u"lessonRunAgain"_s);
    m_runAgain->setToolTip(tr("Rebuild the lesson's pool and send its traffic again from the start"));
    m_stop->setObjectName(u"lessonStop"_s);
    m_stop->setToolTip(tr("Stop the lesson's traffic and its timed steps; the pool stays as it is"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Hide the lesson card (the lesson keeps running)"));
    m_close->setAccessibleName(tr("Hide the lesson card"));
    connect(m_runAgain, &QPushButton::clicked, this, &LessonCard::runAgainRequested);
    connect(m_stop, &QPushButton::clicked, this, &LessonCard::stopRequested);
    connect(m_close, &QToolButton::clicked, this, &LessonCard::closeRequested);

    auto *text = new QVBoxLayout;
    text->setSpacing(4);
    text->addWidget(m_title);
    text->addWidget(m_description);
    text->addWidget(m_say);
    auto *side = new QVBoxLayout;
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_close);
    side->addLayout(top);
    side->addWidget(m_runAgain);
    side->addWidget(m_stop);
    side->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addLayout(text, 1);
    layout->addLayout(side);
    hide();
}

void LessonCard::setLesson(const QString &title, const QString &description)
{
    m_title->setText(title);
    m_description->setText(description);
    m_description->setVisible(!description.isEmpty());
    setSay({});
}

void LessonCard::setSay(const QString &text)
{
    m_say->setText(text.isEmpty() ? QString() : tr("Now: %1").arg(text));
    m_say->setVisible(!text.isEmpty());
}

void LessonCard::setStatus(const QString &text, bool running)
{
    m_status->setText(text);
    m_stop->setEnabled(running);
}

QString LessonCard::title() const
{
    return m_title->text();
}

QString LessonCard::description() const
{
    return m_description->text();
}

QString LessonCard::say() const
{
    return m_say->text();
}

QString LessonCard::status() const
{
    return m_status->text();
}

} // namespace lbscope
