#pragma once

// Two methods on the same traffic, side by side: the teacher picks two balancing methods (round
// robin and least_conn by default) and a slow server, presses Start both, and the window runs
// two private copies of the current pool (MethodComparison: own engines, own demo instances;
// the main proxy is not touched) on identical traffic. Each side shows its requests per backend
// in the backend colours and its latency p50/p99/max, from the copy's own counters, and a
// sentence below says what the class should see ("least_conn sent the slow 127.0.0.1:3101 71%
// fewer requests; p99 4 ms vs 104 ms").
//
// The copies are polled on a 10 Hz timer only while they run; starting them is the one call
// that waits (for their ports to bind). They are freed when the run ends, on Stop both, and
// when the view goes away.

#include "compare/methodcomparison.h"
#include "livetick.h"

#include <QTimer>
#include <QWidget>

#include <array>

class QComboBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace lbscope {

class BackendPalette;
class InlineMessage;
class TrafficDistributionView;

class MethodComparisonView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MethodComparisonView)

public:
    static constexpr int PollIntervalMs = 100;
    static constexpr int DefaultRequests = 300;
    static constexpr int DefaultConcurrency = 8; // > 1: least_conn needs connections to compare
    static constexpr int DefaultSlowDelayMs = 100;
    static const QString PathTemplate;

    explicit MethodComparisonView(BackendPalette *palette, QWidget *parent = nullptr);
    ~MethodComparisonView() override;

    // The presets a side can run, in the pickers' order.
    static QList<MethodChoice> methodChoices();

    QComboBox *methodBox(int side) const { return m_sides[std::size_t(side)].method; }
    QSpinBox *requestsBox() const { return m_requests; }
    QSpinBox *rateBox() const { return m_rate; }
    QSpinBox *durationBox() const { return m_duration; }
    QSpinBox *concurrencyBox() const { return m_concurrency; }
    QSpinBox *clientsBox() const { return m_clients; }
    QComboBox *slowServerBox() const { return m_slowServer; }
    QSpinBox *slowDelayBox() const { return m_slowDelay; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    TrafficDistributionView *distribution(int side) const { return m_sides[std::size_t(side)].distribution; }
    QLabel *latencyLabel(int side) const { return m_sides[std::size_t(side)].latency; }
    QLabel *progressLabel(int side) const { return m_sides[std::size_t(side)].progress; }
    QLabel *conclusionLabel() const { return m_conclusion; }
    QLabel *trafficLabel() const { return m_sameTraffic; }
    InlineMessage *message() const { return m_message; }
    const MethodComparison &comparison() const { return m_comparison; }

    // What Start both would run now: the last tick's pool and demo knobs with the view's choices.
    ComparisonSetup setup() const;

public slots:
    void handleTick(const lbscope::LiveTick &tick);
    void start();
    void stop();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Side
    {
        QComboBox *method = nullptr;
        QGroupBox *box = nullptr;
        QLabel *heading = nullptr;
        TrafficDistributionView *distribution = nullptr;
        QLabel *latency = nullptr;
        QLabel *progress = nullptr;
    };

    QWidget *buildControls();
    QWidget *buildSide(int index);
    void applyFonts();
    void updateServers();
    void updateControls();
    void updateFigures();
    void handleFinished();
    QByteArray mainPeer(int server) const;
    QString conclusion(const std::array<ComparisonSide, 2> &sides, bool over) const;
    QString trafficText(const std::array<ComparisonSide, 2> &sides, bool over) const;

    BackendPalette *m_palette;
    MethodComparison m_comparison;
    QTimer m_poll;
    // From the last tick: what a comparison copies.
    ProxyConfig m_pool;
    QList<DemoFleet::Instance> m_demoInstances;
    QList<PeerSnapshot> m_mainPeers;
    QStringList m_servers; // the first upstream's servers as written, for the slow-server picker
    bool m_haveRun = false;

    std::array<Side, 2> m_sides;
    QSpinBox *m_requests = nullptr;
    QSpinBox *m_rate = nullptr;
    QSpinBox *m_duration = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_clients = nullptr;
    QComboBox *m_slowServer = nullptr;
    QSpinBox *m_slowDelay = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_poolLabel = nullptr;
    InlineMessage *m_message = nullptr;
    QLabel *m_conclusion = nullptr;
    QLabel *m_sameTraffic = nullptr;
};

} // namespace lbscope
