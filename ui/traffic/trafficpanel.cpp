#include "trafficpanel.h"

#include "applicationfontfollower.h"
#include "errortextcolor.h"
#include "ratecontrol.h"
#include "trafficdistributionview.h"

#include <QAction>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// A number the class reads from the back of the room, with its caption under it.
QLabel *addFigure(QGridLayout *grid, int row, int column, const QString &caption, const QString &toolTip)
{
    auto *value = new QLabel(u"-"_s);
    ApplicationFontFollower::follow(value, ApplicationFontFollower::scaled(1.5, true));
    value->setAlignment(Qt::AlignCenter);
    value->setToolTip(toolTip);
    auto *label = new QLabel(caption);
    label->setAlignment(Qt::AlignCenter);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setToolTip(toolTip);
    grid->addWidget(value, row * 2, column);
    grid->addWidget(label, row * 2 + 1, column);
    return value;
}

QString milliseconds(double ms)
{
    return ms < 10 ? QString::number(ms, 'f', 2) : QString::number(ms, 'f', ms < 100 ? 1 : 0);
}

} // namespace

TrafficPanel::TrafficPanel(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
    , m_sendOne(new QAction(tr("Send &1"), this))
{
    m_pollTimer.setInterval(PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &TrafficPanel::poll);
    m_rateRestart.setSingleShot(true);
    m_rateRestart.setInterval(300); // while the slider moves, restart once it rests
    connect(&m_rateRestart, &QTimer::timeout, this, &TrafficPanel::startRate);
    connect(&m_generator, &TrafficGenerator::finished, this, &TrafficPanel::handleFinished);

    m_sendOne->setShortcut(QKeySequence(Qt::Key_Space));
    m_sendOne->setShortcutContext(Qt::WindowShortcut);
    connect(m_sendOne, &QAction::triggered, this, &TrafficPanel::sendOne);
    addAction(m_sendOne);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildSendGroup());
    layout->addWidget(buildRateGroup());
    layout->addWidget(buildRequestGroup());
    layout->addWidget(buildResultsGroup(), 1);
    layout->addStretch(0);

    setTabOrder(m_sendOneButton, m_sendBurstButton);
    setTabOrder(m_sendBurstButton, m_burstCount);
    setTabOrder(m_burstCount, m_rate);
    setTabOrder(m_rate, m_rate->spinBox());
    setTabOrder(m_rate->spinBox(), m_duration);
    setTabOrder(m_duration, m_rateButton);
    setTabOrder(m_rateButton, m_concurrency);
    setTabOrder(m_concurrency, m_clients);
    setTabOrder(m_clients, m_host);
    setTabOrder(m_host, m_path);
    setTabOrder(m_path, m_stop);
    updateControls();
}

// The generator stops a run as it is destroyed and says so; by then the timers are gone.
TrafficPanel::~TrafficPanel()
{
    disconnect(&m_generator, nullptr, this, nullptr);
    m_generator.stop();
}

QWidget *TrafficPanel::buildSendGroup()
{
    auto *group = new QGroupBox(this);
    m_sendGroup = group;
    group->setToolTip(tr("Where the requests go: the proxy's listening address"));
    m_sendOneButton = new QPushButton(tr("Send &1  (Space)"), group);
    m_sendOneButton->setObjectName(u"sendOne"_s);
    connect(m_sendOneButton, &QPushButton::clicked, this, &TrafficPanel::sendOne);
    m_burstCount = new QSpinBox(group);
    m_burstCount->setObjectName(u"burstCount"_s);
    m_burstCount->setRange(1, 1'000'000);
    m_burstCount->setValue(10);
    m_burstCount->setGroupSeparatorShown(true);
    m_burstCount->setAccessibleName(tr("Requests to send"));
    m_burstCount->setToolTip(tr("How many requests Send N fires"));
    m_sendBurstButton = new QPushButton(group);
    m_sendBurstButton->setObjectName(u"sendBurst"_s);
    connect(m_sendBurstButton, &QPushButton::clicked, this, &TrafficPanel::sendBurst);
    connect(m_burstCount, &QSpinBox::valueChanged, this, &TrafficPanel::updateControls);
    auto *row = new QHBoxLayout(group);
    row->addWidget(m_sendOneButton, 1);
    row->addWidget(m_sendBurstButton, 1);
    row->addWidget(m_burstCount);
    return group;
}

