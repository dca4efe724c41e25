#include "traffic/trafficworker.h"

#include "http/headers.h"
#include "traffic/trafficresults.h"

#include <QScopedValueRollback>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int ProgressIntervalMs = 100;
constexpr qsizetype MaxBackendNames = 10'000;

QByteArray headTail(const TrafficPlan &plan)
{
    QByteArray tail = "Host: " + plan.hostHeader() + "\r\n";
    if (!plan.keepAlive)
        tail += "Connection: close\r\n";
    const bool hasUserAgent = std::any_of(plan.headers.cbegin(), plan.headers.cend(), [](const auto &header) {
        return equalsIgnoreCase(header.first, "user-agent");
    });
    if (!hasUserAgent)
        tail += "User-Agent: lbscope-traffic\r\n";
    for (const auto &[name, value] : plan.headers)
        tail += name + ": " + value + "\r\n";
    if (plan.sendsBody())
        tail += "Content-Length: " + QByteArray::number(plan.bodySize) + "\r\n";
    return tail; // the blank line comes after the per-request headers
}

} // namespace

TrafficWorker::TrafficWorker(TrafficResults *results, QObject *parent)
    : QObject(parent)
    , m_results(results)
    , m_schedule(this)
    , m_tick(this)
{
    m_schedule.setSingleShot(true);
    m_schedule.setTimerType(Qt::PreciseTimer);
    connect(&m_schedule, &QTimer::timeout, this, &TrafficWorker::pump);
    connect(&m_tick, &QTimer::timeout, this, &TrafficWorker::handleTick);
}

TrafficWorker::~TrafficWorker()
{
    stop();
}

void TrafficWorker::run(const TrafficPlan &plan, quint64 runId)
{
    stop();
    m_plan = plan;
    m_runId = runId;
    QString error;
    m_path = TrafficPlan::parsePathTemplate(plan.pathTemplate, &error);
    m_headTail = headTail(plan);
    m_body = plan.bodySize > 0 ? QByteArray(plan.bodySize, 'x') : QByteArray();
    m_headRequest = plan.method == "HEAD";
    m_total = plan.totalRequests();
    m_concurrency = plan.effectiveConcurrency();
    m_clientAddresses.clear();
    for (int i = 0; i < plan.simulatedClients; ++i)
        m_clientAddresses.append(TrafficPlan::clientAddress(i));
    m_random.seed(plan.randomSeed != 0 ? plan.randomSeed : QRandomGenerator::global()->generate());
    m_next = 0;
    m_running = true;
    m_dirty = true;
    m_clock.start();
    m_sinceProgress.start();
    // Timeouts are checked on the tick: a quarter of the timeout, at most the progress interval.
    m_tick.start(std::clamp(plan.timeoutMs / 4, 1, ProgressIntervalMs));
    pump();
}

void TrafficWorker::stop()
{
    if (!m_running)
        return;
    const auto cancelled = quint64(m_busy.size() + m_retries.size());
    for (auto it = m_busy.cbegin(); it != m_busy.cend(); ++it)
        release(it.key(), false);
    m_busy.clear();
    m_retries.clear();
    m_results->noteCancelled(cancelled);
    finish();
}

// Sends whatever is due while a connection slot is free. Completions call it again, and so
// does the schedule timer when the next request of a Rate plan comes due.
void TrafficWorker::pump()
{
    if (!m_running || m_pumping)
        return;
    {
        const QScopedValueRollback guard(m_pumping, true);
        while (m_running && m_busy.size() < m_concurrency) {
            if (!m_retries.isEmpty()) {
                dispatch(m_retries.takeFirst());
                continue;
            }
            if (m_total && m_next >= *m_total)
                break;
            if (!isDue(m_next)) {
                armSchedule();
                break;
            }
            const quint64 sequence = m_next++;
            m_results->noteSent();
            const int client = m_clientAddresses.isEmpty() ? 0 : int(sequence % quint64(m_clientAddresses.size()));
            dispatch({sequence, client, false});
        }
    }
    finishIfDone();
}

// Request n of a Rate plan is due at n / rate seconds after the start: the schedule is
// absolute, so a late wake-up sends everything that came due and the rate does not drift.
qint64 TrafficWorker::dueNs(quint64 sequence) const
{
    return qint64(double(sequence) * 1e9 / m_plan.rate);
}

bool TrafficWorker::isDue(quint64 sequence) const
{
    return m_plan.mode != TrafficPlan::Mode::Rate || dueNs(sequence) <= m_clock.nsecsElapsed();
}

