#include "firecommand.h"
#include "console.h"

#include "traffic/trafficgenerator.h"
#include "unixsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QMap>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <optional>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int ExitFailures = 1;
constexpr int ExitBadArguments = 2;
constexpr int ProgressLineMs = 200;

struct FireOptions
{
    QCommandLineOption count{
        {u"n"_s, u"requests"_s}, u"Send <N> requests (default 1). With --rate: stop after N requests."_s, u"N"_s};
    QCommandLineOption concurrency{{u"c"_s, u"concurrency"_s},
                                   u"Keep at most <C> requests in flight, on at most C connections "
                                   "(default 1 for a single request, 8 otherwise)."_s,
                                   u"C"_s};
    QCommandLineOption rate{u"rate"_s, u"Send <R> requests per second instead of a burst."_s, u"R"_s};
    QCommandLineOption duration{u"duration"_s,
                                u"With --rate: send for <D> seconds (default: until -n requests or Ctrl-C)."_s, u"D"_s};
    QCommandLineOption host{u"host"_s, u"Send <H> as the Host header (default: the URL's host and port)."_s, u"H"_s};
    QCommandLineOption clients{u"clients"_s,
                               u"Simulate <K> clients: requests go out round robin from K source addresses "
                               "127.x.y.1 that differ in the first three octets, as ip_hash sees them."_s,
                               u"K"_s};
    QCommandLineOption path{u"path"_s,
                            u"Request path <TEMPLATE> instead of the URL's: {n} counts 0, 1, 2, ...; "
                            "{rand:A-B} is a random whole number from A to B."_s,
                            u"TEMPLATE"_s};
    QCommandLineOption method{u"method"_s, u"Use HTTP method <M> (default GET)."_s, u"M"_s};
    QCommandLineOption header{u"header"_s, u"Add the request header <'Name: value'>; repeat for more."_s,
                              u"'Name: value'"_s};
    QCommandLineOption noKeepAlive{u"no-keepalive"_s,
                                   u"Send Connection: close and open a new connection for every request."_s};
    QCommandLineOption body{u"body"_s, u"Send a request body of <BYTES> bytes of 'x'."_s, u"BYTES"_s};
    QCommandLineOption timeout{u"timeout"_s, u"Fail a request that has no response after <S> seconds (default 10)."_s,
                               u"S"_s};

    QList<QCommandLineOption> all() const
    {
        return {count, concurrency, rate, duration, host, clients, path, method, header, noKeepAlive, body, timeout};
    }
};

std::optional<double> number(const QString &text, double min, double max)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= min && value <= max))
        return std::nullopt;
    return value;
}

std::optional<quint64> wholeNumber(const QString &text, quint64 min, quint64 max)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

// Reads option into *target, or says what is wrong with it.
template <typename T, typename Parse>
bool readOption(const QCommandLineParser &parser, const QCommandLineOption &option, Parse parse, T *target,
                const QString &expected, QString *error)
{
    if (!parser.isSet(option))
        return true;
    const auto value = parse(parser.value(option));
    if (!value) {
        *error = u"--%1 %2: expected %3"_s.arg(option.names().constLast(), parser.value(option), expected);
        return false;
    }
    *target = T(*value);
    return true;
}

bool readHeaders(const QStringList &values, lbscope::TrafficPlan *plan, QString *error)
{
    for (const QString &value : values) {
        const qsizetype colon = value.indexOf(u':');
        if (colon <= 0) {
            *error = u"--header %1: expected 'Name: value'"_s.arg(value);
            return false;
        }
        const QByteArray name = value.left(colon).trimmed().toLatin1();
        const QByteArray text = value.mid(colon + 1).trimmed().toUtf8();
        if (name.compare("host", Qt::CaseInsensitive) == 0)
            plan->host = text; // the same as --host
        else
            plan->headers.append({name, text});
    }
    return true;
}

bool readMode(const QCommandLineParser &parser, const FireOptions &options, lbscope::TrafficPlan *plan, QString *error)
{
    using Mode = lbscope::TrafficPlan::Mode;
    const auto count = [](const QString &text) { return wholeNumber(text, 1, Q_UINT64_C(1) << 40); };
    const auto rate = [](const QString &text) { return number(text, 1e-3, lbscope::TrafficPlan::MaxRate); };
    const auto seconds = [](const QString &text) { return number(text, 0.0, 1e7); };
    quint64 requests = 0;
    if (!readOption(parser, options.count, count, &requests, u"a whole number of at least 1"_s, error))
        return false;
    if (parser.isSet(options.rate)) {
        plan->mode = Mode::Rate;
        plan->count = requests;
        return readOption(parser, options.rate, rate, &plan->rate, u"requests per second above 0"_s, error) &&
               readOption(parser, options.duration, seconds, &plan->durationSeconds, u"seconds"_s, error);
    }
    if (parser.isSet(options.duration)) {
        *error = u"--duration needs --rate"_s;
        return false;
    }
    plan->count = requests ? requests : 1;
    plan->mode = plan->count == 1 ? Mode::Single : Mode::Burst;
    return true;
}

