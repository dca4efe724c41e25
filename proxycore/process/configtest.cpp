#include "process/configtest.h"

#include "process/errorlog.h"
#include "process/pidfile.h"

#include <QFile>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// As nginx prints on the console before its own log is open.
QString consoleLine(QLatin1StringView level, const QString &text)
{
    return "lbscope: ["_L1 + level + "] "_L1 + text + u'\n';
}

bool checkAppendable(const QString &path, QString *error)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = ErrorLog::openError(path, errno);
        return false;
    }
    ::close(fd);
    return true;
}

void collectAccessLogs(const ProxySettings &settings, QStringList *paths)
{
    if (!settings.accessLogs)
        return;
    for (const AccessLogDirective &log : *settings.accessLogs) {
        if (!log.off && !paths->contains(log.path))
            paths->append(log.path);
    }
}

} // namespace

QString ConfigTest::readMessages(const ConfigReadResult &result, bool quiet, ErrorLog *log)
{
    QString messages;
    for (const ConfigMessage &warning : result.warnings) {
        if (!quiet)
            messages += consoleLine("warn"_L1, warning.toString());
        if (log)
            log->write(ErrorLogLevel::Warn, warning.toNginxString());
    }
    if (const qsizetype changing = result.responseChangingWarnings(); changing && !quiet) {
        messages += consoleLine(
            "warn"_L1, u"%1 %2 what requests get: this file does not run here as it runs in nginx"_s.arg(changing).arg(
                           changing == 1 ? "skipped directive changes"_L1 : "skipped directives change"_L1));
    }
    if (result.error) {
        messages += consoleLine("emerg"_L1, result.error->toString());
        if (log)
            log->write(ErrorLogLevel::Emerg, result.error->toNginxString());
    }
    return messages;
}

bool ConfigTest::checkFiles(const ProxyConfig &config, QString *error)
{
    if (config.pidFile && !PidFile::checkCreatable(config.resolvePath(*config.pidFile), error))
        return false;
    for (const ErrorLogDirective &log : config.errorLogs) {
        if (!log.isStderr() && !checkAppendable(config.resolvePath(log.path), error))
            return false;
    }
    QStringList accessLogs;
    collectAccessLogs(config.settings, &accessLogs);
    for (const ServerConfig &server : config.servers) {
        collectAccessLogs(server.settings, &accessLogs);
        forEachLocation(server.locations,
                        [&](const LocationConfig &location) { collectAccessLogs(location.settings, &accessLogs); });
    }
    for (const QString &path : std::as_const(accessLogs)) {
        if (!checkAppendable(config.resolvePath(path), error))
            return false;
    }
    return true;
}

QByteArray ConfigTest::dumpFiles(const QList<ConfigFileText> &files)
{
    QByteArray dump;
    for (const ConfigFileText &file : files)
        dump += "# configuration file " + QFile::encodeName(file.path) + ":\n" + file.text + '\n';
    return dump;
}

ConfigTest::Report ConfigTest::run(const QString &path, const ConfigReadOptions &options, bool quiet, bool dump,
                                   ErrorLog *startupLog)
{
    Report report;
    const ConfigReadResult result = ConfigReader::readFile(path, options);
    report.messages = readMessages(result, quiet, startupLog);
    const QString failed = u"lbscope: configuration file %1 test failed\n"_s.arg(path);
    if (!result.config) {
        report.messages += failed;
        return report;
    }
    if (!quiet)
        report.messages += u"lbscope: the configuration file %1 syntax is ok\n"_s.arg(path);
    QString error;
    if (!checkFiles(*result.config, &error)) {
        report.messages += consoleLine("emerg"_L1, error) + failed;
        if (startupLog)
            startupLog->write(ErrorLogLevel::Emerg, error);
        return report;
    }
    if (!quiet)
        report.messages += u"lbscope: configuration file %1 test is successful\n"_s.arg(path);
    if (dump)
        report.dump = dumpFiles(result.files);
    report.exitCode = 0;
    return report;
}

} // namespace lbscope
