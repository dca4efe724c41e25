#pragma once

// The traffic panel: fires test requests at the proxy with the built-in TrafficGenerator (its
// own thread) and shows what the generator saw. Send 1 (Space), Send N, or a steady rate with
// an optional duration; concurrency, simulated clients, Host header and path template apply
// to the next run. The generator is polled on a 10 Hz timer only while a run is going.
//
// One run at a time, as the generator allows: during a burst or a steady rate, Send 1 and
// Send N are disabled (their tooltip says why); pressing Send 1 again while a single request
// is still in flight queues it. Moving the rate during a steady run restarts the run at the
// new rate (its counters start again).

#include "stats/latencyhistogram.h"
#include "traffic/trafficgenerator.h"

#include <QHostAddress>
#include <QTimer>
#include <QWidget>

#include <optional>

class QAction;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace lbscope {

class BackendPalette;
class RateControl;
class TrafficDistributionView;

class TrafficPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficPanel)

public:
    static constexpr int PollIntervalMs = 100;
    static constexpr int MaxQueuedSingles = 50;
    static constexpr quint64 SequenceRunGap = 1000;

    explicit TrafficPanel(BackendPalette *palette, QWidget *parent = nullptr);
    ~TrafficPanel() override;

    // Where requests go: the proxy's listening address. Until set, nothing can be sent.
    void setTarget(const QHostAddress &address, quint16 port);
    // Send 1, with Space as its shortcut (window-wide): add it to the main window too so it
    // works wherever the focus is.
    QAction *sendOneAction() const { return m_sendOne; }
    bool isRunning() const { return m_generator.isRunning(); }
    const TrafficGenerator &generator() const { return m_generator; }
    // What the last poll saw of the current or last run.
    const TrafficProgress &progress() const { return m_progress; }
    LatencySummary latency() const { return LatencySummary::from(m_latency); }
    // On: every request carries X-LBScope-Seq, numbered on across runs (the nginx twin pairs
    // LB Scope's and nginx's records by it). Applies to the next run.
    void setSequenceHeaders(bool on) { m_sequenceHeaders = on; }
    bool sequenceHeaders() const { return m_sequenceHeaders; }
    // What the controls would send now, as the mode of the last run (a steady rate before any):
    // what "Save pool and traffic as scenario" keeps. Fields without a control (the random
    // seed, the method) come from the last plan run.
    TrafficPlan currentPlan() const;

    // Runs a whole plan (a lesson's), aimed where it says: the run that was going stops, the
    // controls show the plan (so it can be run again by hand) and its progress shows here; step
    // mode ends. False with *error when the plan is invalid or the generator refused it.
    bool runPlan(const TrafficPlan &plan, QString *error);
    // Step mode: no automatic traffic. Turning it on stops a burst or a steady rate; while it
    // is on they cannot start (their tooltips say why) and each Send 1 (Space) sends exactly
    // one request, queued behind one still in flight.
    void setStepMode(bool on);
    bool isStepMode() const { return m_stepMode; }

public slots:
    void sendOne();
    void sendBurst();
    void startRate();
    void stop();

signals:
    // The plan of the run that just started (after runStarted's own use of it: none), so the
    // same traffic can go elsewhere too.
    void runPlanStarted(const lbscope::TrafficPlan &plan);
    void runStarted();
    void runFinished();
    void stepModeChanged(bool on);

private:
    enum class RunKind {
        None,
        Single,
        Burst,
        Rate
    };

    QWidget *buildSendGroup();
    QWidget *buildRateGroup();
    QWidget *buildRequestGroup();
    QWidget *buildResultsGroup();
    std::optional<TrafficPlan> planFor(TrafficPlan::Mode mode);
    bool startRun(RunKind kind, const TrafficPlan &plan, QString *error = nullptr);
    void poll();
    void readResults();
    void handleFinished();
    void finishRun();
    void handleRateChanged();
    void handleRateToggled(bool checked);
    bool validatePath();
    void showProblem(const QString &text);
    void updateControls();
    void updateProgressBar();

    BackendPalette *m_palette;
    TrafficGenerator m_generator;
    QTimer m_pollTimer;
    QTimer m_rateRestart;
    QHostAddress m_address;
    quint16 m_port = 0;
    RunKind m_kind = RunKind::None;
    int m_queuedSingles = 0;
    bool m_restarting = false;
    bool m_stepMode = false;
    TrafficProgress m_progress;
    LatencyCounts m_latency;
    quint64 m_cursor = 0;
    double m_runDurationSeconds = 0;
    bool m_sequenceHeaders = false;
    std::optional<TrafficPlan> m_numberedPlan; // the last numbered run's plan
    std::optional<TrafficPlan> m_lastPlan;

    QAction *m_sendOne;
    QGroupBox *m_sendGroup = nullptr;
    QPushButton *m_sendOneButton;
    QPushButton *m_sendBurstButton;
    QSpinBox *m_burstCount;
    RateControl *m_rate;
    QSpinBox *m_duration;
    QPushButton *m_rateButton;
    QSpinBox *m_concurrency;
    QSpinBox *m_clients;
    QLineEdit *m_host;
    QLineEdit *m_path;
    QLabel *m_pathError;
    QLabel *m_problem;
    QProgressBar *m_progressBar;
    QLabel *m_progressText;
    QPushButton *m_stop;
    QLabel *m_sent;
    QLabel *m_done;
    QLabel *m_failed;
    QLabel *m_achieved;
    QLabel *m_p50;
    QLabel *m_p99;
    QLabel *m_last;
    TrafficDistributionView *m_distribution;
};

} // namespace lbscope