std::optional<lbscope::TrafficPlan> readPlan(const QCommandLineParser &parser, const FireOptions &options,
                                             const QString &url, QString *error)
{
    lbscope::TrafficPlan plan;
    if (!plan.setUrl(url, error) || !readMode(parser, options, &plan, error))
        return std::nullopt;
    const auto concurrency = [](const QString &text) {
        return wholeNumber(text, 1, lbscope::TrafficPlan::MaxConcurrency);
    };
    const auto clients = [](const QString &text) {
        return wholeNumber(text, 0, lbscope::TrafficPlan::MaxSimulatedClients);
    };
    const auto bytes = [](const QString &text) { return wholeNumber(text, 0, lbscope::TrafficPlan::MaxBodySize); };
    const auto seconds = [](const QString &text) { return number(text, 0.001, 86'400.0); };
    double timeoutSeconds = lbscope::TrafficPlan::DefaultTimeoutMs / 1000.0;
    if (!readOption(parser, options.concurrency, concurrency, &plan.concurrency,
                    u"1 to %1"_s.arg(lbscope::TrafficPlan::MaxConcurrency), error) ||
        !readOption(parser, options.clients, clients, &plan.simulatedClients,
                    u"0 to %1"_s.arg(lbscope::TrafficPlan::MaxSimulatedClients), error) ||
        !readOption(parser, options.body, bytes, &plan.bodySize, u"a size in bytes"_s, error) ||
        !readOption(parser, options.timeout, seconds, &timeoutSeconds, u"seconds"_s, error) ||
        !readHeaders(parser.values(options.header), &plan, error))
        return std::nullopt;
    plan.timeoutMs = int(timeoutSeconds * 1000.0 + 0.5);
    if (parser.isSet(options.path))
        plan.pathTemplate = parser.value(options.path);
    if (parser.isSet(options.method))
        plan.method = parser.value(options.method).toUpper().toLatin1();
    if (parser.isSet(options.host))
        plan.host = parser.value(options.host).toLatin1();
    plan.keepAlive = !parser.isSet(options.noKeepAlive);
    if (QString problem = plan.validate(); !problem.isEmpty()) {
        *error = std::move(problem);
        return std::nullopt;
    }
    return plan;
}

QString progressLine(const lbscope::TrafficProgress &progress)
{
    const QString total = progress.targetTotal ? u"/%1"_s.arg(progress.targetTotal) : QString();
    return u"sent %1%2  done %3  failed %4  in flight %5  %6 req/s  %7 s"_s.arg(progress.sent)
        .arg(total)
        .arg(progress.done)
        .arg(progress.failed)
        .arg(progress.inFlight)
        .arg(progress.achievedRate, 0, 'f', 1)
        .arg(double(progress.elapsedMs) / 1000.0, 0, 'f', 1);
}

QString backendLabel(const QString &backend)
{
    return backend.isEmpty() ? u"(none)"_s : backend;
}

QString tableRow(const QString &backend, int width, const QStringList &cells)
{
    QString row = backend.leftJustified(width);
    static constexpr int CellWidths[] = {9, 8, 8, 8, 8, 8, 8, 9, 9};
    for (qsizetype i = 0; i < cells.size(); ++i)
        row += cells[i].rightJustified(CellWidths[i]);
    return row;
}

// A latency column: "-" for a row of failures only, which has no latency.
QString milliseconds(const lbscope::BackendShare &row, double value)
{
    return row.count > row.failures ? QString::number(value, 'f', 2) : u"-"_s;
}

void printDistribution(const QList<lbscope::BackendShare> &rows, const lbscope::TrafficProgress &progress)
{
    int width = 8;
    for (const lbscope::BackendShare &row : rows)
        width = std::max(width, int(backendLabel(row.backend).size()) + 2);
    out() << tableRow(u"backend"_s, width,
                      {u"requests"_s, u"share"_s, u"2xx"_s, u"3xx"_s, u"4xx"_s, u"5xx"_s, u"failed"_s, u"p50 ms"_s,
                       u"p99 ms"_s})
          << '\n';
    lbscope::BackendShare total;
    for (const lbscope::BackendShare &row : rows) {
        out() << tableRow(backendLabel(row.backend), width,
                          {QString::number(row.count), u"%1%"_s.arg(row.sharePercent, 0, 'f', 1),
                           QString::number(row.status2xx), QString::number(row.status3xx),
                           QString::number(row.status4xx), QString::number(row.status5xx),
                           QString::number(row.failures), milliseconds(row, row.p50Ms), milliseconds(row, row.p99Ms)})
              << '\n';
        total.count += row.count;
        total.status2xx += row.status2xx;
        total.status3xx += row.status3xx;
        total.status4xx += row.status4xx;
        total.status5xx += row.status5xx;
        total.failures += row.failures;
    }
    out() << tableRow(u"total"_s, width,
                      {QString::number(total.count), total.count ? u"100.0%"_s : u"-"_s,
                       QString::number(total.status2xx), QString::number(total.status3xx),
                       QString::number(total.status4xx), QString::number(total.status5xx),
                       QString::number(total.failures), u"-"_s, u"-"_s})
          << '\n';
    out() << u"%1 sent, %2 answered, %3 failed, %4 cancelled in %5 s: %6 requests/s"_s.arg(progress.sent)
                 .arg(progress.done)
                 .arg(progress.failed)
                 .arg(progress.cancelled)
                 .arg(double(progress.elapsedMs) / 1000.0, 0, 'f', 3)
                 .arg(progress.achievedRate, 0, 'f', 1)
          << Qt::endl;
}

// The distinct reasons requests failed, most frequent first, from the kept results.
void printFailures(const lbscope::TrafficGenerator &generator)
{
    QList<lbscope::TrafficResult> results;
    generator.resultsAfter(0, &results);
    QMap<QString, quint64> reasons;
    for (const lbscope::TrafficResult &result : std::as_const(results)) {
        if (result.failed())
            ++reasons[result.error];
    }
    QList<QPair<quint64, QString>> sorted;
    for (auto it = reasons.cbegin(); it != reasons.cend(); ++it)
        sorted.append({it.value(), it.key()});
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (const auto &[count, reason] : std::as_const(sorted).first(std::min<qsizetype>(sorted.size(), 5)))
        err() << "lbscope fire: " << count << " failed: " << reason << '\n';
    err().flush();
}

int fire(QCoreApplication &app, const lbscope::TrafficPlan &plan)
{
    lbscope::TrafficGenerator generator;
    UnixSignals unixSignals; // Ctrl-C stops the run; the table is still printed
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &generator,
                     [&generator](int) { generator.stop(); });
    QObject::connect(&generator, &lbscope::TrafficGenerator::finished, &app, [&app] { app.quit(); });
    QString error;
    if (!generator.start(plan, &error)) {
        err() << "lbscope fire: " << error << Qt::endl;
        return ExitBadArguments;
    }

    const bool live = ::isatty(STDERR_FILENO) != 0;
    QTimer progressTimer;
    QObject::connect(&progressTimer, &QTimer::timeout, &generator,
                     [&generator] { err() << '\r' << progressLine(generator.progress()) << "\x1b[K" << Qt::flush; });
    if (live)
        progressTimer.start(ProgressLineMs);
    app.exec();
    progressTimer.stop();

    const lbscope::TrafficProgress progress = generator.progress();
    if (live)
        err() << '\r' << progressLine(progress) << "\x1b[K\n" << Qt::flush;
    printDistribution(generator.distribution(), progress);
    if (progress.failed > 0) {
        printFailures(generator);
        return ExitFailures;
    }
    return 0;
}

} // namespace

