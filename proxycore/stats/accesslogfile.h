#pragma once

// The access_log files of a configuration, written from the engine's AccessLog ring. The writer
// follows the ring by cursor on a timer and appends each batch of lines with one write per
// file, so the proxy's hot path never waits on a disk.
//
// Which files a record goes to: records name their location (AccessRecord::location, as its
// head reads) but not their server, so the writer routes them as far as it can tell. The server
// is the one whose server_name is the record's host (all servers when none or several match),
// the location the one of that server with the record's label (nested ones included); the
// record then goes to that location's access_log list (nginx's inheritance through every
// enclosing level, "off" included), or the server's when no location took it. When several servers remain (servers told apart only
// by their listening port), the record goes to the union of their lists. Relative paths count
// from the prefix (ProxyConfig::resolvePath: nginx's -p, else the file's folder); with no
// access_log anywhere nothing is written (nginx would use logs/access.log).

#include "config/proxyconfig.h"
#include "stats/accesslog.h"
#include "stats/logformat.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVarLengthArray>

#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QFile;
class QTimer;
QT_END_NAMESPACE

namespace lbscope {

class AccessLogFileWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccessLogFileWriter)

public:
    static constexpr int DefaultIntervalMs = 100;

    // Follows log from its current end: requests that end from now on. The log must outlive
    // the writer. Nothing is written until setConfiguration() succeeds.
    explicit AccessLogFileWriter(const AccessLog &log, QObject *parent = nullptr);
    // Writes what is pending.
    ~AccessLogFileWriter() override;

    // Compiles the configuration's log formats and opens its access_log files (appending,
    // created if missing). Lines still pending go out under the previous configuration first.
    // On error nothing changes and *error says why, in nginx's words.
    bool setConfiguration(const ProxyConfig &config, QString *error);

    // Reads and writes everything the log holds past the cursor, now (for shutdown, tests).
    void flushNow();
    // Closes and opens every file again, for log rotation (nginx -s reopen, SIGUSR1).
    // False when a file could not be opened; that is also reported by errorOccurred.
    bool reopen();

    void setInterval(int ms);
    int interval() const;
    QStringList filePaths() const; // absolute, one per distinct file
    quint64 cursor() const { return m_cursor; }
    QString lastError() const { return m_lastError; }

signals:
    // A file could not be written or opened. Reported once until that file works again.
    void errorOccurred(const QString &message);

private:
    struct OutputFile
    {
        QString path;
        std::unique_ptr<QFile> file;
        QByteArray pending;
        bool failed = false;
    };
    struct Destination
    {
        int file = 0;
        int formatter = 0;
    };
    using DestinationSet = QVarLengthArray<int, 4>; // indexes into m_destinations
    struct LocationRoute
    {
        QByteArray label; // LocationConfig::label(), as AccessRecord::location has it
        DestinationSet destinations;
    };
    struct ServerRoute
    {
        QList<QByteArray> names;        // lower case
        QList<LocationRoute> locations; // nested ones after their parent, in file order
        DestinationSet destinations;    // requests no location matches
    };
    // The compiled form of one configuration, swapped in whole.
    struct Plan
    {
        QList<LogFormatter> formatters;
        QStringList formatterNames; // lower case, parallel to formatters
        std::vector<OutputFile> files;
        QList<Destination> destinations;
        QList<ServerRoute> servers;
        DestinationSet httpDestinations; // with no server block at all
    };

    bool buildPlan(const ProxyConfig &config, Plan *plan, QString *error);
    bool addDestinations(const QList<AccessLogDirective> &logs, const ProxyConfig &config, Plan *plan,
                         DestinationSet *set, QString *error);
    bool openFiles(Plan *plan, QString *error);
    void collectDestinations(const AccessRecord &record, DestinationSet *set) const;
    void writePending();
    void writeFiles();
    void reportError(OutputFile &output, const QString &message);

    const AccessLog &m_log;
    quint64 m_cursor = 0;
    Plan m_plan;
    QTimer *m_timer = nullptr;
    QString m_lastError;
};

} // namespace lbscope
