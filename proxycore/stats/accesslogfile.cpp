#include "stats/accesslogfile.h"

#include "http/uri.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// Records read per round: bounds the memory of one batch when the proxy runs far ahead.
constexpr qsizetype batchLimit = 2000;

QString where(const SourceLocation &source)
{
    if (source.line <= 0)
        return {};
    return source.file + u':' + QString::number(source.line) + ": "_L1;
}

void addUnique(QVarLengthArray<int, 4> *set, int value)
{
    if (!set->contains(value))
        set->append(value);
}

QString openError(const QString &path, const QFile &file)
{
    return u"open() \"%1\" failed (%2)"_s.arg(path, file.errorString());
}

bool openForAppend(QFile &file)
{
    // Devices and pipes (/dev/stdout, /dev/null) have no end to seek to: write-only is enough.
    const QFileInfo info(file.fileName());
    const bool special = info.exists() && !info.isFile() && !info.isDir();
    return file.open(special ? QIODevice::WriteOnly | QIODevice::Unbuffered
                             : QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

} // namespace

AccessLogFileWriter::AccessLogFileWriter(const AccessLog &log, QObject *parent)
    : QObject(parent)
    , m_log(log)
    , m_cursor(log.lastId())
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(DefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &AccessLogFileWriter::writePending);
}

AccessLogFileWriter::~AccessLogFileWriter()
{
    writePending();
}

bool AccessLogFileWriter::setConfiguration(const ProxyConfig &config, QString *error)
{
    Plan plan;
    if (!buildPlan(config, &plan, error) || !openFiles(&plan, error))
        return false;
    writePending(); // under the configuration these requests ended with
    m_plan = std::move(plan);
    if (m_plan.destinations.isEmpty())
        m_timer->stop();
    else
        m_timer->start();
    return true;
}

void AccessLogFileWriter::flushNow()
{
    writePending();
}

bool AccessLogFileWriter::reopen()
{
    writePending();
    bool ok = true;
    for (OutputFile &output : m_plan.files) {
        output.file->close();
        if (openForAppend(*output.file)) {
            output.failed = false;
            continue;
        }
        ok = false;
        reportError(output, openError(output.path, *output.file));
    }
    return ok;
}

void AccessLogFileWriter::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

int AccessLogFileWriter::interval() const
{
    return m_timer->interval();
}

QStringList AccessLogFileWriter::filePaths() const
{
    QStringList paths;
    for (const OutputFile &output : m_plan.files)
        paths.append(output.path);
    return paths;
}

// --- compiling a configuration ------------------------------------------------------------------

bool AccessLogFileWriter::buildPlan(const ProxyConfig &config, Plan *plan, QString *error)
{
    const auto add = [&](const ResolvedLocation &resolved, DestinationSet *set) {
        return addDestinations(resolved.accessLogs, config, plan, set, error);
    };
    if (!add(resolveSettings(config.settings, {}, nullptr), &plan->httpDestinations))
        return false;
    for (const ServerConfig &server : config.servers) {
        ServerRoute route;
        for (const QString &name : server.serverNames)
            route.names.append(name.toUtf8().toLower());
        if (!add(resolveSettings(config.settings, server.settings, nullptr), &route.destinations))
            return false;
        // Every location, nested ones with what they inherit, by the label the record carries.
        const std::function<bool(const QList<LocationConfig> &, const ProxySettings &)> addLocations =
            [&](const QList<LocationConfig> &locations, const ProxySettings &enclosing) {
                for (const LocationConfig &location : locations) {
                    const ProxySettings settings = inheritSettings(enclosing, location.settings);
                    LocationRoute locationRoute{location.label().toUtf8(), {}};
                    if (!add(resolveSettings(config.settings, server.settings, &settings), &locationRoute.destinations))
                        return false;
                    route.locations.append(std::move(locationRoute));
                    if (!addLocations(location.locations, settings))
                        return false;
                }
                return true;
            };
        if (!addLocations(server.locations, {}))
            return false;
        plan->servers.append(std::move(route));
    }
    return true;
}

