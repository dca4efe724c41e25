#include "scenariofile.h"

#include "config/configwriter.h"
#include "config/nginxvalues.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>

#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int MaxDelayMs = 600'000;
constexpr double MaxStepSeconds = 24 * 3600;

// The built-ins, in the order a class meets them.
constexpr std::array<QLatin1StringView, 7> BuiltInNames = {
    "three-equal"_L1,     "weighted-5-1-1"_L1,  "slow-instance"_L1,   "crashing-instance"_L1,
    "ip-hash-clients"_L1, "hash-add-server"_L1, "backup-takeover"_L1,
};

struct MethodName
{
    BalancingMethod method;
    QLatin1StringView name;
};
constexpr std::array<MethodName, 5> MethodNames = {{
    {BalancingMethod::RoundRobin, "round_robin"_L1},
    {BalancingMethod::LeastConn, "least_conn"_L1},
    {BalancingMethod::IpHash, "ip_hash"_L1},
    {BalancingMethod::Hash, "hash"_L1},
    {BalancingMethod::Random, "random"_L1},
}};

struct ModeName
{
    TrafficPlan::Mode mode;
    QLatin1StringView name;
};
constexpr std::array<ModeName, 3> ModeNames = {{
    {TrafficPlan::Mode::Single, "single"_L1},
    {TrafficPlan::Mode::Burst, "burst"_L1},
    {TrafficPlan::Mode::Rate, "rate"_L1},
}};

QString methodName(BalancingMethod method)
{
    for (const MethodName &entry : MethodNames) {
        if (entry.method == method)
            return entry.name;
    }
    return {};
}

QString modeName(TrafficPlan::Mode mode)
{
    for (const ModeName &entry : ModeNames) {
        if (entry.mode == mode)
            return entry.name;
    }
    return {};
}

// "FILE:LINE:COLUMN" of a byte offset, for JSON syntax errors.
QString locationOf(const QByteArray &text, qsizetype offset)
{
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < std::min(offset, text.size()); ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return u"%1:%2"_s.arg(line).arg(offset - lineStart + 1);
}

// A server address normalised as the engine names peers: "127.0.0.1:3100".
std::optional<QString> normalisedAddress(const QString &text)
{
    const auto hostPort = nginx::splitHostPort(text);
    if (!hostPort || hostPort->isUnix)
        return std::nullopt;
    return nginx::joinHostPort(hostPort->host, hostPort->hasPort ? hostPort->port : quint16(80));
}

bool isLoopbackHost(const QString &host)
{
    return host == "localhost"_L1 || QHostAddress(host).isLoopback();
}

// Reads one JSON object's fields, remembering which were used so that a misspelt one is
// reported instead of silently ignored.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString where)
        : m_object(object)
        , m_where(std::move(where))
    {
    }

    const QString &error() const { return m_error; }
    bool failed() const { return !m_error.isEmpty(); }
    bool has(const QString &key) const { return m_object.contains(key); }

    void fail(const QString &key, const QString &problem)
    {
        if (m_error.isEmpty())
            m_error = (key.isEmpty() ? m_where : m_where + key) + u": "_s + problem;
    }

    QString string(const QString &key, const QString &fallback, bool required = false)
    {
        m_used.insert(key);
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined()) {
            if (required)
                fail(key, u"is missing"_s);
            return fallback;
        }
        if (!value.isString()) {
            fail(key, u"must be a string"_s);
            return fallback;
        }
        return value.toString();
    }

    double number(const QString &key, double fallback, double low, double high)
    {
        m_used.insert(key);
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return fallback;
        if (!value.isDouble() || !std::isfinite(value.toDouble())) {
            fail(key, u"must be a number"_s);
            return fallback;
        }
        const double number = value.toDouble();
        if (number < low || number > high) {
            fail(key, u"must be %1 to %2, not %3"_s.arg(low, 0, 'g', 12).arg(high, 0, 'g', 12).arg(number, 0, 'g', 12));
            return fallback;
        }
        return number;
    }

    qint64 integer(const QString &key, qint64 fallback, qint64 low, qint64 high)
    {
        const double value = number(key, double(fallback), double(low), double(high));
        if (value != std::floor(value)) {
            fail(key, u"must be a whole number, not %1"_s.arg(value));
            return fallback;
        }
        return qint64(value);
    }

    bool boolean(const QString &key, bool fallback)
    {
        m_used.insert(key);
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return fallback;
        if (!value.isBool()) {
            fail(key, u"must be true or false"_s);
            return fallback;
        }
        return value.toBool();
    }

    QJsonValue value(const QString &key)
    {
        m_used.insert(key);
        return m_object.value(key);
    }

    // Call last: a field nobody asked for is a typo or a newer format.
    void checkUnknown()
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it) {
            if (!m_used.contains(it.key())) {
                fail(it.key(), u"is not a field of a lesson file here (misspelt?)"_s);
                return;
            }
        }
    }