QWidget *TrafficPanel::buildRateGroup()
{
    auto *group = new QGroupBox(tr("Steady rate"), this);
    m_rate = new RateControl(group);
    m_rate->setObjectName(u"rate"_s);
    connect(m_rate, &RateControl::valueChanged, this, &TrafficPanel::handleRateChanged);
    m_duration = new QSpinBox(group);
    m_duration->setObjectName(u"duration"_s);
    m_duration->setRange(0, 24 * 3600);
    m_duration->setSpecialValueText(tr("until stopped"));
    m_duration->setSuffix(tr(" s"));
    m_duration->setToolTip(tr("How long the steady rate runs; 0: until you stop it"));
    m_duration->setAccessibleName(tr("Duration in seconds"));
    m_rateButton = new QPushButton(tr("&Start"), group);
    m_rateButton->setObjectName(u"rateStartStop"_s);
    m_rateButton->setCheckable(true);
    m_rateButton->setToolTip(tr("Start or stop sending at the steady rate"));
    connect(m_rateButton, &QPushButton::toggled, this, &TrafficPanel::handleRateToggled);
    auto *durationLabel = new QLabel(tr("&For"), group);
    durationLabel->setBuddy(m_duration);
    auto *rows = new QVBoxLayout(group);
    rows->addWidget(m_rate);
    auto *row = new QHBoxLayout;
    row->addWidget(durationLabel);
    row->addWidget(m_duration, 1);
    row->addWidget(m_rateButton, 1);
    rows->addLayout(row);
    return group;
}

QWidget *TrafficPanel::buildRequestGroup()
{
    auto *group = new QGroupBox(tr("Requests"), this);
    m_concurrency = new QSpinBox(group);
    m_concurrency->setObjectName(u"concurrency"_s);
    m_concurrency->setRange(1, 1000);
    m_concurrency->setValue(TrafficPlan::DefaultConcurrency);
    m_concurrency->setToolTip(tr("How many requests may be in flight at once (one connection each)"));
    m_clients = new QSpinBox(group);
    m_clients->setObjectName(u"clients"_s);
    m_clients->setRange(0, TrafficPlan::MaxSimulatedClients);
    m_clients->setSpecialValueText(tr("off"));
    m_clients->setGroupSeparatorShown(true);
    m_clients->setToolTip(tr("Send from K different source addresses, 127.0.0.1, 127.0.1.1, 127.0.2.1 ... in turn. "
                             "ip_hash picks a server from the first three parts of the client address, so from "
                             "one address every request goes to the same server; with K clients you see how "
                             "ip_hash spreads them. Off: every request comes from 127.0.0.1."));
    m_host = new QLineEdit(u"photos.example.com"_s, group);
    m_host->setObjectName(u"host"_s);
    m_host->setToolTip(tr("The Host header of the requests: it picks the server block by server_name"));
    m_path = new QLineEdit(u"/"_s, group);
    m_path->setObjectName(u"path"_s);
    m_path->setToolTip(tr("The request path. {n} becomes the request's number (0, 1, 2 ...) and {rand:A-B} a "
                          "random whole number from A to B, e.g. /photos/{rand:1-500}.jpg: useful with "
                          "hash $request_uri"));
    m_pathError = new QLabel(group);
    m_pathError->setObjectName(u"pathError"_s);
    m_pathError->setWordWrap(true);
    m_pathError->hide();
    m_problem = new QLabel(group);
    m_problem->setObjectName(u"problem"_s);
    m_problem->setWordWrap(true);
    m_problem->hide();
    connect(m_path, &QLineEdit::textChanged, this, &TrafficPanel::validatePath);
    // Two short fields share a row, so the panel fits a dock of 600 pixels.
    auto *grid = new QGridLayout(group);
    const auto addLabel = [group, grid](const QString &text, QWidget *field, int row, int column) {
        auto *label = new QLabel(text, group);
        label->setBuddy(field);
        label->setToolTip(field->toolTip());
        grid->addWidget(label, row, column);
    };
    addLabel(tr("&Concurrency"), m_concurrency, 0, 0);
    grid->addWidget(m_concurrency, 0, 1);
    addLabel(tr("C&lients"), m_clients, 0, 2);
    grid->addWidget(m_clients, 0, 3);
    addLabel(tr("&Host"), m_host, 1, 0);
    grid->addWidget(m_host, 1, 1, 1, 3);
    addLabel(tr("&Path"), m_path, 2, 0);
    grid->addWidget(m_path, 2, 1, 1, 3);
    grid->addWidget(m_pathError, 3, 0, 1, 4);
    grid->addWidget(m_problem, 4, 0, 1, 4);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    return group;
}

