#include "mainwindow.h"

#include "backendpalette.h"
#include "charts/chartspanel.h"
#include "config/configeditor.h"
#include "configdocument.h"
#include "demo/demofleet.h"
#include "demo/demopanel.h"
#include "livepoller.h"
#include "logs/logpanel.h"
#include "logs/requestdetailview.h"
#include "messagebar.h"
#include "presentationmode.h"
#include "proxy/engine.h"
#include "teaching/algorithmstatepanel.h"
#include "teaching/flowview.h"
#include "teaching/lessoncard.h"
#include "teaching/lessoncontroller.h"
#include "teaching/methodcomparisonview.h"
#include "teaching/nginxtwinpanel.h"
#include "teaching/sequencestrip.h"
#include "traffic/trafficpanel.h"
#include "upstream/upstreameditor.h"
#include "verticalscrollarea.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShowEvent>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr auto NginxVersionFollowed = "1.22"_L1;

QString hostPortText(const QHostAddress &address, quint16 port)
{
    const QString host =
        address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    return host + u':' + QString::number(port);
}

} // namespace

MainWindow::MainWindow(Engine &engine, ConfigDocument &document, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_document(document)
    , m_poller(new LivePoller(engine, this))
    , m_palette(new BackendPalette(this))
    , m_messageBar(new MessageBar(this))
    , m_presentation(new PresentationMode(this))
{
    setObjectName(u"MainWindow"_s);
    setDockNestingEnabled(true);
    // The traffic panel is tall: the right column takes the whole height, and the servers above
    // span the rest, so the window fits 1280x720.
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_messageBar);
    m_centralLayout = layout;
    setCentralWidget(central);

    resize(1280, 720);
    createDocks();
    createMenus();
    createStatusBar();
    m_defaultState = saveState();

    connect(m_poller, &LivePoller::ticked, this, &MainWindow::handleTick);
    connect(&m_document, &ConfigDocument::documentChanged, this, &MainWindow::updateTitle);
    connect(&m_document, &ConfigDocument::recentFilesChanged, this, &MainWindow::updateRecentMenu);
    updateTitle();
    updateRecentMenu();
    m_poller->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::showStartupError(const QString &message)
{
    m_messageBar->showMessage(MessageBar::Kind::Error, message);
}

QDockWidget *MainWindow::addDock(const QString &title, const QString &objectName, QWidget *content,
                                 Qt::DockWidgetArea area, DockContent kind)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    if (kind == DockContent::Scrollable) {
        dock->setWidget(new VerticalScrollArea(content, dock));
    } else {
        dock->setWidget(content);
    }
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks()
{
    m_charts = new ChartsPanel(m_palette, this);
    // The charts, the log and the configuration share the middle as tabs: at 1280x720 each
    // needs the room, and one click (or a backend clicked anywhere) brings the log up.
    m_views = new QTabWidget(this);
    m_views->setDocumentMode(true);
    // The picks in order above their totals: a class sees the cycle and the shares together.
    m_sequence = new SequenceStrip(m_palette, this);
    auto *chartsPage = new QWidget(this);
    chartsPage->setObjectName(u"chartsPage"_s);
    auto *chartsLayout = new QVBoxLayout(chartsPage);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->setSpacing(0);
    chartsLayout->addWidget(m_sequence);
    // The real nginx's picks right under LB Scope's, cell under cell.
    m_twinPanel = new NginxTwinPanel(m_palette, this);
    chartsLayout->addWidget(m_twinPanel);
    m_charts->addToBar(m_twinPanel->controls());
    chartsLayout->addWidget(m_charts, 1);
    m_views->addTab(chartsPage, tr("&Charts"));
    connect(m_poller, &LivePoller::ticked, m_sequence, &SequenceStrip::handleTick);
    connect(m_sequence, &SequenceStrip::backendActivated, this, &MainWindow::handleBackendActivated);
    connect(m_sequence, &SequenceStrip::recordActivated, this, [this](quint64 id) {
        m_log->showRecord(id);
        m_views->setCurrentWidget(m_log);
    });
    connect(m_poller, &LivePoller::ticked, m_twinPanel, &NginxTwinPanel::handleTick);
    connect(m_twinPanel, &NginxTwinPanel::differencesChanged, m_sequence, &SequenceStrip::setMarkedIds);
    connect(m_twinPanel, &NginxTwinPanel::backendActivated, this, &MainWindow::handleBackendActivated);
    connect(m_twinPanel, &NginxTwinPanel::recordActivated, this, [this](quint64 id) {
        m_log->showRecord(id);
        m_views->setCurrentWidget(m_log);
    });
    m_centralLayout->addWidget(m_views, 1);
    connect(m_poller, &LivePoller::ticked, m_charts, &ChartsPanel::handleTick);
    connect(m_charts, &ChartsPanel::resetRequested, this, &MainWindow::resetCounters);
    connect(m_charts, &ChartsPanel::backendActivated, this, &MainWindow::handleBackendActivated);

    m_upstreamEditor = new UpstreamEditor(&m_engine, m_palette, this);
    addDock(tr("Upstream servers"), u"UpstreamDock"_s, m_upstreamEditor, Qt::TopDockWidgetArea);
    connect(m_poller, &LivePoller::ticked, m_upstreamEditor, &UpstreamEditor::handleTick);
    connect(m_upstreamEditor, &UpstreamEditor::backendActivated, this, &MainWindow::handleBackendActivated);

    m_traffic = new TrafficPanel(m_palette, this);
    connect(m_traffic, &TrafficPanel::runPlanStarted, m_twinPanel, &NginxTwinPanel::mirrorRun);
    connect(m_traffic, &TrafficPanel::runFinished, m_twinPanel, &NginxTwinPanel::handleRunFinished);
    connect(m_twinPanel, &NginxTwinPanel::toggled, m_traffic, &TrafficPanel::setSequenceHeaders);
    QDockWidget *trafficDock =
        addDock(tr("Traffic"), u"TrafficDock"_s, m_traffic, Qt::RightDockWidgetArea, DockContent::Scrollable);
    m_demo = new DemoPanel(m_engine, m_palette, this);
    QDockWidget *demoDock =
        addDock(tr("Demo instances"), u"DemoDock"_s, m_demo, Qt::RightDockWidgetArea, DockContent::Scrollable);
    connect(m_poller, &LivePoller::ticked, m_demo, &DemoPanel::handleTick);
    connect(m_demo, &DemoPanel::followedLogChanged, m_poller, &LivePoller::setFollowedDemoLog);
    connect(demoDock, &QDockWidget::visibilityChanged, m_demo, &DemoPanel::setOnScreen);
    tabifyDockWidget(trafficDock, demoDock);
    trafficDock->raise();

    // The lesson card sits above the charts, under the message bar, where the class looks.
    m_lessons = new LessonController(m_engine, m_document, m_traffic, m_messageBar, this);
    m_centralLayout->insertWidget(1, m_lessons->card());
    connect(m_lessons, &LessonController::countersResetRequested, this, &MainWindow::resetCounters);

    m_log = new LogPanel(m_palette, this);
    m_log->setObjectName(u"logPanel"_s);
    m_views->addTab(m_log, tr("Access &log"));
    connect(m_poller, &LivePoller::ticked, m_log, &LogPanel::handleTick);
    connect(m_log, &LogPanel::backendActivated, this, &MainWindow::handleBackendActivated);
    m_log->detailView()->setUpstreamHeadProvider([](const AccessRecord &record) { return record.upstreamHead; });
    // Looked up when a request is shown, in the instance's own log: nothing is indexed per request.
    m_log->detailView()->setDemoLineProvider([this](const AccessRecord &record) {
        const DemoFleet *fleet = m_engine.demoInstances();
        return fleet ? fleet->lineFor(record) : QString();
    });

    m_configEditor = new ConfigEditor(m_engine, this);
    m_configEditor->setObjectName(u"configEditor"_s);
    m_views->addTab(m_configEditor, tr("Con&figuration"));
    connect(m_poller, &LivePoller::ticked, m_configEditor, &ConfigEditor::handleTick);
    // Requests as dots on their way: painted only while its tab is in front.
    m_flow = new FlowView(m_palette, this);
    m_views->addTab(m_flow, tr("Fl&ow"));
    connect(m_poller, &LivePoller::ticked, m_flow, &FlowView::handleTick);
    m_views->setTabToolTip(0, tr("Requests, rates, latency and status per backend (Alt+C)"));
    m_views->setTabToolTip(m_views->indexOf(m_log), tr("Every request: where it went and why (Alt+L)"));
    m_views->setTabToolTip(m_views->indexOf(m_configEditor),
                           tr("The running configuration as nginx text, editable (Alt+F)"));
    m_views->setTabToolTip(m_views->indexOf(m_flow),
                           tr("Requests travelling to their backends, slow ones turning red (Alt+O)"));
    // Its own copies of the pool, so the main proxy's figures stay as they are.
    m_compare = new MethodComparisonView(m_palette, this);
    m_compare->setObjectName(u"methodComparison"_s);
    const int compareTab = m_views->addTab(m_compare, tr("Compare metho&ds"));
    m_views->setTabToolTip(compareTab, tr("Two methods side by side on the same traffic (Alt+D)"));
    connect(m_poller, &LivePoller::ticked, m_compare, &MethodComparisonView::handleTick);
    m_views->setTabToolTip(m_views->addTab(createAlgorithmPage(), tr("&Algorithm")),
                           tr("The balancer's own state at each pick, step by step (Alt+A)"));
    // The teaching views next to the charts, the log and the configuration after them.
    QTabBar *tabs = m_views->tabBar();
    tabs->moveTab(m_views->indexOf(m_algorithmPage), 1);
    tabs->moveTab(m_views->indexOf(m_flow), 2);
    tabs->moveTab(m_views->indexOf(m_compare), 3);
    m_trafficDock = trafficDock;
}

// The method's state under a strip of its own: the pattern and the state that made it, together.
QWidget *MainWindow::createAlgorithmPage()
{
    m_algorithmStrip = new SequenceStrip(m_palette, this);
    m_algorithmStrip->setObjectName(u"algorithmStrip"_s);
    m_statePanel = new AlgorithmStatePanel(m_palette, this);
    m_algorithmPage = new QWidget(this);
    m_algorithmPage->setObjectName(u"algorithmPage"_s); // the window reopens on its last tab by name
    auto *layout = new QVBoxLayout(m_algorithmPage);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_algorithmStrip);
    layout->addWidget(m_statePanel, 1);
    connect(m_poller, &LivePoller::ticked, m_algorithmStrip, &SequenceStrip::handleTick);
    connect(m_poller, &LivePoller::ticked, m_statePanel, &AlgorithmStatePanel::handleTick);
    connect(m_algorithmStrip, &SequenceStrip::recordActivated, m_statePanel, &AlgorithmStatePanel::showRecord);
    connect(m_statePanel, &AlgorithmStatePanel::stepRequested, m_traffic, &TrafficPanel::sendOne);
    // Space sends one request wherever the focus is, also with the traffic dock closed.
    addAction(m_traffic->sendOneAction());
    return m_algorithmPage;
}