private:
    QJsonObject m_object;
    QString m_where;
    QSet<QString> m_used;
    QString m_error;
};

std::optional<TrafficPlan> readTraffic(const QJsonObject &object, QString *error)
{
    FieldReader fields(object, u"traffic."_s);
    TrafficPlan plan;
    const QString mode = fields.string(u"mode"_s, u"rate"_s);
    bool knownMode = false;
    for (const ModeName &entry : ModeNames) {
        if (mode == entry.name) {
            plan.mode = entry.mode;
            knownMode = true;
        }
    }
    if (!knownMode)
        fields.fail(u"mode"_s, u"must be \"single\", \"burst\" or \"rate\", not \"%1\""_s.arg(mode));
    plan.rate = fields.number(u"rate"_s, 0.0, 0.0, TrafficPlan::MaxRate);
    plan.durationSeconds = fields.number(u"durationSeconds"_s, 0.0, 0.0, 24 * 3600);
    plan.count = quint64(fields.integer(u"count"_s, 0, 0, qint64(1) << 40));
    plan.concurrency = int(fields.integer(u"concurrency"_s, 0, 0, TrafficPlan::MaxConcurrency));
    plan.simulatedClients = int(fields.integer(u"simulatedClients"_s, 0, 0, TrafficPlan::MaxSimulatedClients));
    plan.pathTemplate = fields.string(u"path"_s, u"/"_s);
    plan.host = fields.string(u"host"_s, QString()).toLatin1();
    plan.method = fields.string(u"method"_s, u"GET"_s).toLatin1();
    plan.keepAlive = fields.boolean(u"keepAlive"_s, true);
    plan.timeoutMs = int(fields.integer(u"timeoutMs"_s, TrafficPlan::DefaultTimeoutMs, 1, 3'600'000));
    plan.randomSeed = quint32(fields.integer(u"randomSeed"_s, 0, 0, 0xffffffffLL));
    fields.checkUnknown();
    if (fields.failed()) {
        *error = fields.error();
        return std::nullopt;
    }
    return plan;
}

std::optional<InstanceKnobs> readKnobs(const QString &instance, const QJsonValue &value, QString *error)
{
    const QString where = u"instances.\"%1\""_s.arg(instance);
    if (!value.isObject()) {
        *error = where + u": must be an object, e.g. {\"delayMs\": 300}"_s;
        return std::nullopt;
    }
    FieldReader fields(value.toObject(), where + u'.');
    InstanceKnobs knobs;
    knobs.instance = instance;
    knobs.delayMs = int(fields.integer(u"delayMs"_s, 0, 0, MaxDelayMs));
    knobs.errorRate = fields.number(u"errorRate"_s, 0.0, 0.0, 1.0);
    knobs.crashed = fields.boolean(u"crashed"_s, false);
    fields.checkUnknown();
    if (fields.failed()) {
        *error = fields.error();
        return std::nullopt;
    }
    return knobs;
}

