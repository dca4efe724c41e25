#include "compare/methodcomparison.h"

#include "config/nginxvalues.h"
#include "demo/demobackend.h"
#include "demo/demofleet.h"
#include "proxy/engine.h"
#include "stats/statssnapshot.h"
#include "traffic/trafficgenerator.h"

#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

const QHostAddress CopyAddress{QHostAddress::LocalHost};
constexpr auto UpstreamAddrHeader = "X-Upstream-Addr";

QString copyPeerName(quint16 port)
{
    return nginx::joinHostPort(CopyAddress.toString(), port);
}

// "http://NAME" or "http://NAME/...": a location of the main pool that proxies to the upstream.
bool proxiesTo(const LocationConfig &location, const QString &upstream)
{
    const QString prefix = u"http://"_s + upstream;
    return location.proxyPass == prefix || location.proxyPass.startsWith(prefix + u'/');
}

quint64 answered(const std::array<quint64, 5> &responses)
{
    quint64 sum = 0;
    for (quint64 count : responses)
        sum += count;
    return sum;
}

} // namespace

QString MethodChoice::text() const
{
    UpstreamConfig upstream;
    applyTo(upstream);
    return methodText(upstream);
}

void MethodChoice::applyTo(UpstreamConfig &upstream) const
{
    upstream.method = method;
    upstream.hashKey = method == BalancingMethod::Hash ? hashKey : QString();
    upstream.hashConsistent = method == BalancingMethod::Hash && hashConsistent;
    upstream.randomTwo = method == BalancingMethod::Random && randomTwo;
}

quint64 ComparisonSide::peerRequests() const
{
    quint64 sum = 0;
    for (const ComparisonBackend &backend : backends)
        sum += backend.counts.requests;
    return sum;
}

ComparisonVerdict ComparisonVerdict::of(const ComparisonSide &left, const ComparisonSide &right, bool runOver)
{
    ComparisonVerdict verdict;
    verdict.p99Ms = {left.requestTime.p99Ms, right.requestTime.p99Ms};
    int slowest = -1;
    bool alone = false;
    for (qsizetype i = 0; i < left.backends.size(); ++i) {
        const int delay = left.backends[i].knobs.delayMs;
        if (slowest < 0 || delay > left.backends[slowest].knobs.delayMs) {
            slowest = int(i);
            alone = true;
        } else if (delay == left.backends[slowest].knobs.delayMs) {
            alone = false;
        }
    }
    if (slowest >= 0 && alone && left.backends.size() > 1 && right.backends.size() == left.backends.size()) {
        verdict.slowServer = slowest;
        verdict.slowRequests = {left.backends[slowest].counts.requests, right.backends[slowest].counts.requests};
    }
    if (runOver && left.receivedPathsComplete && right.receivedPathsComplete)
        verdict.sameTraffic = left.receivedPaths == right.receivedPaths;
    return verdict;
}

struct MethodComparison::Copy
{
    MethodChoice method;
    QString upstream;
    QStringList servers; // the main pool's addresses, in server order
    QList<DemoKnobs> knobs;
    QList<quint16> instancePorts;
    quint16 proxyPort = 0;
    // Declared in the order they are started; destroyed the other way round: the traffic
    // first, then the proxy, then the instances behind it.
    std::unique_ptr<DemoFleet> fleet;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<TrafficGenerator> generator;
};

MethodComparison::MethodComparison(QObject *parent)
    : QObject(parent)
{
    m_settleTimer.setInterval(SettlePollMs);
    connect(&m_settleTimer, &QTimer::timeout, this, &MethodComparison::checkSettled);
}

MethodComparison::~MethodComparison()
{
    m_settleTimer.stop();
    freeCopies();
}

