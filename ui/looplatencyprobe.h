#pragma once

// How late the GUI thread's event loop runs a timer: a precise timer every IntervalMs notes
// how far past its due time each timeout came. A late timeout means the loop was busy, so
// its lateness is what a user feels as a stall. Used by the responsiveness benchmark and test.

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

namespace lbscope {

class LoopLatencyProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoopLatencyProbe)

public:
    static constexpr int IntervalMs = 10;

    explicit LoopLatencyProbe(QObject *parent = nullptr);

    void start();
    void stop();
    void clear();

    qsizetype samples() const { return m_latenciesMs.size(); }
    // Lateness in milliseconds at a percentile (0..1) of the samples, and the worst.
    double percentileMs(double fraction) const;
    double maxMs() const;

private:
    void handleTimeout();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_dueNs = 0;
    QList<double> m_latenciesMs;
};

} // namespace lbscope