std::optional<ScenarioStep> readStep(const QJsonValue &value, int number, QString *error)
{
    const QString where = u"step %1"_s.arg(number);
    if (!value.isObject()) {
        *error = where + u": must be an object, e.g. {\"at\": 5, \"action\": \"say\", \"say\": \"...\"}"_s;
        return std::nullopt;
    }
    FieldReader fields(value.toObject(), where + u": "_s);
    ScenarioStep step;
    if (!fields.has(u"at"_s))
        fields.fail(u"at"_s, u"is missing (seconds after the traffic started)"_s);
    step.atSeconds = fields.number(u"at"_s, 0.0, 0.0, MaxStepSeconds);
    const QString action = fields.string(u"action"_s, QString(), true);
    if (!fields.failed() && !actionFromName(action, &step.action))
        fields.fail(u"action"_s, u"\"%1\" is not an action (say, stopInstance, restartInstance, setDelay, "
                                 "setErrorRate, addServer, removeServer, setMethod, resetCounters)"_s.arg(action));
    step.say = fields.string(u"say"_s, QString());
    using Action = ScenarioStep::Action;
    switch (step.action) {
    case Action::Say:
        if (step.say.isEmpty() && !fields.failed())
            fields.fail(u"say"_s, u"is missing: a say step only has its words"_s);
        break;
    case Action::ResetCounters:
        break;
    case Action::StopInstance:
    case Action::RestartInstance:
        step.instance = fields.string(u"instance"_s, QString(), true);
        break;
    case Action::SetDelay:
        step.instance = fields.string(u"instance"_s, QString(), true);
        if (!fields.has(u"delayMs"_s))
            fields.fail(u"delayMs"_s, u"is missing"_s);
        step.delayMs = int(fields.integer(u"delayMs"_s, 0, 0, MaxDelayMs));
        break;
    case Action::SetErrorRate:
        step.instance = fields.string(u"instance"_s, QString(), true);
        if (!fields.has(u"errorRate"_s))
            fields.fail(u"errorRate"_s, u"is missing"_s);
        step.errorRate = fields.number(u"errorRate"_s, 0.0, 0.0, 1.0);
        break;
    case Action::AddServer: {
        step.upstream = fields.string(u"upstream"_s, QString(), true);
        const QString address = fields.string(u"server"_s, QString(), true);
        const auto hostPort = nginx::splitHostPort(address);
        if (!fields.failed() && (!hostPort || hostPort->isUnix))
            fields.fail(u"server"_s, u"\"%1\" is not an address like 127.0.0.1:3102"_s.arg(address));
        if (hostPort) {
            step.server.address = address;
            step.server.host = hostPort->host;
            step.server.port = hostPort->hasPort ? hostPort->port : quint16(80);
        }
        step.server.weight = int(fields.integer(u"weight"_s, 1, 1, 1'000'000));
        step.server.maxFails = int(fields.integer(u"maxFails"_s, 1, 0, 1'000'000));
        step.server.failTimeoutMs = fields.integer(u"failTimeoutSeconds"_s, 10, 0, 24 * 3600) * 1000;
        step.server.backup = fields.boolean(u"backup"_s, false);
        break;
    }
    case Action::RemoveServer:
        step.upstream = fields.string(u"upstream"_s, QString(), true);
        step.address = fields.string(u"server"_s, QString(), true);
        break;
    case Action::SetMethod: {
        step.upstream = fields.string(u"upstream"_s, QString(), true);
        const QString method = fields.string(u"method"_s, QString(), true);
        bool known = false;
        for (const MethodName &entry : MethodNames) {
            if (method == entry.name) {
                step.method = entry.method;
                known = true;
            }
        }
        if (!fields.failed() && !known)
            fields.fail(u"method"_s, u"\"%1\" is not round_robin, least_conn, ip_hash, hash or random"_s.arg(method));
        step.hashKey = fields.string(u"key"_s, QString());
        step.consistent = fields.boolean(u"consistent"_s, false);
        step.randomTwo = fields.boolean(u"two"_s, false);
        if (!fields.failed() && step.method == BalancingMethod::Hash && step.hashKey.isEmpty())
            fields.fail(u"key"_s, u"is missing: hash needs a key, e.g. \"$request_uri\""_s);
        if (!fields.failed() && step.method != BalancingMethod::Hash && (!step.hashKey.isEmpty() || step.consistent))
            fields.fail(u"key"_s, u"key and consistent belong to the hash method only"_s);
        if (!fields.failed() && step.method != BalancingMethod::Random && step.randomTwo)
            fields.fail(u"two"_s, u"belongs to the random method only"_s);
        break;
    }
    }
    fields.checkUnknown();
    if (fields.failed()) {
        *error = fields.error();
        return std::nullopt;
    }
    return step;
}

UpstreamConfig *findUpstream(ProxyConfig &config, const QString &name)
{
    for (UpstreamConfig &upstream : config.upstreams) {
        if (upstream.name == name)
            return &upstream;
    }
    return nullptr;
}

// The demo instances a pool brings: its loopback servers, normalised.
QSet<QString> loopbackServers(const ProxyConfig &pool)
{
    QSet<QString> servers;
    for (const UpstreamConfig &upstream : pool.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            if (isLoopbackHost(server.host))
                servers.insert(nginx::joinHostPort(server.host, server.port));
        }
    }
    return servers;
}

QString checkInstance(const QString &instance, const QSet<QString> &instances)
{
    const auto address = normalisedAddress(instance);
    if (!address)
        return u"\"%1\" is not an address like 127.0.0.1:3100"_s.arg(instance);
    if (!instances.contains(*address))
        return u"%1 is not a loopback server of the pool at this point, so it has no demo instance"_s.arg(instance);
    return {};
}