bool AccessLogFileWriter::addDestinations(const QList<AccessLogDirective> &logs, const ProxyConfig &config, Plan *plan,
                                          DestinationSet *set, QString *error)
{
    for (const AccessLogDirective &log : logs) {
        const LogFormat *format = config.findLogFormat(log.formatName);
        if (!format) {
            *error = where(log.source) + u"unknown log format \"%1\""_s.arg(log.formatName);
            return false;
        }
        const QString formatKey = format->name.toLower();
        qsizetype formatter = plan->formatterNames.indexOf(formatKey);
        if (formatter < 0) {
            QString formatError;
            const QStringList userVariables = userVariableNames(config);
            const std::optional<LogFormatter> compiled = LogFormatter::compile(*format, &formatError, &userVariables);
            if (!compiled) {
                *error = where(format->source) + formatError;
                return false;
            }
            plan->formatters.append(*compiled);
            plan->formatterNames.append(formatKey);
            formatter = plan->formatters.size() - 1;
        }

        const QString path = QDir::cleanPath(config.resolvePath(log.path));
        const auto found = std::find_if(plan->files.cbegin(), plan->files.cend(),
                                        [&](const OutputFile &output) { return output.path == path; });
        const auto file = static_cast<int>(found - plan->files.cbegin());
        if (found == plan->files.cend())
            plan->files.push_back(OutputFile{path, nullptr, {}, false});

        const Destination destination{file, static_cast<int>(formatter)};
        const auto existing =
            std::find_if(plan->destinations.cbegin(), plan->destinations.cend(), [&](const Destination &d) {
                return d.file == destination.file && d.formatter == destination.formatter;
            });
        const auto index = static_cast<int>(existing - plan->destinations.cbegin());
        if (existing == plan->destinations.cend())
            plan->destinations.append(destination);
        addUnique(set, index);
    }
    return true;
}

// New QFile objects even for files already open: O_APPEND keeps two descriptors' lines whole,
// and a failure leaves the running configuration's files untouched.
bool AccessLogFileWriter::openFiles(Plan *plan, QString *error)
{
    for (OutputFile &output : plan->files) {
        output.file = std::make_unique<QFile>(output.path);
        if (!openForAppend(*output.file)) {
            *error = openError(output.path, *output.file);
            return false;
        }
    }
    return true;
}

// --- writing ------------------------------------------------------------------------------------

void AccessLogFileWriter::collectDestinations(const AccessRecord &record, DestinationSet *set) const
{
    if (m_plan.servers.isEmpty()) {
        *set = m_plan.httpDestinations;
        return;
    }
    QVarLengthArray<const ServerRoute *, 4> candidates;
    if (record.serverIndex >= 0 && record.serverIndex < m_plan.servers.size()) {
        // The engine chose the server block (wildcards, regexes, default_server): its logs.
        candidates.append(&m_plan.servers[record.serverIndex]);
    } else {
        // A record from elsewhere: the server its Host names exactly, else every server.
        const QByteArray host = hostWithoutPort(record.host).toByteArray().toLower();
        for (const ServerRoute &server : m_plan.servers) {
            if (!host.isEmpty() && server.names.contains(host))
                candidates.append(&server);
        }
    }
    if (candidates.size() != 1) {
        candidates.clear();
        for (const ServerRoute &server : m_plan.servers)
            candidates.append(&server);
    }
    for (const ServerRoute *server : std::as_const(candidates)) {
        const auto location =
            record.location.isEmpty()
                ? server->locations.cend()
                : std::find_if(server->locations.cbegin(), server->locations.cend(),
                               [&](const LocationRoute &route) { return route.label == record.location; });
        const DestinationSet &found =
            location == server->locations.cend() ? server->destinations : location->destinations;
        for (const int destination : found)
            addUnique(set, destination);
    }
}

void AccessLogFileWriter::writePending()
{
    if (m_plan.destinations.isEmpty()) {
        m_cursor = m_log.lastId(); // nobody logs these: a later configuration starts from now
        return;
    }
    QList<AccessRecord> records;
    do {
        records.clear();
        m_cursor = m_log.readAfter(m_cursor, &records, batchLimit);
        DestinationSet set;
        for (const AccessRecord &record : std::as_const(records)) {
            set.clear();
            collectDestinations(record, &set);
            for (const int index : std::as_const(set)) {
                const Destination &destination = m_plan.destinations[index];
                QByteArray &pending = m_plan.files[std::size_t(destination.file)].pending;
                m_plan.formatters[destination.formatter].appendTo(record, pending);
                pending.append('\n');
            }
        }
        writeFiles();
    } while (records.size() == batchLimit);
}

void AccessLogFileWriter::writeFiles()
{
    for (OutputFile &output : m_plan.files) {
        if (output.pending.isEmpty())
            continue;
        if (!output.file->isOpen()) { // a reopen() failed, and said so
            output.pending.truncate(0);
            continue;
        }
        const qint64 written = output.file->write(output.pending);
        if (written == output.pending.size()) {
            output.failed = false;
        } else if (written < 0) {
            reportError(output, u"write() to \"%1\" failed (%2)"_s.arg(output.path, output.file->errorString()));
        } else {
            reportError(output, u"write() to \"%1\" was incomplete: %2 of %3"_s.arg(output.path)
                                    .arg(written)
                                    .arg(output.pending.size()));
        }
        // Lines that did not make it are dropped, as nginx drops them: the next batch tries anew.
        output.pending.truncate(0);
    }
}

void AccessLogFileWriter::reportError(OutputFile &output, const QString &message)
{
    if (output.failed)
        return;
    output.failed = true;
    m_lastError = message;
    emit errorOccurred(message);
}

} // namespace lbscope
