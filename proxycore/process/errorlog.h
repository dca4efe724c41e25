#pragma once

// LB Scope's error log, written as nginx writes its own:
//   2026/12/01 20:46:12 [warn] 1234#1235: message
// local time, the level, the process id and the id of the thread that wrote the line (the
// engine's worker threads have their own, as nginx's worker processes have their pids), then
// the message. Each target (a file, or stderr) takes the messages at its level and above.
// Every function is thread-safe: the engine's workers write upstream errors here.

#include "config/errorloglevel.h"
#include "config/proxyconfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>

namespace lbscope {

class ErrorLog final
{
public:
    struct Target
    {
        QString path; // absolute, or "stderr"
        ErrorLogLevel level = ErrorLogLevel::Error;
    };

    ErrorLog() = default;
    ~ErrorLog();
    Q_DISABLE_COPY_MOVE(ErrorLog)

    // The targets of a configuration: its main-level error_log lines with their paths resolved,
    // or, with none, `fallback` (nginx's: the -e file, else stderr) at level error.
    static QList<Target> targetsOf(const ProxyConfig &config, const QString &fallback);

    // Opens every target (appending, created if missing) and uses them from now on; on error
    // nothing changes and *error says why in nginx's words (open() "PATH" failed (2: ...)).
    bool open(const QList<Target> &targets, QString *error);
    // Closes and opens every file again (nginx -s reopen): a renamed log gets a new file.
    bool reopen(QString *error);
    void close();

    // Whether any target takes messages at this level: saves formatting them when none does.
    bool wants(ErrorLogLevel level) const;
    void write(ErrorLogLevel level, const QString &message);

    // One line as nginx writes it, with its newline.
    static QByteArray formatLine(const QDateTime &time, ErrorLogLevel level, qint64 pid, qint64 threadId,
                                 const QString &message);
    // nginx's wording for a failed open(): open() "PATH" failed (2: No such file or directory).
    static QString openError(const QString &path, int errorNumber);

private:
    struct OpenTarget
    {
        Target target;
        int fd = -1;
    };
    static bool openAll(const QList<Target> &targets, QList<OpenTarget> *opened, QString *error);
    static void closeAll(QList<OpenTarget> &opened);

    mutable QMutex m_mutex;
    QList<OpenTarget> m_targets;
    ErrorLogLevel m_mostVerbose = ErrorLogLevel::Error; // the least severe level any target takes
};

} // namespace lbscope
