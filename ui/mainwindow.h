#pragma once

// The LB Scope window: docks and menus around the charts, and the wiring between them. It owns
// the poller (the one reader of the engine) and the backend palette; every view gets the
// poller's ticks and sends its commands to the engine. Views never talk to each other: a click
// on a backend in one view comes here and goes to the others.

#include <QMainWindow>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QVBoxLayout;

namespace lbscope {

class AlgorithmStatePanel;
class BackendPalette;
class ChartsPanel;
class ConfigDocument;
class ConfigEditor;
class DemoPanel;
class FlowView;
class LessonController;
class Engine;
class LivePoller;
class LogPanel;
class MessageBar;
class MethodComparisonView;
class NginxTwinPanel;
class PresentationMode;
class SequenceStrip;
class TrafficPanel;
class UpstreamEditor;
struct LiveTick;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Engine &engine, ConfigDocument &document, QWidget *parent = nullptr);
    ~MainWindow() override;

    LivePoller *poller() const { return m_poller; }
    BackendPalette *palette() const { return m_palette; }
    ChartsPanel *chartsPanel() const { return m_charts; }
    SequenceStrip *sequenceStrip() const { return m_sequence; }
    FlowView *flowView() const { return m_flow; }
    MethodComparisonView *methodComparison() const { return m_compare; }
    NginxTwinPanel *nginxTwinPanel() const { return m_twinPanel; }
    AlgorithmStatePanel *statePanel() const { return m_statePanel; }
    SequenceStrip *algorithmStrip() const { return m_algorithmStrip; }
    QAction *stepModeAction() const { return m_stepMode; }
    UpstreamEditor *upstreamEditor() const { return m_upstreamEditor; }
    TrafficPanel *trafficPanel() const { return m_traffic; }
    LogPanel *logPanel() const { return m_log; }
    ConfigEditor *configEditor() const { return m_configEditor; }
    DemoPanel *demoPanel() const { return m_demo; }
    LessonController *lessons() const { return m_lessons; }
    MessageBar *messageBar() const { return m_messageBar; }
    PresentationMode *presentationMode() const { return m_presentation; }
    // Says in the window what went wrong at start (a busy port, a bad file), without a modal box.
    void showStartupError(const QString &message);

    // Window geometry and dock layout, in QSettings.
    void restoreLayout();
    void saveLayout() const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void createDocks();
    QWidget *createAlgorithmPage();
    void setStepMode(bool on);
    void createMenus();
    void createStatusBar();
    void applyDefaultDockSizes();
    void arrangeForProjector();
    enum class DockContent {
        Fixed,
        Scrollable // in a VerticalScrollArea: a tall panel does not hold the window's height up
    };
    QDockWidget *addDock(const QString &title, const QString &objectName, QWidget *content, Qt::DockWidgetArea area,
                         DockContent kind = DockContent::Fixed);

    void handleTick(const LiveTick &tick);
    void handleBackendActivated(const QByteArray &peer);
    void updateTitle();
    void updateRecentMenu();
    void updateListening();

    void openFile();
    void openRecent(const QString &path);
    bool save();
    bool saveAs();
    bool confirmDiscard();
    void toggleListenEverywhere(bool everywhere);
    void resetCounters();
    void showAbout();

    Engine &m_engine;
    ConfigDocument &m_document;
    LivePoller *m_poller;
    BackendPalette *m_palette;
    MessageBar *m_messageBar;
    PresentationMode *m_presentation;
    QVBoxLayout *m_centralLayout = nullptr;
    ChartsPanel *m_charts = nullptr;
    SequenceStrip *m_sequence = nullptr;
    FlowView *m_flow = nullptr;
    NginxTwinPanel *m_twinPanel = nullptr;
    SequenceStrip *m_algorithmStrip = nullptr;
    AlgorithmStatePanel *m_statePanel = nullptr;
    QWidget *m_algorithmPage = nullptr;
    QAction *m_stepMode = nullptr;
    UpstreamEditor *m_upstreamEditor = nullptr;
    TrafficPanel *m_traffic = nullptr;
    LogPanel *m_log = nullptr;
    ConfigEditor *m_configEditor = nullptr;
    DemoPanel *m_demo = nullptr;
    MethodComparisonView *m_compare = nullptr;
    LessonController *m_lessons = nullptr;
    QTabWidget *m_views = nullptr;
    QDockWidget *m_trafficDock = nullptr;
    bool m_layoutRestored = false;
    bool m_shownOnce = false;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QAction *m_listenEverywhere = nullptr;
    QLabel *m_listeningLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QByteArray m_defaultState;
};

} // namespace lbscope
