#pragma once

// The window's lessons: the Lessons menu (the built-in scenarios, Open scenario..., Save pool
// and traffic as scenario...), the lesson card, and a ScenarioRunner that applies the pool
// through the window's document (so the title and the editors follow) and sends the traffic
// through the traffic panel (so its progress shows). A lesson keeps the proxy's listener, so the
// students' URL does not change when the teacher switches lessons, and the running pool's
// loopback address (see runScenario).

#include "scenario/scenario.h"

#include <QList>
#include <QObject>
#include <QTimer>

class QAction;
class QMenu;
class QWidget;

namespace lbscope {

class ConfigDocument;
class Engine;
class LessonCard;
class MessageBar;
class ScenarioRunner;
class TrafficPanel;

class LessonController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LessonController)

public:
    // window: the parent, and the parent of the file dialogs.
    LessonController(Engine &engine, ConfigDocument &document, TrafficPanel *traffic, MessageBar *messages,
                     QWidget *window);
    ~LessonController() override;

    QMenu *menu() const { return m_menu; }
    LessonCard *card() const { return m_card; }
    ScenarioRunner &runner() const { return *m_runner; }
    // One per built-in lesson, in menu order.
    const QList<QAction *> &builtInActions() const { return m_builtInActions; }
    QAction *openAction() const { return m_openAction; }
    QAction *saveAction() const { return m_saveAction; }

    // Plays a scenario; what went wrong goes to the message bar, and nothing changed.
    bool runScenario(const Scenario &scenario);
    // Reads a lesson file and plays it; a bad file is refused with its reason in the message bar.
    bool openScenario(const QString &path);
    // The running pool, the traffic panel's plan and the demo instances' knobs as a lesson.
    Scenario currentAsScenario() const;
    bool saveScenario(const QString &path, QString *error);

signals:
    // The lesson counts from zero: the window resets every view, not only the engine.
    void countersResetRequested();

private:
    void buildMenu();
    void showCard();
    void chooseAndOpen();
    void chooseAndSave();
    void updateStatus();
    void handleStepFailed(int index, const QString &message);

    Engine &m_engine;
    ConfigDocument &m_document;
    TrafficPanel *m_traffic;
    MessageBar *m_messages;
    QWidget *m_window;
    ScenarioRunner *m_runner;
    LessonCard *m_card;
    QMenu *m_menu;
    QList<Scenario> m_builtIns;
    QList<QAction *> m_builtInActions;
    QAction *m_openAction = nullptr;
    QAction *m_saveAction = nullptr;
    std::optional<Scenario> m_lesson; // the last lesson run, as its file has it
    QTimer m_statusTimer;
};

} // namespace lbscope
