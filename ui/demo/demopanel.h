#pragma once

// The Demo instances dock: one card per built-in demo web app (the seed's web-client) with its
// state, a Stop/Start button that kills it as a crashed service dies and brings it back, delay
// and error-rate sliders that act while it runs, and its request count; the upstream's loopback
// servers without an instance are listed as external with a button to give them one; below,
// the log of the chosen instance, read by cursor.

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QVBoxLayout;

namespace lbscope {

class BackendPalette;
class DemoInstanceCard;
class DemoLineIndex;
class Engine;
struct LiveTick;

class DemoPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoPanel)

public:
    explicit DemoPanel(Engine &engine, BackendPalette *palette, QWidget *parent = nullptr);
    ~DemoPanel() override;

    // What the log view asks for: the demo line of a request.
    const DemoLineIndex &lineIndex() const { return *m_lines; }
    DemoInstanceCard *card(const QString &instance) const { return m_cards.value(instance); }
    QPlainTextEdit *logView() const { return m_log; }
    QComboBox *logPicker() const { return m_logPicker; }

public slots:
    void handleTick(const lbscope::LiveTick &tick);

signals:
    void backendActivated(const QByteArray &peer);

private:
    void updateCards(const LiveTick &tick);
    void updateExternal(const LiveTick &tick);
    void startInstanceFor(const QString &hostPort);

    Engine &m_engine;
    BackendPalette *m_palette;
    std::unique_ptr<DemoLineIndex> m_lines;
    QVBoxLayout *m_cardsLayout;
    QHash<QString, DemoInstanceCard *> m_cards;
    QWidget *m_external;
    QVBoxLayout *m_externalLayout;
    QStringList m_externalServers;
    QStringList m_pickerNames;
    QHash<QString, QStringList> m_recent; // the last lines of each instance, for the picker
    QLabel *m_empty;
    QComboBox *m_logPicker;
    QPlainTextEdit *m_log;
    QLabel *m_message;
};

} // namespace lbscope