int runFireCommand(QCoreApplication &app, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Fire HTTP/1.1 test requests at a proxy (LB Scope or nginx) and show which "
                                     "backend answered each, with a per-backend table at the end. Ctrl-C stops "
                                     "early and still prints the table."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const FireOptions options;
    parser.addOptions(options.all());
    parser.addPositionalArgument(u"fire"_s, u"The traffic generator command."_s, u"fire"_s);
    parser.addPositionalArgument(u"url"_s, u"Where to send requests: http://HOST[:PORT][/PATH]."_s, u"URL"_s);

    if (!parser.parse(arguments)) {
        err() << "lbscope fire: " << parser.errorText() << "\nTry 'lbscope fire --help'." << Qt::endl;
        return ExitBadArguments;
    }
    if (parser.isSet(help)) {
        out() << parser.helpText() << Qt::flush;
        return 0;
    }
    QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty() && positional.first() == "fire"_L1)
        positional.removeFirst();
    if (positional.size() != 1) {
        err() << "lbscope fire: expected one URL, e.g. lbscope fire http://127.0.0.1:8080/ -n 100\n"
                 "Try 'lbscope fire --help'."
              << Qt::endl;
        return ExitBadArguments;
    }
    QString error;
    const auto plan = readPlan(parser, options, positional.first(), &error);
    if (!plan) {
        err() << "lbscope fire: " << error << "\nTry 'lbscope fire --help'." << Qt::endl;
        return ExitBadArguments;
    }
    return fire(app, *plan);
}