QJsonObject stepToJson(const ScenarioStep &step)
{
    QJsonObject object;
    object[u"at"_s] = step.atSeconds;
    object[u"action"_s] = actionName(step.action);
    if (!step.say.isEmpty())
        object[u"say"_s] = step.say;
    using Action = ScenarioStep::Action;
    switch (step.action) {
    case Action::Say:
    case Action::ResetCounters:
        break;
    case Action::StopInstance:
    case Action::RestartInstance:
        object[u"instance"_s] = step.instance;
        break;
    case Action::SetDelay:
        object[u"instance"_s] = step.instance;
        object[u"delayMs"_s] = step.delayMs;
        break;
    case Action::SetErrorRate:
        object[u"instance"_s] = step.instance;
        object[u"errorRate"_s] = step.errorRate;
        break;
    case Action::AddServer:
        object[u"upstream"_s] = step.upstream;
        object[u"server"_s] = step.server.address;
        if (step.server.weight != 1)
            object[u"weight"_s] = step.server.weight;
        if (step.server.maxFails != 1)
            object[u"maxFails"_s] = step.server.maxFails;
        if (step.server.failTimeoutMs != 10'000)
            object[u"failTimeoutSeconds"_s] = double((step.server.failTimeoutMs + 999) / 1000);
        if (step.server.backup)
            object[u"backup"_s] = true;
        break;
    case Action::RemoveServer:
        object[u"upstream"_s] = step.upstream;
        object[u"server"_s] = step.address;
        break;
    case Action::SetMethod:
        object[u"upstream"_s] = step.upstream;
        object[u"method"_s] = methodName(step.method);
        if (!step.hashKey.isEmpty())
            object[u"key"_s] = step.hashKey;
        if (step.consistent)
            object[u"consistent"_s] = true;
        if (step.randomTwo)
            object[u"two"_s] = true;
        break;
    }
    return object;
}

} // namespace

QStringList ScenarioFile::builtInPaths()
{
    QStringList paths;
    for (QLatin1StringView name : BuiltInNames)
        paths.append(u":/scenarios/"_s + name + Suffix);
    return paths;
}

QString ScenarioFile::poolPathFor(const QString &lessonPath)
{
    QString base = lessonPath;
    if (base.endsWith(Suffix))
        base.chop(Suffix.size());
    else if (base.endsWith(".json"_L1))
        base.chop(5);
    return base + u".conf"_s;
}

ScenarioReadResult ScenarioFile::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ScenarioReadResult result;
        result.error = u"%1: cannot read: %2"_s.arg(QDir::toNativeSeparators(path), file.errorString());
        return result;
    }
    return readText(file.readAll(), path);
}