QWidget *TrafficPanel::buildResultsGroup()
{
    auto *group = new QGroupBox(tr("What the generator saw"), this);
    m_progressBar = new QProgressBar(group);
    m_progressBar->setObjectName(u"progress"_s);
    m_progressBar->setToolTip(tr("How far the run is: requests answered for Send N, time for a steady rate"));
    m_progressBar->setTextVisible(false);
    m_stop = new QPushButton(tr("S&top"), group);
    m_stop->setObjectName(u"stop"_s);
    m_stop->setToolTip(tr("Stop the run: no more requests; those in flight are cancelled"));
    connect(m_stop, &QPushButton::clicked, this, &TrafficPanel::stop);
    m_progressText = new QLabel(group);
    m_progressText->setObjectName(u"progressText"_s);
    m_progressText->setToolTip(tr("Requests sent, in flight and the time since the run started"));

    auto *figures = new QGridLayout;
    figures->setVerticalSpacing(0);
    m_sent = addFigure(figures, 0, 0, tr("sent"), tr("Requests written to the proxy in this run"));
    m_done = addFigure(figures, 0, 1, tr("done"), tr("Requests answered with an HTTP response, whatever its status"));
    m_failed = addFigure(figures, 0, 2, tr("failed"),
                         tr("Requests with no HTTP response: connection errors, timeouts, broken responses"));
    m_achieved = addFigure(figures, 1, 0, tr("req/s"), tr("Answered requests per second over the run"));
    m_p50 = addFigure(figures, 1, 1, tr("p50 ms"), tr("Half of the responses took at most this long (median)"));
    m_p99 = addFigure(figures, 1, 2, tr("p99 ms"), tr("99 of 100 responses took at most this long"));
    m_done->setObjectName(u"done"_s);
    m_failed->setObjectName(u"failed"_s);

    m_last = new QLabel(group);
    m_last->setObjectName(u"lastResult"_s);
    m_last->setToolTip(tr("The last response the generator received"));
    m_last->setWordWrap(true);
    m_distribution = new TrafficDistributionView(m_palette, group);

    auto *layout = new QVBoxLayout(group);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progressBar, 1);
    progressRow->addWidget(m_stop);
    layout->addLayout(progressRow);
    layout->addWidget(m_progressText);
    layout->addLayout(figures);
    layout->addWidget(m_last);
    layout->addWidget(m_distribution);
    return group;
}

void TrafficPanel::setTarget(const QHostAddress &address, quint16 port)
{
    m_address = address;
    m_port = port;
    const QString host =
        address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    m_sendGroup->setTitle(tr("Send to %1:%2").arg(host).arg(port));
    updateControls();
}

bool TrafficPanel::validatePath()
{
    QString error;
    const bool ok = !TrafficPlan::parsePathTemplate(m_path->text(), &error).isEmpty();
    m_pathError->setVisible(!ok);
    if (!ok) {
        QPalette pal = m_pathError->palette();
        pal.setColor(QPalette::WindowText, errorTextColor(palette()));
        m_pathError->setPalette(pal);
        m_pathError->setText(tr("Not sent: %1").arg(error));
    }
    return ok;
}

