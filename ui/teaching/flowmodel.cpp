#include "teaching/flowmodel.h"

#include "logs/accesslogmodel.h"

#include <algorithm>

namespace lbscope {

namespace {

QColor mix(const QColor &from, const QColor &to, qreal t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(from.redF() + (to.redF() - from.redF()) * t),
                            float(from.greenF() + (to.greenF() - from.greenF()) * t),
                            float(from.blueF() + (to.blueF() - from.blueF()) * t));
}

// ColorBrewer's RdYlGn ends and middle: they stay apart for the common colour-vision deficiencies
// as well as a green-red scale can; the legend and the numbers say the same in words.
const QColor YoungColor(0x1a, 0x98, 0x50);
const QColor MiddleColor(0xf0, 0xc0, 0x20);
const QColor OldColor(0xd7, 0x30, 0x27);
const QColor FailedColor(0xc0, 0x10, 0x20);

} // namespace

QColor FlowModel::ageColor(qint64 ageMs)
{
    if (ageMs <= AgeYellowMs)
        return mix(YoungColor, MiddleColor, qreal(ageMs) / AgeYellowMs);
    return mix(MiddleColor, OldColor, qreal(ageMs - AgeYellowMs) / (AgeRedMs - AgeYellowMs));
}

QColor FlowModel::failedColor()
{
    return FailedColor;
}

void FlowModel::clear()
{
    m_journeys = {};
    m_next = 0;
    m_count = 0;
    m_lastJourneyEndMs = 0;
    m_recent = {};
    m_recentNext = 0;
    m_recordsPerSecond = 0;
    m_aggregated = false;
    m_lastTickMs = 0;
    for (Backend &backend : m_backends)
        backend.pendingStartsMs.clear();
}

int FlowModel::backendIndex(QByteArrayView peer) const
{
    for (qsizetype i = 0; i < m_backends.size(); ++i) {
        if (m_backends[i].peer == peer)
            return int(i);
    }
    return -1;
}

void FlowModel::updateBackends(const LiveTick &tick)
{
    QList<Backend> backends;
    for (const UpstreamSnapshot &upstream : tick.stats.upstreams) {
        for (const PeerSnapshot &peer : upstream.peers) {
            Backend backend;
            backend.peer = peer.peer;
            backend.upstream = upstream.name;
            backend.name = QString::fromLatin1(peer.peer);
            backend.backup = peer.backup;
            backend.state = peer.state;
            backend.active = peer.counts.active;
            backend.oldestActiveStartMs = peer.counts.active > 0 ? peer.counts.oldestActiveStartMs : 0;
            backend.rate = peer.rate.size() >= 2 ? peer.rate[peer.rate.size() - 2] : 0;
            backends.append(backend);
        }
    }
    for (const DemoFleet::Instance &instance : tick.demoInstances) {
        const QByteArray address = (instance.address.toString() + u':' + QString::number(instance.port)).toLatin1();
        for (Backend &backend : backends) {
            if (backend.peer == address)
                backend.name = instance.name;
        }
    }
    // Pending dots follow the engine's count: new ones started within the last interval, the
    // oldest at the engine's own start of its oldest attempt.
    const qint64 startedMs = m_lastTickMs > 0 ? (m_lastTickMs + tick.nowMs) / 2 : tick.nowMs;
    for (Backend &backend : backends) {
        const int previous = backendIndex(backend.peer);
        if (previous >= 0)
            backend.pendingStartsMs = m_backends[previous].pendingStartsMs;
        auto &starts = backend.pendingStartsMs;
        const qsizetype wanted = std::clamp<qint64>(backend.active, 0, MaxPendingDots);
        if (starts.size() > wanted)
            starts.remove(0, starts.size() - wanted); // the oldest ended (as far as a count can tell)
        while (starts.size() < wanted)
            starts.append(startedMs);
        if (!starts.isEmpty() && backend.oldestActiveStartMs > 0) {
            starts[0] = backend.oldestActiveStartMs;
            for (qsizetype i = 1; i < starts.size(); ++i)
                starts[i] = std::max(starts[i], starts[0]);
        }
    }
    m_lastTickMs = tick.nowMs;
    bool samePeers = backends.size() == m_backends.size();
    for (qsizetype i = 0; samePeers && i < backends.size(); ++i)
        samePeers = backends[i].peer == m_backends[i].peer;
    if (!samePeers) {
        // An edit: journeys keep their backend by address, or lose it if it went.
        const QList<Backend> previous = m_backends;
        m_backends = backends;
        for (int i = 0; i < m_count; ++i) {
            Journey &journey = m_journeys[std::size_t(i)];
            if (journey.backend >= 0)
                journey.backend = journey.backend < previous.size() ? backendIndex(previous[journey.backend].peer) : -1;
        }
        return;
    }
    m_backends = backends;
}