ScenarioReadResult ScenarioFile::readText(const QByteArray &json, const QString &fileName)
{
    ScenarioReadResult result;
    const QString shownName = QDir::toNativeSeparators(fileName);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = u"%1:%2: %3"_s.arg(shownName, locationOf(json, parseError.offset), parseError.errorString());
        return result;
    }
    if (!document.isObject()) {
        result.error = shownName + u": a lesson file is one JSON object {...}"_s;
        return result;
    }
    const auto fail = [&](const QString &problem) {
        result.error = shownName + u": "_s + problem;
        return result;
    };

    Scenario scenario;
    scenario.sourceFile = fileName;
    FieldReader fields(document.object(), QString());
    const qint64 format = fields.integer(u"format"_s, Scenario::FormatVersion, 1, 1'000'000);
    if (!fields.failed() && format != Scenario::FormatVersion)
        fields.fail(u"format"_s, u"is %1; this LB Scope reads format %2"_s.arg(format).arg(Scenario::FormatVersion));
    scenario.title = fields.string(u"title"_s, QString(), true).trimmed();
    if (!fields.failed() && scenario.title.isEmpty())
        fields.fail(u"title"_s, u"is empty"_s);
    scenario.description = fields.string(u"description"_s, QString());
    scenario.poolFile = fields.string(u"pool"_s, QString(), true);
    if (!fields.failed() && scenario.poolFile.isEmpty())
        fields.fail(u"pool"_s, u"is empty: name the nginx .conf beside this file"_s);

    const QJsonValue traffic = fields.value(u"traffic"_s);
    const QJsonValue instances = fields.value(u"instances"_s);
    const QJsonValue steps = fields.value(u"steps"_s);
    fields.checkUnknown();
    if (fields.failed())
        return fail(fields.error());

    if (!traffic.isObject())
        return fail(traffic.isUndefined() ? u"traffic: is missing"_s : u"traffic: must be an object"_s);
    QString error;
    const auto plan = readTraffic(traffic.toObject(), &error);
    if (!plan)
        return fail(error);
    scenario.traffic = *plan;

    if (!instances.isUndefined() && !instances.isObject())
        return fail(u"instances: must be an object, e.g. {\"127.0.0.1:3100\": {\"delayMs\": 300}}"_s);
    const QJsonObject knobs = instances.toObject();
    for (auto it = knobs.begin(); it != knobs.end(); ++it) {
        const auto instance = readKnobs(it.key(), it.value(), &error);
        if (!instance)
            return fail(error);
        scenario.instances.append(*instance);
    }

    if (!steps.isUndefined() && !steps.isArray())
        return fail(u"steps: must be a list [...]"_s);
    const QJsonArray stepList = steps.toArray();
    for (qsizetype i = 0; i < stepList.size(); ++i) {
        const auto step = readStep(stepList[i], int(i + 1), &error);
        if (!step)
            return fail(error);
        scenario.steps.append(*step);
    }

    // The pool, beside the lesson file; its messages name it and its line and column.
    const QString poolPath = QFileInfo(fileName).dir().filePath(scenario.poolFile);
    ConfigReadResult pool = ConfigReader::readFile(poolPath);
    if (!pool.ok()) {
        result.error = pool.error->toString();
        if (!QFileInfo::exists(poolPath))
            result.error = u"%1: pool: %2"_s.arg(shownName, result.error);
        return result;
    }
    scenario.pool = *pool.config;

    if (const QString problem = validate(scenario); !problem.isEmpty())
        return fail(problem);
    result.warnings = pool.warnings;
    result.scenario = std::move(scenario);
    return result;
}

QString ScenarioFile::validate(const Scenario &scenario)
{
    if (scenario.title.trimmed().isEmpty())
        return u"title: is empty"_s;
    if (scenario.pool.servers.isEmpty())
        return u"pool: %1 has no server block, so the proxy would not listen"_s.arg(scenario.poolFile);
    if (scenario.pool.upstreams.isEmpty())
        return u"pool: %1 has no upstream block to balance over"_s.arg(scenario.poolFile);

    // Aimed at a stand-in for the proxy: only the plan's own fields are checked here.
    TrafficPlan plan = scenario.traffic;
    plan.address = QHostAddress(QHostAddress::LocalHost);
    plan.port = 80;
    if (const QString problem = plan.validate(); !problem.isEmpty())
        return u"traffic: "_s + problem;

    QSet<QString> instances = loopbackServers(scenario.pool);
    QSet<QString> knobbed;
    for (const InstanceKnobs &knobs : scenario.instances) {
        if (const QString problem = checkInstance(knobs.instance, instances); !problem.isEmpty())
            return u"instances.\"%1\": %2"_s.arg(knobs.instance, problem);
        if (knobbed.contains(*normalisedAddress(knobs.instance)))
            return u"instances.\"%1\": is given twice"_s.arg(knobs.instance);
        knobbed.insert(*normalisedAddress(knobs.instance));
    }

    // The steps, played on a copy of the pool: each is checked against what the ones before
    // it left, as the runner will meet it.
    ProxyConfig pool = scenario.pool;
    double previous = 0.0;
    for (qsizetype i = 0; i < scenario.steps.size(); ++i) {
        const ScenarioStep &step = scenario.steps[i];
        const QString where = u"step %1: "_s.arg(i + 1);
        if (step.atSeconds < previous)
            return where +
                   u"at: %1 s comes before the step above it (%2 s): keep the steps in time order"_s.arg(step.atSeconds)
                       .arg(previous);
        previous = step.atSeconds;
        using Action = ScenarioStep::Action;
        switch (step.action) {
        case Action::Say:
        case Action::ResetCounters:
            break;
        case Action::StopInstance:
        case Action::RestartInstance:
        case Action::SetDelay:
        case Action::SetErrorRate:
            if (const QString problem = checkInstance(step.instance, instances); !problem.isEmpty())
                return where + u"instance: "_s + problem;
            break;
        case Action::AddServer:
        case Action::RemoveServer:
        case Action::SetMethod: {
            UpstreamConfig *upstream = findUpstream(pool, step.upstream);
            if (!upstream)
                return where + u"upstream: the pool has no upstream \"%1\""_s.arg(step.upstream);
            if (step.action == Action::AddServer) {
                const QString address = nginx::joinHostPort(step.server.host, step.server.port);
                for (const UpstreamServer &server : std::as_const(upstream->servers)) {
                    if (nginx::joinHostPort(server.host, server.port) == address)
                        return where + u"server: upstream \"%1\" already has %2"_s.arg(step.upstream, address);
                }
                upstream->servers.append(step.server);
                if (isLoopbackHost(step.server.host))
                    instances.insert(address);
            } else if (step.action == Action::RemoveServer) {
                const auto removed = upstream->servers.removeIf(
                    [&](const UpstreamServer &server) { return server.address == step.address; });
                if (removed == 0)
                    return where + u"server: upstream \"%1\" has no server \"%2\""_s.arg(step.upstream, step.address);
                if (upstream->servers.isEmpty())
                    return where + u"server: removing %1 would leave upstream \"%2\" without servers"_s.arg(
                                       step.address, step.upstream);
            } else {
                upstream->method = step.method;
                upstream->hashKey = step.hashKey;
                upstream->hashConsistent = step.consistent;
                upstream->randomTwo = step.randomTwo;
            }
            if (const QString problem = validateUpstream(*upstream); !problem.isEmpty())
                return where + problem;
            break;
        }
        }
    }
    return {};
}

