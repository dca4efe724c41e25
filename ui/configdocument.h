#pragma once

// The configuration file the window works on: where it came from, whether the running
// configuration has changed since it was opened or saved, and the recent files. Opening a
// file applies it to the engine (starting the engine and the demo instances if needed);
// saving writes the running configuration as nginx text. No widgets: the window asks.

#include <QObject>
#include <QString>
#include <QStringList>

namespace lbscope {

class Engine;
struct ProxyConfig;

class ConfigDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigDocument)

public:
    static constexpr int MaxRecentFiles = 8;

    explicit ConfigDocument(Engine &engine, QObject *parent = nullptr);

    // Reads and applies a file; on error (FILE:LINE:COLUMN: message) nothing changes.
    bool open(const QString &path, QString *error);
    // Applies text that has no file yet (the seed, the last session's pool); name is used in
    // messages and as the suggested file name.
    bool openText(const QByteArray &text, const QString &name, QString *error);
    // The same for a configuration already read (a lesson's pool, placed where it runs).
    bool openConfig(const ProxyConfig &config, const QString &name, QString *error);
    // Writes the running configuration to filePath() (or path) as nginx text.
    bool save(QString *error);
    bool saveAs(const QString &path, QString *error);

    // Empty while the configuration has no file of its own.
    QString filePath() const { return m_filePath; }
    // What a title bar or a message calls it: the file name, or the name given to openText.
    QString displayName() const { return m_displayName; }
    bool isModified() const { return m_modified; }
    QStringList recentFiles() const { return m_recentFiles; }
    void setRecentFiles(const QStringList &files);

    // What the window opens at start: configPath, else the last session's pool (saved by
    // saveSession), else seedText. Returns what failed on the way, in words (empty: all well);
    // false only when nothing could be started.
    bool openAtStart(const QString &configPath, const QByteArray &seedText, QString *problems);
    // Keeps the running pool, its name and the recent files for the next start (QSettings).
    void saveSession() const;
    void restoreRecentFiles();

    // Whether opening a file starts a demo instance on each of its loopback servers (the default).
    void setDemoInstancesEnabled(bool enabled) { m_demoEnabled = enabled; }
    // Why the demo instances of the last open did not start (e.g. a port in use), or empty.
    QString demoProblem() const { return m_demoProblem; }

    // Whether a configuration listens on an address other than loopback (students could reach
    // it): the window asks before applying such a file.
    static bool listensBeyondLoopback(const ProxyConfig &config);

signals:
    void documentChanged(); // file path, name or modified flag
    void recentFilesChanged();

private:
    bool apply(const ProxyConfig &config, QString *error);
    void handleConfigurationChanged();
    void noteRecent(const QString &path);
    void adoptFile(const QString &path);

    Engine &m_engine;
    QString m_filePath;
    QString m_displayName;
    QStringList m_recentFiles;
    bool m_modified = false;
    bool m_applying = false;
    bool m_demoEnabled = true;
    QString m_demoProblem;
};

} // namespace lbscope
