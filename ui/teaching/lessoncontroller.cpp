#include "lessoncontroller.h"

#include "config/nginxvalues.h"
#include "configdocument.h"
#include "demo/demofleet.h"
#include "lessoncard.h"
#include "messagebar.h"
#include "proxy/engine.h"
#include "scenario/scenariofile.h"
#include "scenario/scenariorunner.h"
#include "traffic/trafficpanel.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHostAddress>
#include <QMainWindow>
#include <QMenu>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// The IPv4 loopback address of the pool's first loopback backend when it is not 127.0.0.1 (the
// lessons' own), else empty.
QString backendLoopbackHost(const ProxyConfig &pool)
{
    for (const UpstreamConfig &upstream : pool.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            const QHostAddress address(server.host);
            if (address.protocol() == QAbstractSocket::IPv4Protocol && address.isLoopback())
                return server.host == "127.0.0.1"_L1 ? QString() : server.host;
        }
    }
    return {};
}

} // namespace

LessonController::LessonController(Engine &engine, ConfigDocument &document, TrafficPanel *traffic,
                                   MessageBar *messages, QWidget *window)
    : QObject(window)
    , m_engine(engine)
    , m_document(document)
    , m_traffic(traffic)
    , m_messages(messages)
    , m_window(window)
    , m_runner(new ScenarioRunner(engine, this))
    , m_card(new LessonCard(window))
    , m_menu(new QMenu(tr("Lesso&ns"), window))
{
    ScenarioRunner::Hooks hooks;
    hooks.applyPool = [this](const ProxyConfig &pool, const QString &name, QString *error) {
        return m_document.openConfig(pool, name, error);
    };
    hooks.startTraffic = [this](const TrafficPlan &plan, QString *error) { return m_traffic->runPlan(plan, error); };
    hooks.stopTraffic = [this] { m_traffic->stop(); };
    hooks.resetCounters = [this] { emit countersResetRequested(); };
    m_runner->setHooks(std::move(hooks));
    connect(m_traffic, &TrafficPanel::runFinished, m_runner, &ScenarioRunner::handleTrafficFinished);
    connect(m_runner, &ScenarioRunner::stepApplied, this, [this] { m_card->setSay(m_runner->currentSay()); });
    connect(m_runner, &ScenarioRunner::stepFailed, this, &LessonController::handleStepFailed);
    connect(m_runner, &ScenarioRunner::finished, this, &LessonController::updateStatus);

    m_statusTimer.setInterval(250);
    connect(&m_statusTimer, &QTimer::timeout, this, &LessonController::updateStatus);
    connect(m_card, &LessonCard::runAgainRequested, this, [this] {
        if (m_lesson)
            runScenario(*m_lesson);
    });
    connect(m_card, &LessonCard::stopRequested, m_runner, &ScenarioRunner::stop);
    connect(m_card, &LessonCard::closeRequested, m_card, &QWidget::hide);
    buildMenu();
}

LessonController::~LessonController() = default;

void LessonController::buildMenu()
{
    m_menu->setObjectName(u"lessonsMenu"_s);
    m_menu->setToolTipsVisible(true);
    int number = 0;
    for (const QString &path : ScenarioFile::builtInPaths()) {
        ++number;
        const ScenarioReadResult result = ScenarioFile::read(path);
        QAction *action = m_menu->addAction(
            tr("&%1  %2").arg(number).arg(result.ok() ? result.scenario->title : QFileInfo(path).fileName()));
        action->setObjectName(u"lesson-"_s + QFileInfo(path).fileName().chopped(ScenarioFile::Suffix.size()));
        if (!result.ok()) { // a broken build: say so where the teacher looks
            action->setEnabled(false);
            action->setToolTip(result.error);
        } else {
            action->setToolTip(tr("Rebuild the pool and start this lesson's traffic"));
            action->setStatusTip(result.scenario->title);
            const qsizetype index = m_builtIns.size();
            m_builtIns.append(*result.scenario);
            connect(action, &QAction::triggered, this, [this, index] { runScenario(m_builtIns[index]); });
        }
        m_builtInActions.append(action);
    }
    m_menu->addSeparator();
    m_openAction = m_menu->addAction(tr("&Open Scenario..."), this, &LessonController::chooseAndOpen);
    m_openAction->setObjectName(u"openScenario"_s);
    m_openAction->setToolTip(tr("Open a lesson file (NAME.lesson.json beside its NAME.conf) and run it"));
    m_saveAction =
        m_menu->addAction(tr("&Save Pool and Traffic as Scenario..."), this, &LessonController::chooseAndSave);
    m_saveAction->setObjectName(u"saveScenario"_s);
    m_saveAction->setToolTip(
        tr("Keep the running pool, the traffic panel's settings and the demo instances' knobs as a lesson file"));
}

bool LessonController::runScenario(const Scenario &scenario)
{
    // The lesson keeps the proxy's listener (the students' URL) and the loopback address of the
    // running pool's backends: a teacher who moved the pool off 127.0.0.1 (its ports were taken)
    // gets the lessons there too.
    ScenarioRunner::Placement placement = m_runner->placement();
    const ProxyConfig running = m_engine.configuration();
    const bool hasListener =
        m_engine.isRunning() && !running.servers.isEmpty() && !running.servers.first().listens.isEmpty();
    if (hasListener)
        placement.listens = running.servers.first().listens;
    else
        placement.listens.reset();
    if (m_engine.isRunning())
        placement.loopbackHost = backendLoopbackHost(running);
    m_runner->setPlacement(placement);

    QString error;
    if (!m_runner->run(scenario, &error)) {
        const QString name =
            scenario.sourceFile.isEmpty() ? scenario.title : QDir::toNativeSeparators(scenario.sourceFile);
        m_messages->showMessage(MessageBar::Kind::Error, tr("The lesson %1 did not start: %2").arg(name, error));
        updateStatus();
        return false;
    }
    m_lesson = scenario;
    m_messages->hide();
    m_card->setLesson(scenario.title, scenario.description);
    m_card->setSay(m_runner->currentSay());
    showCard();
    m_statusTimer.start();
    updateStatus();
    return true;
}