void MainWindow::setStepMode(bool on)
{
    m_traffic->setStepMode(on);
    m_statePanel->setStepMode(on);
    if (on)
        m_views->setCurrentWidget(m_algorithmPage);
}

void MainWindow::applyDefaultDockSizes()
{
    // Room for the seed's three servers, their header, and the weight slider beside the legend;
    // the charts below keep two rows at 1280x720.
    resizeDocks({findChild<QDockWidget *>(u"UpstreamDock"_s)}, {232}, Qt::Vertical);
    resizeDocks({m_trafficDock}, {330}, Qt::Horizontal);
}

void MainWindow::arrangeForProjector()
{
    // What a class watches in front: every server's row, the view in the middle, the Send buttons.
    // Leaving presentation mode gives the layout from before back.
    auto *upstreamDock = findChild<QDockWidget *>(u"UpstreamDock"_s);
    const int dockFrame = upstreamDock->height() - m_upstreamEditor->height();
    const int servers = std::min(dockFrame + m_upstreamEditor->heightShowingAllRows(), height() * 45 / 100);
    resizeDocks({upstreamDock}, {servers}, Qt::Vertical);
    resizeDocks({m_trafficDock}, {m_trafficDock->sizeHint().width()}, Qt::Horizontal);
    m_trafficDock->raise();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_shownOnce)
        return;
    if (!m_layoutRestored)
        applyDefaultDockSizes();
    m_shownOnce = true;
    // Once the window is on screen with its layout, so that leaving the mode comes back to it
    // (a full-screen state set while the window is being shown is lost).
    QMetaObject::invokeMethod(m_presentation, &PresentationMode::restoreSetting, Qt::QueuedConnection);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open..."), this, &MainWindow::openFile);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open an nginx configuration file and run it"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    QAction *saveAction = file->addAction(tr("&Save"), this, &MainWindow::save);
    saveAction->setShortcut(QKeySequence::Save);
    QAction *saveAsAction = file->addAction(tr("Save &As..."), this, &MainWindow::saveAs);
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(tr("&Reset Layout"), this, [this] {
        restoreState(m_defaultState);
        applyDefaultDockSizes();
    });
    m_viewMenu->addAction(m_twinPanel->toggleAction());
    QAction *presentation = m_viewMenu->addAction(tr("&Presentation Mode"));
    presentation->setCheckable(true);
    presentation->setShortcut(Qt::Key_F11);
    presentation->setStatusTip(
        tr("Larger text and lines, high contrast, full screen: for a projector (F11 again to leave)"));
    connect(presentation, &QAction::toggled, m_presentation, &PresentationMode::setEnabled);
    connect(m_presentation, &PresentationMode::toggled, presentation, &QAction::setChecked);
    connect(m_presentation, &PresentationMode::toggled, this, [this](bool enabled) {
        if (!enabled)
            return;
        // Once full screen and the larger font have been laid out: each arrives as queued events.
        QTimer::singleShot(0, this, [this] { QTimer::singleShot(0, this, &MainWindow::arrangeForProjector); });
    });

    m_stepMode = m_viewMenu->addAction(tr("&Step Mode"));
    m_stepMode->setCheckable(true);
    m_stepMode->setShortcut(Qt::Key_F8);
    m_stepMode->setStatusTip(tr("No automatic traffic: each Space sends exactly one request and every view advances "
                                "one step (F8 again to leave)"));
    connect(m_stepMode, &QAction::toggled, this, &MainWindow::setStepMode);
    // The traffic panel leaves step mode by itself when a lesson starts its traffic.
    connect(m_traffic, &TrafficPanel::stepModeChanged, m_stepMode, &QAction::setChecked);

    QMenu *proxy = menuBar()->addMenu(tr("&Proxy"));
    QAction *reset = proxy->addAction(tr("&Reset Counters"), this, &MainWindow::resetCounters);
    reset->setShortcut(tr("Ctrl+R"));
    reset->setToolTip(tr("Count from zero again; the proxy keeps running"));
    proxy->addSeparator();
    m_listenEverywhere = proxy->addAction(tr("Listen on &All Interfaces..."));
    m_listenEverywhere->setCheckable(true);
    m_listenEverywhere->setToolTip(tr("Let other machines (students) reach the proxy; asks first"));
    connect(m_listenEverywhere, &QAction::triggered, this, &MainWindow::toggleListenEverywhere);

    menuBar()->addMenu(m_lessons->menu());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About LB Scope"), this, &MainWindow::showAbout);
}

