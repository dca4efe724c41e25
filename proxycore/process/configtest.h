#pragma once

// nginx -t and -T: reads the configuration (with -g's directives and the prefix), then makes
// sure the files a run would open can be opened (the pid file, the error logs, the access
// logs, as nginx opens them in a test), and says so in nginx's words:
//   lbscope: the configuration file PATH syntax is ok
//   lbscope: configuration file PATH test is successful        (or: test failed)
// -q keeps only the errors; -T then dumps every file read, as nginx does, to stdout.

#include "config/configreader.h"

#include <QByteArray>
#include <QString>

namespace lbscope {

class ErrorLog;

class ConfigTest final
{
public:
    struct Report
    {
        int exitCode = 1;
        QString messages; // for stderr, each line ending in '\n'
        QByteArray dump;  // for stdout (-T)
    };

    // startupLog (may be null): nginx's -e log, which also gets the warnings and errors.
    static Report run(const QString &path, const ConfigReadOptions &options, bool quiet, bool dump,
                      ErrorLog *startupLog);

    // What reading a file says on stderr: its warnings (unless quiet), the summary of skipped
    // directives that change responses, its error. Also written to log when it is not null.
    static QString readMessages(const ConfigReadResult &result, bool quiet, ErrorLog *log);
    // Opens, as nginx -t does, every file a run would write: pid (without truncating it),
    // error_log and access_log files (appending). The first failure, in nginx's words.
    static bool checkFiles(const ProxyConfig &config, QString *error);
    // nginx -T's dump: "# configuration file PATH:" and each file's text, in reading order.
    static QByteArray dumpFiles(const QList<ConfigFileText> &files);
};

} // namespace lbscope
