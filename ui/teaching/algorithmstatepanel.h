#pragma once

// The Algorithm state panel: the balancer's own state for one pick of the current upstream,
// advancing with each new pick, in the view of its method (round robin's weights table,
// least_conn's connections, ip_hash's client table, the hash ring, random's draws), with the
// pick's request, a one-sentence explanation in large type, and the recent picks to step
// back through. Every number is the engine's: the decision trace of the access record and the
// balancer state of the worker that served it, both from the LiveTick.

#include "livetick.h"
#include "teaching/statepick.h"

#include <QWidget>

#include <deque>

class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;

namespace lbscope {

class BackendPalette;
class HashView;
class IpHashView;
class LeastConnView;
class MethodStateView;
class RandomView;
class WeightedRoundRobinView;

class AlgorithmStatePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlgorithmStatePanel)

public:
    static constexpr int HistoryCapacity = 200; // as many as the sequence strip holds

    explicit AlgorithmStatePanel(BackendPalette *palette, QWidget *parent = nullptr);

    // The picks held, oldest first, and the one on display (0: none).
    QList<quint64> historyIds() const;
    quint64 shownId() const { return m_shownId; }
    bool followsNewest() const { return m_follow; }
    // The pick on display; null when none.
    const StatePick *shownPick() const;

    QLabel *headerLabel() const { return m_header; }
    QLabel *sentenceLabel() const { return m_sentence; }
    QLabel *workerLabel() const { return m_worker; }
    QLabel *skipsLabel() const { return m_skips; }
    QPushButton *stepButton() const { return m_step; }
    QListWidget *historyList() const { return m_history; }
    QStackedWidget *views() const { return m_views; }
    WeightedRoundRobinView *roundRobinView() const { return m_roundRobin; }
    LeastConnView *leastConnView() const { return m_leastConn; }
    IpHashView *ipHashView() const { return m_ipHash; }
    HashView *hashView() const { return m_hash; }
    RandomView *randomView() const { return m_random; }

    void setStepMode(bool on);
    bool isStepMode() const { return m_stepMode; }

public slots:
    void handleTick(const lbscope::LiveTick &tick);
    // Shows the pick of that access record if held (a sequence-strip cell clicked); false if not.
    bool showRecord(quint64 id);
    // Back to following each new pick.
    void followNewest();
    void clear();

signals:
    // The Step button: send exactly one request.
    void stepRequested();

protected:
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    const StatePick *find(quint64 id) const;
    MethodStateView *viewFor(const Decision &decision) const;
    void display(const StatePick &pick);
    void refreshHistory();
    void fitSentence();
    void handleHistoryClicked();

    BackendPalette *m_palette;
    QLabel *m_method;
    QLabel *m_header;
    QLabel *m_worker;
    QLabel *m_sentence;
    QLabel *m_skips;
    QPushButton *m_newest;
    QPushButton *m_step;
    QListWidget *m_history;
    QStackedWidget *m_views;
    WeightedRoundRobinView *m_roundRobin;
    LeastConnView *m_leastConn;
    IpHashView *m_ipHash;
    HashView *m_hash;
    RandomView *m_random;
    QList<MethodStateView *> m_allViews;

    std::deque<StatePick> m_picks; // oldest first, at most HistoryCapacity
    QString m_upstream;            // the upstream followed: that of the newest pick
    int m_workerCount = 1;         // worker_processes of the running configuration
    quint64 m_shownId = 0;
    bool m_follow = true;
    bool m_dirty = false; // picks came while hidden
    bool m_stepMode = false;
};

} // namespace lbscope