void TrafficWorker::armSchedule()
{
    const qint64 waitNs = dueNs(m_next) - m_clock.nsecsElapsed();
    const qint64 waitMs = std::clamp<qint64>((waitNs + 999'999) / 1'000'000, 1, std::numeric_limits<int>::max());
    m_schedule.start(int(waitMs));
}

void TrafficWorker::dispatch(const Request &request)
{
    TrafficConnection *connection = connectionFor(request.client);
    m_busy.insert(connection, request);
    m_dirty = true;
    connection->send(requestHead(request.sequence), m_body, m_headRequest);
}

// An idle connection of this client if there is one; otherwise a new one, closing the
// longest idle connection of another client when the concurrency allows no more.
TrafficConnection *TrafficWorker::connectionFor(int client)
{
    for (qsizetype i = m_idle.size() - 1; i >= 0; --i) {
        if (m_idle[i]->client() == client)
            return m_idle.takeAt(i);
    }
    if (m_open >= m_concurrency && !m_idle.isEmpty())
        release(m_idle.takeFirst(), false);
    const TrafficConnection::Endpoints endpoints{m_plan.address, m_plan.port, m_clientAddresses.value(client)};
    ++m_open;
    m_results->noteConnectionOpened();
    return new TrafficConnection(this, endpoints, client, this);
}

void TrafficWorker::release(TrafficConnection *connection, bool reusable)
{
    if (reusable) {
        m_idle.append(connection);
        return;
    }
    connection->abort();
    connection->deleteLater();
    --m_open;
}

void TrafficWorker::exchangeFinished(TrafficConnection *connection, const TrafficConnection::Outcome &outcome)
{
    const auto found = m_busy.constFind(connection);
    if (found == m_busy.cend())
        return;
    const Request request = found.value();
    m_busy.erase(found);
    m_dirty = true;
    if (outcome.retryable && !request.retried) {
        release(connection, false);
        m_retries.append({request.sequence, request.client, true});
    } else {
        record(request, *connection, outcome);
        release(connection, outcome.reusable && m_plan.keepAlive);
    }
    pump();
}

void TrafficWorker::idleConnectionClosed(TrafficConnection *connection)
{
    if (m_idle.removeOne(connection)) {
        connection->deleteLater();
        --m_open;
    }
}

void TrafficWorker::record(const Request &request, const TrafficConnection &connection,
                           const TrafficConnection::Outcome &outcome)
{
    TrafficResult result;
    result.sequence = request.sequence;
    result.client = m_clientAddresses.isEmpty() ? connection.localAddress() : m_clientAddresses[request.client];
    result.status = outcome.status;
    result.backend = backendName(outcome.backend);
    result.latencyUs = outcome.latencyUs;
    result.error = outcome.error;
    m_results->record(std::move(result));
}

QString TrafficWorker::backendName(const QByteArray &backend)
{
    if (backend.isEmpty())
        return {};
    auto found = m_backendNames.constFind(backend);
    if (found != m_backendNames.cend())
        return found.value();
    if (m_backendNames.size() >= MaxBackendNames)
        m_backendNames.clear(); // a server naming itself anew each time: stop sharing, stay bounded
    return m_backendNames.insert(backend, QString::fromLatin1(backend)).value();
}

QByteArray TrafficWorker::requestHead(quint64 sequence)
{
    QByteArray head =
        m_plan.method + ' ' + TrafficPlan::expandPath(m_path, sequence, m_random) + " HTTP/1.1\r\n" + m_headTail;
    if (m_plan.sequenceHeaderBase) {
        head += TrafficPlan::SequenceHeader;
        head += ": " + QByteArray::number(*m_plan.sequenceHeaderBase + sequence) + "\r\n";
    }
    return head + "\r\n";
}

void TrafficWorker::handleTick()
{
    expireTimeouts();
    if (m_dirty && m_sinceProgress.elapsed() >= ProgressIntervalMs) {
        m_dirty = false;
        m_sinceProgress.start();
        emit progressChanged(m_runId);
    }
}

void TrafficWorker::expireTimeouts()
{
    QList<TrafficConnection *> expired;
    for (auto it = m_busy.cbegin(); it != m_busy.cend(); ++it) {
        if (it.key()->isBusy() && it.key()->busyMs() >= m_plan.timeoutMs)
            expired.append(it.key());
    }
    for (TrafficConnection *connection : std::as_const(expired)) {
        if (m_busy.contains(connection)) // an earlier expiry may have ended the run
            connection->fail(u"no response within %1 ms"_s.arg(m_plan.timeoutMs));
    }
}

void TrafficWorker::finishIfDone()
{
    if (m_running && m_total && m_next >= *m_total && m_busy.isEmpty() && m_retries.isEmpty())
        finish();
}

void TrafficWorker::finish()
{
    m_running = false;
    m_schedule.stop();
    m_tick.stop();
    for (TrafficConnection *connection : std::as_const(m_idle))
        release(connection, false);
    m_idle.clear();
    m_results->finish();
    emit progressChanged(m_runId);
    emit finished(m_runId);
}

} // namespace lbscope