void FlowModel::updateRate(const LiveTick &tick)
{
    const int arrived = int(std::min<qsizetype>(tick.records.size() + qsizetype(tick.skippedRecords), 1'000'000));
    m_recent[std::size_t(m_recentNext)] = {tick.nowMs, arrived};
    m_recentNext = (m_recentNext + 1) % int(m_recent.size());
    int sum = 0;
    for (const auto &[atMs, count] : m_recent) {
        if (atMs > tick.nowMs - 1000)
            sum += count;
    }
    m_recordsPerSecond = sum;
    if (!m_aggregated && sum > AggregateAboveRate)
        m_aggregated = true;
    else if (m_aggregated && sum < IndividualBelowRate)
        m_aggregated = false;
}

void FlowModel::addJourney(const AccessRecord &record)
{
    Journey &journey = m_journeys[std::size_t(m_next)];
    m_next = (m_next + 1) % MaxJourneys;
    m_count = std::min(m_count + 1, MaxJourneys);
    const QByteArray peer = AccessLogModel::finalPeer(record);
    journey.backend = backendIndex(peer); // -1 for "no live upstreams": the upstream's name
    journey.endMs = record.timeMs;
    journey.startMs = record.timeMs - std::max<qint64>(0, record.requestTimeMs);
    journey.status = record.status;
    journey.failed = record.status >= 500 || journey.backend < 0;
    m_lastJourneyEndMs = std::max(m_lastJourneyEndMs, journeyEndMs(journey));
}

void FlowModel::handleTick(const LiveTick &tick)
{
    updateBackends(tick);
    updateRate(tick);
    const qsizetype size = tick.records.size();
    if (m_aggregated) {
        // Lines carry the answered ones; the failures still fall one by one, so they stand out.
        int failures = 0;
        for (qsizetype i = size - 1; i >= 0 && failures < MaxFailuresPerTick; --i) {
            const AccessRecord &record = tick.records[i];
            // A 5xx, or refused before any upstream (a 4xx of the proxy's own): no copy, no lookup
            // for the thousands that went well.
            if (record.status >= 500 || record.upstreamAddr.isEmpty()) {
                addJourney(record);
                ++failures;
            }
        }
        return;
    }
    for (qsizetype i = std::max<qsizetype>(0, size - MaxJourneys); i < size; ++i)
        addJourney(tick.records[i]);
}

qint64 FlowModel::journeyEndMs(const Journey &journey) const
{
    const qint64 arrived = std::max(journey.endMs, journey.startMs + TravelMs);
    return arrived + (journey.failed ? FallMs : AbsorbMs);
}

