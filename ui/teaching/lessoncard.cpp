#include "lessoncard.h"

#include "applicationfontfollower.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace lbscope {

LessonCard::LessonCard(QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_description(new QLabel(this))
    , m_say(new QLabel(this))
    , m_status(new QLabel(this))
    , m_runAgain(new QPushButton(tr("Run again"), this))
    , m_stop(new QPushButton(tr("Stop lesson"), this))
    , m_details(new QToolButton(this))
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

    // The title over the words on the left, the controls in a narrow column on the right: the
    // card stays low, so the server table above and the charts below keep their room.
    m_details->setObjectName(u"lessonDetails"_s);
    m_details->setCheckable(true);
    m_details->setChecked(true);
    m_details->setAutoRaise(true);
    m_details->setArrowType(Qt::UpArrow);
    m_details->setToolTip(tr("Show or hide the lesson's description (the step's words stay)"));
    m_details->setAccessibleName(tr("Lesson description"));
    connect(m_details, &QToolButton::toggled, this, [this](bool shown) {
        m_details->setArrowType(shown ? Qt::UpArrow : Qt::DownArrow);
        m_description->setVisible(shown && !m_description->text().isEmpty());
    });
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(10, 4, 4, 6);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    grid->addWidget(m_title, 0, 0);
    auto *corner = new QHBoxLayout;
    corner->addWidget(m_status, 1);
    corner->addWidget(m_details);
    corner->addWidget(m_close);
    grid->addLayout(corner, 0, 1);
    grid->addWidget(m_description, 1, 0, 2, 1);
    grid->addWidget(m_runAgain, 1, 1);
    grid->addWidget(m_stop, 2, 1);
    grid->addWidget(m_say, 3, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    grid->setRowStretch(2, 1);
    hide();
}

void LessonCard::setLesson(const QString &title, const QString &description)
{
    m_title->setText(title);
    m_description->setText(description);
    m_description->setVisible(m_details->isChecked() && !description.isEmpty());
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