QByteArray ScenarioFile::toJson(const Scenario &scenario, const QString &poolFile)
{
    QJsonObject root;
    root[u"format"_s] = Scenario::FormatVersion;
    root[u"title"_s] = scenario.title;
    root[u"description"_s] = scenario.description;
    root[u"pool"_s] = poolFile;

    const TrafficPlan &plan = scenario.traffic;
    QJsonObject traffic;
    traffic[u"mode"_s] = modeName(plan.mode);
    if (plan.mode == TrafficPlan::Mode::Rate) {
        traffic[u"rate"_s] = plan.rate;
        traffic[u"durationSeconds"_s] = plan.durationSeconds;
    }
    if (plan.count > 0)
        traffic[u"count"_s] = double(plan.count);
    traffic[u"concurrency"_s] = plan.effectiveConcurrency();
    traffic[u"simulatedClients"_s] = plan.simulatedClients;
    traffic[u"path"_s] = plan.pathTemplate;
    if (!plan.host.isEmpty())
        traffic[u"host"_s] = QString::fromLatin1(plan.host);
    if (plan.method != "GET")
        traffic[u"method"_s] = QString::fromLatin1(plan.method);
    if (!plan.keepAlive)
        traffic[u"keepAlive"_s] = false;
    if (plan.timeoutMs != TrafficPlan::DefaultTimeoutMs)
        traffic[u"timeoutMs"_s] = plan.timeoutMs;
    if (plan.randomSeed != 0)
        traffic[u"randomSeed"_s] = double(plan.randomSeed);
    root[u"traffic"_s] = traffic;

    QJsonObject instances;
    for (const InstanceKnobs &knobs : scenario.instances) {
        QJsonObject object;
        if (knobs.delayMs != 0)
            object[u"delayMs"_s] = knobs.delayMs;
        if (knobs.errorRate != 0.0)
            object[u"errorRate"_s] = knobs.errorRate;
        if (knobs.crashed)
            object[u"crashed"_s] = true;
        instances[knobs.instance] = object;
    }
    if (!instances.isEmpty())
        root[u"instances"_s] = instances;

    QJsonArray steps;
    for (const ScenarioStep &step : scenario.steps)
        steps.append(stepToJson(step));
    if (!steps.isEmpty())
        root[u"steps"_s] = steps;
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool ScenarioFile::write(const Scenario &scenario, const QString &path, QString *error)
{
    if (const QString problem = validate(scenario); !problem.isEmpty()) {
        *error = u"%1 was not written: %2"_s.arg(QDir::toNativeSeparators(path), problem);
        return false;
    }
    const QString poolPath = poolPathFor(path);
    const auto save = [error](const QString &target, const QByteArray &bytes) {
        QSaveFile file(target);
        if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
            return true;
        *error = u"Could not write %1: %2"_s.arg(QDir::toNativeSeparators(target), file.errorString());
        return false;
    };
    return save(poolPath, ConfigWriter::write(scenario.pool)) &&
           save(path, toJson(scenario, QFileInfo(poolPath).fileName()));
}

} // namespace lbscope
