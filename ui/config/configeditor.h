#pragma once

// The configuration view: the running configuration as nginx text, in step with the table,
// and editable. Apply reads the whole text; an error is marked where it is (FILE:LINE:COLUMN,
// underlined, the cursor moved there) and nothing is applied; directives outside the subset
// are listed as warnings and skipped; the engine reloads only a configuration that read
// cleanly, and a reload it refuses (a port in use, say) changes nothing either. While the
// user has unapplied edits, a change made elsewhere does not overwrite them: a notice says so.

#include "config/proxyconfig.h"

#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QListWidget;
class QListWidgetItem;

namespace lbscope {

class ConfigTextEdit;
class Engine;
class NginxHighlighter;
struct LiveTick;

class ConfigEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigEditor)

public:
    explicit ConfigEditor(Engine &engine, QWidget *parent = nullptr);

    // The name messages give the text ("photos.conf"); "lbscope.conf" until set.
    void setFileName(const QString &fileName);
    const QString &fileName() const { return m_fileName; }
    bool hasUnappliedEdits() const;
    QString text() const;
    // What the message area shows, one message per line.
    QString messages() const;

    ConfigTextEdit *textEdit() const { return m_edit; }
    QAction *applyAction() const { return m_apply; }
    QAction *revertAction() const { return m_revert; }
    QAction *copyAction() const { return m_copy; }

public slots:
    void handleTick(const lbscope::LiveTick &tick);
    // Reads the text and reloads the engine with it; false (and nothing applied) on an error.
    bool apply();
    // Drops the edits and shows the running configuration.
    void revert();
    void copyToClipboard();

signals:
    void applied();

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class MessageKind {
        Error,
        Warning,
        Info
    };

    void showRunning();
    void addRunningChangedNotice();
    void addMessage(MessageKind kind, const QString &text, int line = 0, int column = 0);
    void clearMessages();
    void handleMessageActivated(QListWidgetItem *item);
    void updateState();

    Engine &m_engine;
    ConfigTextEdit *m_edit;
    NginxHighlighter *m_highlighter;
    QAction *m_apply;
    QAction *m_revert;
    QAction *m_copy;
    QLabel *m_state;
    QListWidget *m_messages;
    QString m_fileName;
    std::optional<ProxyConfig> m_running; // the last configuration a tick brought
    std::optional<ProxyConfig> m_applied; // what this view last applied: its own text stays
    bool m_runningChangedUnderEdits = false;
};

} // namespace lbscope
