#pragma once

// The lesson card above the charts: the running lesson's title, what to point out, and what
// its latest step says, large enough for the back of a room. Run again, Stop and Close sit at
// its side, and the description folds away with one click when the room is needed; it hides
// until a lesson is loaded.

#include <QFrame>

class QLabel;
class QPushButton;
class QToolButton;

namespace lbscope {

class LessonCard final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LessonCard)

public:
    explicit LessonCard(QWidget *parent = nullptr);

    void setLesson(const QString &title, const QString &description);
    // The latest step's words; empty hides the line.
    void setSay(const QString &text);
    // "12 s of 20 s", "Finished": how far the lesson is.
    void setStatus(const QString &text, bool running);

    QString title() const;
    QString description() const;
    QString say() const;
    QString status() const;

signals:
    void runAgainRequested();
    void stopRequested();
    void closeRequested();

private:
    QLabel *m_title;
    QLabel *m_description;
    QLabel *m_say;
    QLabel *m_status;
    QPushButton *m_runAgain;
    QPushButton *m_stop;
    QToolButton *m_details;
    QToolButton *m_close;
};

} // namespace lbscope