QList<FlowModel::Dot> FlowModel::dotsAt(qint64 nowMs) const
{
    const qint64 replayMs = nowMs - ReplayDelayMs;
    QList<Dot> dots;
    const bool journeysLeft = replayMs <= m_lastJourneyEndMs;
    // Newest first, so that the cap keeps the newest.
    for (int k = 0; journeysLeft && k < m_count && dots.size() < MaxDrawnDots; ++k) {
        const Journey &journey = m_journeys[std::size_t((m_next - 1 - k + MaxJourneys) % MaxJourneys)];
        if (replayMs < journey.startMs || replayMs >= journeyEndMs(journey))
            continue;
        if (m_aggregated && !journey.failed)
            continue; // the lines carry them now
        Dot dot;
        dot.backend = journey.backend;
        dot.failed = journey.failed;
        dot.status = journey.status;
        dot.ageMs = std::min(replayMs, journey.endMs) - journey.startMs;
        const qint64 travelled = replayMs - journey.startMs;
        const qint64 arrivedMs = std::max(journey.endMs, journey.startMs + TravelMs);
        dot.progress = journey.backend < 0 ? 0.0 : std::min(1.0, qreal(travelled) / TravelMs);
        if (journey.backend < 0 && journey.failed) {
            // Refused at the proxy: it falls from there as soon as it ended.
            if (replayMs < journey.endMs)
                continue;
            dot.phase = Phase::Falling;
            dot.phaseDone = qreal(replayMs - journey.endMs) / FallMs;
        } else if (travelled < TravelMs && replayMs < journey.endMs) {
            dot.phase = Phase::Travelling;
        } else if (replayMs < arrivedMs && replayMs < journey.endMs) {
            dot.phase = Phase::Waiting;
        } else if (replayMs < arrivedMs) {
            dot.phase = Phase::Travelling; // answered before the drawn trip is over: it goes on
        } else {
            dot.phase = journey.failed ? Phase::Falling : Phase::Absorbed;
            dot.phaseDone = qreal(replayMs - arrivedMs) / (journey.failed ? FallMs : AbsorbMs);
        }
        dots.append(dot);
    }
    if (!m_aggregated) {
        for (qsizetype b = 0; b < m_backends.size(); ++b) {
            for (const qint64 startMs : m_backends[b].pendingStartsMs) {
                const qint64 ageMs = replayMs - startMs;
                if (ageMs < 0 || dots.size() >= MaxDrawnDots)
                    continue;
                Dot dot;
                dot.backend = int(b);
                dot.pending = true;
                dot.ageMs = ageMs;
                dot.progress = std::min(1.0, qreal(ageMs) / TravelMs);
                dot.phase = ageMs < TravelMs ? Phase::Travelling : Phase::Waiting;
                dots.append(dot);
            }
        }
    }
    // Each backend's queue in order of age: the oldest nearest the backend.
    for (qsizetype b = -1; b < m_backends.size(); ++b) {
        QVarLengthArray<Dot *, 32> waiting;
        for (Dot &dot : dots) {
            if (dot.phase == Phase::Waiting && dot.backend == b)
                waiting.append(&dot);
        }
        std::stable_sort(waiting.begin(), waiting.end(),
                         [](const Dot *a, const Dot *b) { return a->ageMs > b->ageMs; });
        for (qsizetype i = 0; i < waiting.size(); ++i)
            waiting[i]->queueIndex = int(i);
    }
    return dots;
}

bool FlowModel::isMoving(qint64 nowMs) const
{
    if (nowMs - ReplayDelayMs <= m_lastJourneyEndMs)
        return true; // dots on their way (in aggregate mode only failures)
    // Pending dots and ageing queues; in aggregate mode the queues change with the ticks.
    return !m_aggregated &&
           std::any_of(m_backends.cbegin(), m_backends.cend(), [](const Backend &b) { return b.active > 0; });
}

qint64 FlowModel::queueAgeMs(int backend, qint64 nowMs) const
{
    if (backend < 0 || backend >= m_backends.size())
        return 0;
    const Backend &b = m_backends[backend];
    return b.active > 0 && b.oldestActiveStartMs > 0 ? std::max<qint64>(0, nowMs - b.oldestActiveStartMs) : 0;
}

} // namespace lbscope