std::optional<ProxyConfig> MethodComparison::copyConfiguration(const ProxyConfig &pool, const QString &upstream,
                                                               const MethodChoice &method,
                                                               const QList<quint16> &instancePorts, QString *error)
{
    const UpstreamConfig *source = nullptr;
    if (upstream.isEmpty())
        source = pool.upstreams.isEmpty() ? nullptr : &pool.upstreams.first();
    else
        source = pool.findUpstream(upstream);
    if (!source) {
        *error = upstream.isEmpty() ? u"the configuration has no upstream to compare"_s
                                    : u"the configuration has no upstream \"%1\""_s.arg(upstream);
        return std::nullopt;
    }
    if (source->servers.isEmpty()) {
        *error = u"upstream \"%1\" has no servers"_s.arg(source->name);
        return std::nullopt;
    }
    if (instancePorts.size() != source->servers.size()) {
        *error = u"%1 instance ports for %2 servers"_s.arg(instancePorts.size()).arg(source->servers.size());
        return std::nullopt;
    }

    UpstreamConfig copyUpstream = *source;
    method.applyTo(copyUpstream);
    for (qsizetype i = 0; i < copyUpstream.servers.size(); ++i) {
        UpstreamServer &server = copyUpstream.servers[i];
        server.host = CopyAddress.toString();
        server.port = instancePorts[i];
        server.address = copyPeerName(instancePorts[i]);
    }
    if (const QString problem = validateUpstream(copyUpstream); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }

    ProxyConfig copy;
    copy.workerProcesses = pool.workerProcesses;
    copy.settings = pool.settings;
    copy.settings.accessLogs.reset(); // the copies write no files
    copy.upstreams = {copyUpstream};

    ServerConfig server;
    LocationConfig location;
    // The main pool's settings for this upstream: the first location that proxies to it.
    for (const ServerConfig &mainServer : pool.servers) {
        const auto found = std::find_if(mainServer.locations.cbegin(), mainServer.locations.cend(),
                                        [&](const LocationConfig &l) { return proxiesTo(l, source->name); });
        if (found != mainServer.locations.cend()) {
            server.settings = mainServer.settings;
            location.settings = found->settings;
            break;
        }
    }
    server.settings.accessLogs.reset();
    location.settings.accessLogs.reset();
    ListenAddress listen;
    listen.host = CopyAddress.toString();
    listen.port = 0;
    listen.text = copyPeerName(0);
    server.listens = {listen};
    location.prefix = u"/"_s;
    location.proxyPass = u"http://"_s + copyUpstream.name;
    // Which server answered, for the generator: the main pool may not add it.
    QList<HeaderDirective> addHeaders = resolveSettings(copy.settings, server.settings, &location.settings).addHeaders;
    addHeaders.removeIf([](const HeaderDirective &header) {
        return header.name.compare(UpstreamAddrHeader, Qt::CaseInsensitive) == 0;
    });
    HeaderDirective upstreamAddr;
    upstreamAddr.name = UpstreamAddrHeader;
    upstreamAddr.value = u"$upstream_addr"_s;
    upstreamAddr.always = true;
    addHeaders.append(upstreamAddr);
    location.settings.addHeaders = addHeaders;
    server.locations = {location};
    copy.servers = {server};
    return copy;
}

bool MethodComparison::startCopy(Copy &copy, const UpstreamConfig &upstream, const ComparisonSetup &setup, int index,
                                 QString *error)
{
    copy.method = setup.methods[std::size_t(index)];
    copy.upstream = upstream.name;
    copy.fleet = std::make_unique<DemoFleet>();
    for (qsizetype i = 0; i < upstream.servers.size(); ++i) {
        copy.servers.append(upstream.servers[i].address);
        const DemoKnobs knobs = setup.knobs.value(i);
        copy.knobs.append(knobs);
        QString name;
        if (!copy.fleet->startInstance(CopyAddress, 0, error, &name))
            return false;
        copy.fleet->setDelayMs(name, knobs.delayMs);
        copy.fleet->setErrorRate(name, knobs.errorRate);
        if (knobs.crashed)
            copy.fleet->stopInstance(name);
    }
    // The fleet names its instances in start order, so instances() is in server order.
    for (const DemoFleet::Instance &instance : copy.fleet->instances())
        copy.instancePorts.append(instance.port);

    const std::optional<ProxyConfig> config =
        copyConfiguration(setup.pool, upstream.name, copy.method, copy.instancePorts, error);
    if (!config)
        return false;
    copy.engine = std::make_unique<Engine>(CopyAccessLogCapacity);
    if (!copy.engine->start(*config, error))
        return false;
    copy.proxyPort = copy.engine->listeningAddresses().value(0).second;
    copy.generator = std::make_unique<TrafficGenerator>();
    // Queued: the copies may be freed in the handler, which must not happen inside the
    // generator's own emit.
    connect(copy.generator.get(), &TrafficGenerator::finished, this, &MethodComparison::handleRunFinished,
            Qt::QueuedConnection);
    return true;
}