void MainWindow::createStatusBar()
{
    m_listeningLabel = new QLabel(this);
    m_listeningLabel->setToolTip(tr("Where the proxy accepts connections"));
    m_rateLabel = new QLabel(this);
    m_rateLabel->setToolTip(tr("Requests per second through the proxy, over the last full second"));
    m_errorLabel = new QLabel(this);
    m_errorLabel->setToolTip(tr("5xx responses and requests the proxy refused as malformed, since the last reset"));
    statusBar()->addWidget(m_listeningLabel, 1);
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_errorLabel);
    updateListening();
}

void MainWindow::handleTick(const LiveTick &tick)
{
    if (tick.configChanged)
        updateListening();
    const QList<quint32> &rate = tick.stats.rate;
    const quint32 lastSecond = rate.size() >= 2 ? rate[rate.size() - 2] : 0;
    m_rateLabel->setText(tr("%L1 req/s").arg(lastSecond));
    const quint64 errors = tick.stats.proxy.responses[4] + tick.stats.proxy.clientErrorTotal();
    m_errorLabel->setText(tr("errors: %L1").arg(errors));
}

// One click on a backend anywhere shows its requests in the log.
void MainWindow::handleBackendActivated(const QByteArray &peer)
{
    m_log->setBackendFilter(peer);
    m_views->setCurrentWidget(m_log);
}