void TrafficPanel::showProblem(const QString &text)
{
    QPalette pal = m_problem->palette();
    pal.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_problem->setPalette(pal);
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

std::optional<TrafficPlan> TrafficPanel::planFor(TrafficPlan::Mode mode)
{
    if (!validatePath()) {
        m_path->setFocus(Qt::OtherFocusReason);
        return std::nullopt;
    }
    TrafficPlan plan;
    plan.address = m_address;
    plan.port = m_port;
    plan.mode = mode;
    plan.pathTemplate = m_path->text();
    plan.host = m_host->text().trimmed().toLatin1();
    plan.concurrency = mode == TrafficPlan::Mode::Single ? 1 : m_concurrency->value();
    plan.simulatedClients = m_clients->value();
    if (mode == TrafficPlan::Mode::Burst)
        plan.count = quint64(m_burstCount->value());
    if (mode == TrafficPlan::Mode::Rate) {
        plan.rate = m_rate->value();
        plan.durationSeconds = m_duration->value();
    }
    if (const QString problem = plan.validate(); !problem.isEmpty()) {
        showProblem(tr("Not sent: %1").arg(problem));
        return std::nullopt;
    }
    return plan;
}

bool TrafficPanel::startRun(RunKind kind, const TrafficPlan &givenPlan, QString *error)
{
    readResults(); // what is left of the previous run, before the generator clears it
    TrafficPlan plan = givenPlan;
    if (m_sequenceHeaders) {
        // Numbers go on from the previous numbered run. After a run until stopped, a gap: a
        // copy of it sent elsewhere may have sent a request or two more before it stopped.
        quint64 base = 0;
        if (m_numberedPlan) {
            const quint64 previousBase = m_numberedPlan->sequenceHeaderBase.value_or(0);
            const std::optional<quint64> total = m_numberedPlan->totalRequests();
            base =
                total && m_numberedPlan->mode != TrafficPlan::Mode::Rate
                    ? previousBase + *total
                    : (previousBase + m_generator.progress().sent) / SequenceRunGap * SequenceRunGap + SequenceRunGap;
        }
        plan.sequenceHeaderBase = base;
        // A copy sent elsewhere must ask for the same {rand} paths.
        if (plan.randomSeed == 0)
            plan.randomSeed = QRandomGenerator::global()->generate() | 1u;
    }
    QString problem;
    if (!m_generator.start(plan, &problem)) {
        showProblem(tr("Not sent: %1").arg(problem));
        if (error)
            *error = problem;
        return false;
    }
    showProblem({});
    m_lastPlan = plan;
    m_kind = kind;
    m_latency = {};
    m_runDurationSeconds = plan.durationSeconds;
    m_pollTimer.start();
    if (plan.sequenceHeaderBase)
        m_numberedPlan = plan;
    poll();
    updateControls();
    emit runPlanStarted(plan);
    emit runStarted();
    return true;
}

TrafficPlan TrafficPanel::currentPlan() const
{
    TrafficPlan plan = m_lastPlan.value_or(TrafficPlan());
    if (!m_lastPlan)
        plan.mode = TrafficPlan::Mode::Rate;
    plan.sequenceHeaderBase.reset(); // the nginx twin's numbering, not part of the traffic
    plan.address = m_address;
    plan.port = m_port;
    plan.pathTemplate = m_path->text();
    plan.host = m_host->text().trimmed().toLatin1();
    plan.concurrency = plan.mode == TrafficPlan::Mode::Single ? 1 : m_concurrency->value();
    plan.simulatedClients = m_clients->value();
    plan.count = plan.mode == TrafficPlan::Mode::Burst ? quint64(m_burstCount->value()) : 0;
    if (plan.mode == TrafficPlan::Mode::Rate) {
        // The controls hold whole numbers: the last plan's exact value while they still show it.
        if (!m_lastPlan || std::lround(m_lastPlan->rate) != m_rate->value())
            plan.rate = m_rate->value();
        if (!m_lastPlan || std::ceil(m_lastPlan->durationSeconds) != m_duration->value())
            plan.durationSeconds = m_duration->value();
    }
    return plan;
}

bool TrafficPanel::runPlan(const TrafficPlan &plan, QString *error)
{
    if (const QString problem = plan.validate(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    // A lesson's traffic is automatic: starting one ends step mode.
    setStepMode(false);
    stop();
    m_queuedSingles = 0;
    {
        const QSignalBlocker rateBlocker(m_rate);
        m_path->setText(plan.pathTemplate);
        m_host->setText(QString::fromLatin1(plan.host));
        m_concurrency->setValue(plan.effectiveConcurrency());
        m_clients->setValue(plan.simulatedClients);
        if (plan.mode == TrafficPlan::Mode::Burst)
            m_burstCount->setValue(int(std::min<quint64>(plan.count, quint64(m_burstCount->maximum()))));
        if (plan.mode == TrafficPlan::Mode::Rate) {
            m_rate->setValue(int(std::lround(plan.rate)));
            m_duration->setValue(int(std::ceil(plan.durationSeconds)));
        }
    }
    setTarget(plan.address, plan.port);
    const RunKind kind = plan.mode == TrafficPlan::Mode::Single  ? RunKind::Single
                         : plan.mode == TrafficPlan::Mode::Burst ? RunKind::Burst
                                                                 : RunKind::Rate;
    const bool started = startRun(kind, plan, error);
    if (kind == RunKind::Rate) {
        const QSignalBlocker blocker(m_rateButton);
        m_rateButton->setChecked(started);
        updateControls();
    }
    return started;
}

void TrafficPanel::sendOne()
{
    if (m_port == 0)
        return;
    if (m_kind == RunKind::Single) { // one is in flight: send this one after it
        m_queuedSingles = std::min(m_queuedSingles + 1, MaxQueuedSingles);
        return;
    }
    if (m_kind != RunKind::None)
        return;
    if (const auto plan = planFor(TrafficPlan::Mode::Single))
        startRun(RunKind::Single, *plan);
}

void TrafficPanel::setStepMode(bool on)
{
    if (m_stepMode == on)
        return;
    m_stepMode = on;
    if (on && (m_kind == RunKind::Burst || m_kind == RunKind::Rate))
        stop();
    updateControls();
    emit stepModeChanged(on);
}

void TrafficPanel::sendBurst()
{
    if (m_port == 0 || m_kind != RunKind::None || m_stepMode)
        return;
    if (const auto plan = planFor(TrafficPlan::Mode::Burst))
        startRun(RunKind::Burst, *plan);
}

void TrafficPanel::startRate()
{
    if (m_port == 0 || m_stepMode) {
        const QSignalBlocker blocker(m_rateButton);
        m_rateButton->setChecked(m_kind == RunKind::Rate);
        return;
    }
    if (m_kind == RunKind::Rate) { // a restart at the new rate
        m_restarting = true;
        m_generator.stop();
        m_restarting = false;
    } else if (m_kind != RunKind::None) {
        return;
    }
    const auto plan = planFor(TrafficPlan::Mode::Rate);
    const bool started = plan && startRun(RunKind::Rate, *plan);
    if (!started)
        finishRun();
    const QSignalBlocker blocker(m_rateButton);
    m_rateButton->setChecked(started);
    updateControls();
}

void TrafficPanel::stop()
{
    m_queuedSingles = 0;
    m_rateRestart.stop();
    if (m_generator.isRunning())
        m_generator.stop(); // emits finished before it returns
}

void TrafficPanel::handleRateToggled(bool checked)
{
    if (checked)
        startRate();
    else
        stop();
}

void TrafficPanel::handleRateChanged()
{
    if (m_kind == RunKind::Rate)
        m_rateRestart.start();
}

void TrafficPanel::handleFinished()
{
    poll();
    if (m_restarting)
        return; // startRate() goes on at the new rate
    finishRun();
    if (m_queuedSingles > 0) {
        --m_queuedSingles;
        sendOne();
    }
}

void TrafficPanel::finishRun()
{
    const bool wasRunning = m_kind != RunKind::None;
    m_pollTimer.stop();
    m_rateRestart.stop();
    m_kind = RunKind::None;
    {
        const QSignalBlocker blocker(m_rateButton);
        m_rateButton->setChecked(false);
    }
    updateControls();
    updateProgressBar();
    if (wasRunning)
        emit runFinished();
}

void TrafficPanel::readResults()
{
    QList<TrafficResult> results;
    m_cursor = m_generator.resultsAfter(m_cursor, &results);
    for (const TrafficResult &result : std::as_const(results)) {
        if (result.failed())
            continue;
        const auto micros = quint64(std::max<qint64>(0, result.latencyUs));
        ++m_latency.buckets[std::size_t(LatencyHistogram::bucketOf(qint64(micros)))];
        ++m_latency.count;
        m_latency.sumMicros += micros;
        m_latency.maxMicros = std::max(m_latency.maxMicros, micros);
    }
    if (results.isEmpty())
        return;
    const TrafficResult &last = results.constLast();
    const QString from = last.backend.isEmpty() ? QString() : tr(" from %1").arg(last.backend);
    if (last.failed())
        m_last->setText(tr("Last: request %1 failed: %2").arg(last.sequence + 1).arg(last.error));
    else
        m_last->setText(
            tr("Last: <b>%1</b>%2, %3 ms").arg(last.status).arg(from, milliseconds(double(last.latencyUs) / 1000.0)));
}

void TrafficPanel::poll()
{
    m_progress = m_generator.progress();
    readResults();
    const LatencySummary latency = LatencySummary::from(m_latency);
    m_sent->setText(QLocale().toString(m_progress.sent));
    m_done->setText(QLocale().toString(m_progress.done));
    m_failed->setText(QLocale().toString(m_progress.failed));
    m_achieved->setText(QLocale().toString(m_progress.achievedRate, 'f', m_progress.achievedRate < 100 ? 1 : 0));
    m_p50->setText(latency.count ? milliseconds(latency.p50Ms) : u"-"_s);
    m_p99->setText(latency.count ? milliseconds(latency.p99Ms) : u"-"_s);
    QPalette pal = m_failed->palette();
    pal.setColor(QPalette::WindowText,
                 m_progress.failed ? errorTextColor(palette()) : palette().color(QPalette::WindowText));
    m_failed->setPalette(pal);
    QString text = m_progress.elapsedMs < 1000 ? tr("%L1 ms").arg(m_progress.elapsedMs)
                                               : tr("%L1 s").arg(double(m_progress.elapsedMs) / 1000.0, 0, 'f', 1);
    if (m_progress.targetTotal > 0 && m_runDurationSeconds <= 0)
        text = tr("%L1 of %L2 answered, %3")
                   .arg(m_progress.done + m_progress.failed)
                   .arg(m_progress.targetTotal)
                   .arg(text);
    else if (m_runDurationSeconds > 0)
        text = tr("%1 of %L2 s").arg(text).arg(m_runDurationSeconds);
    if (m_progress.inFlight)
        text += tr(", %L1 in flight").arg(m_progress.inFlight);
    if (m_progress.cancelled)
        text += tr(", %L1 cancelled").arg(m_progress.cancelled);
    m_progressText->setText(text);
    m_distribution->setShares(m_generator.distribution());
    updateProgressBar();
}

void TrafficPanel::updateProgressBar()
{
    const bool running = m_kind != RunKind::None;
    if (m_kind == RunKind::Rate && m_runDurationSeconds <= 0) {
        m_progressBar->setRange(0, 0); // until stopped: busy, with the elapsed time beside
        return;
    }
    if (m_kind == RunKind::Rate) {
        m_progressBar->setRange(0, int(m_runDurationSeconds * 1000));
        m_progressBar->setValue(int(std::min<qint64>(m_progress.elapsedMs, m_progressBar->maximum())));
        return;
    }
    const quint64 total = std::max<quint64>(1, m_progress.targetTotal);
    m_progressBar->setRange(0, int(std::min<quint64>(total, 1'000'000)));
    const quint64 ended = m_progress.done + m_progress.failed + m_progress.cancelled;
    m_progressBar->setValue(running || ended ? int(std::min<quint64>(ended, quint64(m_progressBar->maximum()))) : 0);
}

void TrafficPanel::updateControls()
{
    const bool hasTarget = m_port != 0;
    const bool busy = m_kind == RunKind::Burst || m_kind == RunKind::Rate;
    m_sendOne->setEnabled(hasTarget && !busy);
    m_sendOneButton->setEnabled(hasTarget && !busy);
    m_sendBurstButton->setEnabled(hasTarget && m_kind == RunKind::None && !m_stepMode);
    m_sendBurstButton->setText(tr("Send %L1").arg(m_burstCount->value()));
    m_rateButton->setEnabled(hasTarget && !m_stepMode && (m_kind == RunKind::None || m_kind == RunKind::Rate));
    m_rateButton->setText(m_kind == RunKind::Rate ? tr("S&top rate") : tr("&Start"));
    m_stop->setEnabled(m_kind != RunKind::None);
    if (!hasTarget) {
        m_sendGroup->setTitle(tr("Send (no proxy to send to yet)"));
        const QString why = tr("The proxy is not listening yet");
        m_sendOneButton->setToolTip(why);
        m_sendBurstButton->setToolTip(why);
        return;
    }
    const QString why = tr(" (not during a run: the generator runs one at a time; Stop it first)");
    m_sendOneButton->setToolTip(tr("Send one request (Space)") + (busy ? why : QString()));
    m_sendBurstButton->setToolTip(tr("Send this many requests, as fast as the concurrency allows") +
                                  (m_kind != RunKind::None ? why : QString()));
    m_sendOne->setToolTip(m_sendOneButton->toolTip());
    if (m_stepMode) {
        const QString stepping =
            tr("Step mode is on: each Space sends exactly one request. Turn it off (View > Step Mode) to send "
               "automatically.");
        m_sendBurstButton->setToolTip(stepping);
        m_rateButton->setToolTip(stepping);
    } else {
        m_rateButton->setToolTip(tr("Start or stop sending at the steady rate"));
    }
}

} // namespace lbscope
