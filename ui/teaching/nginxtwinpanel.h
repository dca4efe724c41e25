#pragma once

// "Compare with real nginx": one switch runs LB Scope's configuration in a real nginx beside
// it (NginxTwin), sends the traffic panel's requests to both (a second TrafficGenerator with
// the same plan, aimed at nginx), and draws nginx's picks as a second sequence strip under
// LB Scope's. Requests both logged are paired by X-LBScope-Seq; where they went to different
// backends, both strips mark the cell and the count says how many of the last 200 differ.
// Without nginx the switch says what to install; a configuration nginx refuses shows nginx's
// own message.

#include "teaching/sequencestrip.h"
#include "traffic/trafficgenerator.h"
#include "twin/nginxtwin.h"
#include "twin/twincomparison.h"

#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QToolButton;

namespace lbscope {

class BackendPalette;
class ElidedLabel;

class NginxTwinPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NginxTwinPanel)

public:
    static constexpr int MaxQueuedSingles = 50;

    explicit NginxTwinPanel(BackendPalette *palette, QWidget *parent = nullptr);
    ~NginxTwinPanel() override;

    // Checkable: the switch, for the View menu and the button beside the strip.
    QAction *toggleAction() const { return m_toggle; }
    bool isOn() const;
    NginxTwin &twin() { return m_twin; }
    const TrafficGenerator &generator() const { return m_generator; }
    SequenceStrip *strip() const { return m_strip; }
    // The switch, the count and the status in one row; shown above the strip unless the window
    // moves it to a row of its own (ChartsPanel::addToBar).
    QWidget *controls() const { return m_controls; }
    const TwinComparison::Summary &summary() const { return m_summary; }
    QString statusText() const;
    QString differencesText() const;

public slots:
    void setOn(bool on);
    void handleTick(const lbscope::LiveTick &tick);
    // The traffic panel started a run: the same requests go to nginx.
    void mirrorRun(const lbscope::TrafficPlan &plan);
    // The traffic panel's run ended: a run until stopped stops at nginx too.
    void handleRunFinished();
    void clear();

signals:
    void toggled(bool on);
    // LB Scope's record ids of the requests the two sent to different backends.
    void differencesChanged(const QSet<quint64> &lbscopeRecordIds);
    void recordActivated(quint64 lbscopeRecordId);
    void backendActivated(const QByteArray &peer);

private:
    void handleStatusChanged();
    void startMirror(const TrafficPlan &plan);
    void handleMirrorFinished();
    void updateSummary();
    void setChecked(bool checked);

    NginxTwin m_twin;
    TrafficGenerator m_generator;
    TwinComparison m_comparison;
    TwinComparison::Summary m_summary;
    std::optional<ProxyConfig> m_config;
    std::optional<TrafficPlan> m_mirrorPlan;
    QList<TrafficPlan> m_queuedSingles;
    bool m_startWhenConfigured = false;

    QAction *m_toggle;
    QWidget *m_controls;
    QToolButton *m_button;
    ElidedLabel *m_status;
    QLabel *m_differences;
    SequenceStrip *m_strip;
};

} // namespace lbscope