void MainWindow::updateListening()
{
    const auto addresses = m_engine.listeningAddresses();
    QStringList texts;
    bool beyondLoopback = false;
    for (const auto &[address, port] : addresses) {
        texts.append(u"http://"_s + hostPortText(address, port));
        beyondLoopback = beyondLoopback || !address.isLoopback();
    }
    if (texts.isEmpty()) {
        m_listeningLabel->setText(tr("Not listening"));
    } else if (beyondLoopback) {
        m_listeningLabel->setText(tr("\u26a0 Listening on %1: reachable from other machines").arg(texts.join(u", "_s)));
    } else {
        m_listeningLabel->setText(tr("Listening on %1").arg(texts.join(u", "_s)));
    }
    if (!addresses.isEmpty()) {
        // The generator sends to the first listener; "every address" is reachable on loopback.
        const auto &[address, port] = addresses.first();
        m_traffic->setTarget(TrafficPlan::targetFor(address), port);
    }
    const QSignalBlocker blocker(m_listenEverywhere);
    m_listenEverywhere->setChecked(beyondLoopback);
}

void MainWindow::updateTitle()
{
    m_configEditor->setFileName(m_document.displayName());
    setWindowFilePath(m_document.filePath());
    setWindowTitle(tr("%1[*] - LB Scope").arg(m_document.displayName()));
    setWindowModified(m_document.isModified());
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = m_document.recentFiles();
    for (const QString &path : files) {
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [this, path] { openRecent(path); });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

bool MainWindow::confirmDiscard()
{
    if (!m_document.isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("The running configuration has changes that are not saved in a file. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::openFile()
{
    if (!confirmDiscard())
        return;
    const QString dir = m_document.filePath().isEmpty() ? QDir::homePath() : QFileInfo(m_document.filePath()).path();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open nginx configuration"), dir,
                                                      tr("nginx configuration (*.conf);;All files (*)"));
    if (!path.isEmpty())
        openRecent(path);
}

void MainWindow::openRecent(const QString &path)
{
    QString error;
    if (m_document.open(path, &error))
        m_messageBar->hide();
    else
        m_messageBar->showMessage(
            MessageBar::Kind::Error,
            tr("%1 was not opened; the running configuration stays.\n%2").arg(QDir::toNativeSeparators(path), error));
}

bool MainWindow::save()
{
    if (m_document.filePath().isEmpty())
        return saveAs();
    QString error;
    if (!m_document.save(&error)) {
        m_messageBar->showMessage(MessageBar::Kind::Error, error);
        return false;
    }
    return true;
}

bool MainWindow::saveAs()
{
    const QString suggested =
        m_document.filePath().isEmpty() ? QDir::home().filePath(m_document.displayName()) : m_document.filePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save nginx configuration"), suggested,
                                                      tr("nginx configuration (*.conf);;All files (*)"));
    if (path.isEmpty())
        return false;
    QString error;
    if (!m_document.saveAs(path, &error)) {
        m_messageBar->showMessage(MessageBar::Kind::Error, error);
        return false;
    }
    return true;
}

void MainWindow::toggleListenEverywhere(bool everywhere)
{
    if (everywhere) {
        const auto answer = QMessageBox::warning(
            this, tr("Listen on all interfaces?"),
            tr("Other machines on your network (a class, anyone on this Wi-Fi) will be able to send requests "
               "through the proxy to its backends. Do this only on a network you trust; switch it off again "
               "from the Proxy menu."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) {
            updateListening();
            return;
        }
    }
    ProxyConfig config = m_engine.configuration();
    for (ServerConfig &server : config.servers) {
        for (ListenAddress &listen : server.listens) {
            // Every interface in so many words: a bare port binds loopback only.
            listen.host = everywhere ? u"0.0.0.0"_s : u"127.0.0.1"_s;
            listen.text = u"%1:%2"_s.arg(listen.host).arg(listen.port);
        }
    }
    QString error;
    if (!m_engine.reload(config, &error))
        m_messageBar->showMessage(MessageBar::Kind::Error, tr("The proxy's address did not change: %1").arg(error));
    updateListening();
}

void MainWindow::resetCounters()
{
    m_engine.resetStats();
    m_sequence->clear(); // a clean slate everywhere, not only in the charts
    m_flow->clear();
    m_twinPanel->clear();
    m_algorithmStrip->clear();
    m_statePanel->clear();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About LB Scope"),
                       tr("<h3>LB Scope %1</h3><p>A real HTTP/1.1 reverse proxy and load balancer that shows, live, "
                          "where every request goes and why.</p><p>Balancing, failures, headers and error codes "
                          "follow nginx %2; the configuration is nginx syntax.</p><p>Built with Qt %3, running on "
                          "Qt %4.</p>")
                           .arg(QApplication::applicationVersion(), NginxVersionFollowed,
                                QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion())));
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    m_layoutRestored = restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()) &&
                       restoreState(settings.value(u"window/state"_s).toByteArray());
    // The view in front when the window closed, by the page's name ("flowView"), so new tabs
    // do not shift it.
    const QString view = settings.value(u"window/view"_s).toString();
    for (int i = 0; !view.isEmpty() && i < m_views->count(); ++i) {
        if (m_views->widget(i)->objectName() == view)
            m_views->setCurrentIndex(i);
    }
}

void MainWindow::saveLayout() const
{
    // In presentation mode, the layout from before it: the mode itself comes back on its own.
    const bool presenting = m_presentation->isEnabled();
    QSettings settings;
    settings.setValue(u"window/geometry"_s, presenting ? m_presentation->normalGeometry() : saveGeometry());
    settings.setValue(u"window/state"_s, presenting ? m_presentation->normalState() : saveState());
    settings.setValue(u"window/view"_s, m_views->currentWidget()->objectName());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    event->accept();
}

} // namespace lbscope