bool LessonController::openScenario(const QString &path)
{
    const ScenarioReadResult result = ScenarioFile::read(path);
    if (!result.ok()) {
        m_messages->showMessage(
            MessageBar::Kind::Error,
            tr("%1 was not opened; nothing changed.\n%2").arg(QDir::toNativeSeparators(path), result.error));
        return false;
    }
    if (!runScenario(*result.scenario))
        return false;
    if (!result.warnings.isEmpty()) {
        QStringList lines;
        for (const ConfigMessage &warning : result.warnings)
            lines.append(warning.toString());
        m_messages->showMessage(MessageBar::Kind::Warning, lines.join(u'\n'));
    }
    return true;
}

Scenario LessonController::currentAsScenario() const
{
    Scenario scenario;
    if (m_lesson) {
        scenario.title = m_lesson->title;
        scenario.description = m_lesson->description;
    }
    scenario.pool = m_engine.configuration();
    // A listener on port 0 (the system's choice) is saved as the port it got: nginx wants one.
    const auto bound = m_engine.listeningAddresses();
    for (ServerConfig &server : scenario.pool.servers) {
        for (ListenAddress &listen : server.listens) {
            if (listen.port == 0 && !bound.isEmpty()) {
                listen.port = bound.first().second;
                listen.text = listen.host.isEmpty() ? QString::number(listen.port)
                                                    : nginx::joinHostPort(listen.host, listen.port);
            }
        }
    }
    scenario.traffic = m_traffic->currentPlan();
    if (const DemoFleet *fleet = m_engine.demoInstances()) {
        for (const DemoFleet::Instance &instance : fleet->instances()) {
            if (instance.delayMs == 0 && instance.errorRate == 0.0 && !instance.crashed)
                continue;
            InstanceKnobs knobs;
            knobs.instance = nginx::joinHostPort(instance.address.toString(), instance.port);
            knobs.delayMs = instance.delayMs;
            knobs.errorRate = instance.errorRate;
            knobs.crashed = instance.crashed;
            scenario.instances.append(knobs);
        }
    }
    return scenario;
}

bool LessonController::saveScenario(const QString &path, QString *error)
{
    Scenario scenario = currentAsScenario();
    if (scenario.title.isEmpty())
        scenario.title = QFileInfo(path).fileName().section(u'.', 0, 0);
    if (scenario.description.isEmpty())
        scenario.description = tr("Saved from LB Scope: the pool, the traffic and the demo instances as they were. "
                                  "Write here what the class should look at.");
    scenario.poolFile = QFileInfo(ScenarioFile::poolPathFor(path)).fileName();
    return ScenarioFile::write(scenario, path, error);
}

void LessonController::chooseAndOpen()
{
    const QString dir = m_document.filePath().isEmpty() ? QDir::homePath() : QFileInfo(m_document.filePath()).path();
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open scenario"), dir,
                                                      tr("LB Scope lessons (*.lesson.json);;JSON files (*.json)"));
    if (!path.isEmpty())
        openScenario(path);
}

void LessonController::chooseAndSave()
{
    const QString suggested = QDir::home().filePath(u"my-lesson"_s + ScenarioFile::Suffix);
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save pool and traffic as scenario"), suggested,
                                                tr("LB Scope lessons (*.lesson.json)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(".json"_L1))
        path += ScenarioFile::Suffix;
    QString error;
    if (saveScenario(path, &error))
        m_messages->showMessage(
            MessageBar::Kind::Information,
            tr("Saved the lesson as %1 and its pool as %2; Lessons > Open Scenario brings it back.")
                .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(ScenarioFile::poolPathFor(path))));
    else
        m_messages->showMessage(MessageBar::Kind::Error, error);
}

// The card takes its room from the charts under it, not from the server table above: that
// shows the FAILED and BACKUP states the lessons point at.
void LessonController::showCard()
{
    if (m_card->isVisible())
        return;
    auto *window = qobject_cast<QMainWindow *>(m_window);
    QList<QDockWidget *> docks;
    QList<int> heights;
    if (window) {
        for (QDockWidget *dock : window->findChildren<QDockWidget *>()) {
            const Qt::DockWidgetArea area = window->dockWidgetArea(dock);
            if (dock->isVisible() && !dock->isFloating() &&
                (area == Qt::TopDockWidgetArea || area == Qt::BottomDockWidgetArea)) {
                docks.append(dock);
                heights.append(dock->height());
            }
        }
    }
    m_card->show();
    if (!docks.isEmpty())
        window->resizeDocks(docks, heights, Qt::Vertical);
}

void LessonController::updateStatus()
{
    const bool running = m_runner->isRunning();
    if (!running)
        m_statusTimer.stop();
    const double length = m_runner->current().lengthSeconds();
    const double elapsed = m_runner->elapsedSeconds();
    QString text;
    if (!running)
        text = tr("Finished");
    else if (length > 0)
        text = tr("%1 s of %2 s").arg(std::min(elapsed, length), 0, 'f', 0).arg(length, 0, 'f', 0);
    else
        text = tr("%1 s").arg(elapsed, 0, 'f', 0);
    m_card->setStatus(text, running);
}

void LessonController::handleStepFailed(int index, const QString &message)
{
    m_messages->showMessage(MessageBar::Kind::Warning,
                            tr("Lesson step %1 did not apply: %2").arg(index + 1).arg(message));
}

} // namespace lbscope
