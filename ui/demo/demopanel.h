#pragma once

// The Demo instances dock: one card per built-in demo web app (the seed's web-client) with its
// state, a Stop/Start button that kills it as a crashed service dies and brings it back, delay
// and error-rate sliders that act while it runs, and its request count; the upstream's loopback
// servers without an instance are listed as external with a button to give them one; below,
// the log of the chosen instance, read by cursor only while the panel shows.

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QListView;
class QVBoxLayout;

namespace lbscope {

class BackendPalette;
class DemoInstanceCard;
class DemoLogModel;
class Engine;
struct LiveTick;

class DemoPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoPanel)

public:
    explicit DemoPanel(Engine &engine, BackendPalette *palette, QWidget *parent = nullptr);
    ~DemoPanel() override;

    DemoInstanceCard *card(const QString &instance) const { return m_cards.value(instance); }
    QListView *logView() const { return m_log; }
    DemoLogModel *logModel() const { return m_logModel; }
    // The instance whose log shows, or empty while the panel is hidden.
    QString followedLog() const;

public slots:
    // A tabbed dock behind another stays "visible" (moved off screen): the dock says when its
    // tab is in front (QDockWidget::visibilityChanged).
    void setOnScreen(bool onScreen);
    QComboBox *logPicker() const { return m_logPicker; }

    void handleTick(const lbscope::LiveTick &tick);

signals:
    void backendActivated(const QByteArray &peer);
    // Whose log the panel needs in the ticks (LivePoller::setFollowedDemoLog).
    void followedLogChanged(const QString &instance);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateCards(const LiveTick &tick);
    void updateExternal(const LiveTick &tick);
    void startInstanceFor(const QString &hostPort);
    void showLog(const LiveTick &tick);

    Engine &m_engine;
    BackendPalette *m_palette;
    QVBoxLayout *m_cardsLayout;
    QHash<QString, DemoInstanceCard *> m_cards;
    QWidget *m_external;
    QVBoxLayout *m_externalLayout;
    QStringList m_externalServers;
    QStringList m_pickerNames;
    QLabel *m_empty;
    QComboBox *m_logPicker;
    DemoLogModel *m_logModel;
    QListView *m_log;
    QLabel *m_message;
    bool m_onScreen = true;
};

} // namespace lbscope