bool MethodComparison::start(const ComparisonSetup &setup, QString *error)
{
    stop();
    const UpstreamConfig *upstream = setup.upstream.isEmpty()
                                         ? (setup.pool.upstreams.isEmpty() ? nullptr : &setup.pool.upstreams.first())
                                         : setup.pool.findUpstream(setup.upstream);
    if (!upstream) {
        *error = setup.upstream.isEmpty() ? u"the configuration has no upstream to compare"_s
                                          : u"the configuration has no upstream \"%1\""_s.arg(setup.upstream);
        return false;
    }
    TrafficPlan plan = setup.plan;
    plan.address = CopyAddress;
    plan.port = 1; // each side's own below; a valid one for the check
    if (const QString problem = plan.validate(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    while (plan.randomSeed == 0)
        plan.randomSeed = QRandomGenerator::global()->generate();

    m_final = {};
    for (int i = 0; i < Sides; ++i) {
        m_copies[std::size_t(i)] = std::make_unique<Copy>();
        QString problem;
        if (!startCopy(*m_copies[std::size_t(i)], *upstream, setup, i, &problem)) {
            *error = u"%1: %2"_s.arg(setup.methods[std::size_t(i)].text(), problem);
            freeCopies();
            return false;
        }
    }
    // Both sides are listening before either gets a request: they start together.
    for (const auto &copy : m_copies) {
        TrafficPlan side = plan;
        side.port = copy->proxyPort;
        if (!copy->generator->start(side, error)) {
            freeCopies();
            return false;
        }
    }
    m_running = true;
    return true;
}

void MethodComparison::stop()
{
    if (!m_running)
        return;
    for (const auto &copy : m_copies)
        copy->generator->stop();
    finish();
}

ComparisonSide MethodComparison::side(int index) const
{
    Q_ASSERT(index >= 0 && index < Sides);
    const auto &copy = m_copies[std::size_t(index)];
    return m_running && copy ? readSide(*copy) : m_final[std::size_t(index)];
}

QList<quint16> MethodComparison::ports() const
{
    QList<quint16> ports;
    if (!m_running)
        return ports;
    for (const auto &copy : m_copies)
        ports.append(copy->proxyPort);
    for (const auto &copy : m_copies)
        ports.append(copy->instancePorts);
    return ports;
}

ComparisonSide MethodComparison::readSide(const Copy &copy) const
{
    ComparisonSide side;
    side.method = copy.method;
    side.progress = copy.generator->progress();
    const StatsSnapshot snapshot = copy.engine->snapshot();
    side.requestTime = snapshot.requestTime();
    for (qsizetype i = 0; i < copy.servers.size(); ++i) {
        ComparisonBackend backend;
        backend.server = copy.servers[i];
        backend.copyPeer = copyPeerName(copy.instancePorts.value(i)).toLatin1();
        backend.knobs = copy.knobs.value(i);
        if (const PeerSnapshot *peer = snapshot.findPeer(copy.upstream, backend.copyPeer))
            backend.counts = peer->counts;
        side.backends.append(backend);
    }
    if (const quint64 total = side.peerRequests()) {
        for (ComparisonBackend &backend : side.backends)
            backend.sharePercent = 100.0 * double(backend.counts.requests) / double(total);
    }
    return side;
}

void MethodComparison::handleRunFinished()
{
    if (!m_running)
        return;
    for (const auto &copy : m_copies) {
        if (copy->generator->isRunning())
            return;
    }
    m_settleClock.start();
    m_settleTimer.start();
    checkSettled();
}

// A copy counts a request when its exchange ends and an instance logs it once written: both
// can come a moment after the client read the last byte.
void MethodComparison::checkSettled()
{
    if (!m_running) {
        m_settleTimer.stop();
        return;
    }
    bool settled = true;
    for (const auto &copy : m_copies) {
        const StatsSnapshot snapshot = copy->engine->snapshot();
        quint64 upstreamAnswers = 0;
        if (!snapshot.upstreams.isEmpty()) {
            for (const PeerSnapshot &peer : snapshot.upstreams.first().peers)
                upstreamAnswers += answered(peer.counts.responses);
        }
        quint64 logged = 0;
        for (const DemoFleet::Instance &instance : copy->fleet->instances())
            logged += instance.requests;
        settled = settled && answered(snapshot.proxy.responses) >= copy->generator->progress().done &&
                  logged >= upstreamAnswers;
    }
    if (settled || m_settleClock.hasExpired(SettleTimeoutMs))
        finish();
}

void MethodComparison::finish()
{
    m_settleTimer.stop();
    for (int i = 0; i < Sides; ++i) {
        const Copy &copy = *m_copies[std::size_t(i)];
        ComparisonSide side = readSide(copy);
        bool complete = true;
        for (const DemoFleet::Instance &instance : copy.fleet->instances()) {
            complete = complete && instance.requests <= quint64(DemoBackend::LogCapacity);
            QList<DemoLogEntry> entries;
            copy.fleet->logAfter(instance.name, 0, &entries, DemoBackend::LogCapacity);
            for (const DemoLogEntry &entry : std::as_const(entries))
                side.receivedPaths.append(entry.path);
        }
        std::sort(side.receivedPaths.begin(), side.receivedPaths.end());
        side.receivedPathsComplete = complete;
        m_final[std::size_t(i)] = std::move(side);
    }
    freeCopies();
    m_running = false;
    emit finished();
}

void MethodComparison::freeCopies()
{
    for (auto &copy : m_copies) {
        if (!copy)
            continue;
        copy->generator.reset();
        if (copy->engine)
            copy->engine->stop();
        copy->engine.reset();
        copy->fleet.reset();
        copy.reset();
    }
}

} // namespace lbscope
