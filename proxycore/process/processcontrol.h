#pragma once

// What nginx's master process does for a running LB Scope without a window: the error log
// (error_log, -e, else stderr), the pid file, and the signals nginx answers, each noted in the
// error log as nginx notes it:
//   SIGHUP   reload the configuration file (-g and the prefix still apply)
//   SIGUSR1  reopen the access and error logs (log rotation)
//   SIGQUIT  graceful stop: listeners close, requests in flight finish
//   SIGTERM, SIGINT  fast stop
// It does not own the engine or the access log writer; stopRequested() tells the caller to quit.

#include "config/configreader.h"

#include <QObject>
#include <QString>

#include <memory>

namespace lbscope {

class AccessLogFileWriter;
class Engine;
class ErrorLog;
class PidFile;

class ProcessControl final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessControl)

public:
    struct Options
    {
        QString configPath;       // as nginx names it
        ConfigReadOptions read;   // the prefix and -g, for every reload too
        QString errorLogFallback; // -e made absolute ("stderr" or a path); empty: stderr
        QString version;          // LB Scope's, for the startup notice
    };

    ProcessControl(Engine &engine, AccessLogFileWriter &accessLogs, Options options, QObject *parent = nullptr);
    ~ProcessControl() override;

    // Opens config's error log, hands it to the engine and writes the pid file: call before
    // Engine::start. On error *error says why, in nginx's words, and nothing is left open.
    bool prepare(const ProxyConfig &config, QString *error);
    // After Engine::start: nginx's startup notices.
    void started();
    // Before the process exits: the last notice, and the pid file goes.
    void finish();

    void handleSignal(int signalNumber, qint64 senderPid);
    void reload();
    void reopenLogs();
    void stopGracefully();

    const std::shared_ptr<ErrorLog> &errorLog() const { return m_errorLog; }

signals:
    // The process should stop now: a fast stop, or a graceful one that has finished.
    void stopRequested();

private:
    void notice(const QString &text);

    Engine &m_engine;
    AccessLogFileWriter &m_accessLogs;
    Options m_options;
    std::shared_ptr<ErrorLog> m_errorLog;
    std::unique_ptr<PidFile> m_pidFile;
    bool m_stopping = false;
};

} // namespace lbscope
