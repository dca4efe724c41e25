#pragma once

// What the flow view draws, without the drawing: the backends with their in-flight queues (the
// engine's own counts and the start of each peer's oldest attempt in flight), and the recent
// requests as journeys from the proxy to their backend.
//
// A record arrives only when its request ends, so journeys are replayed ReplayDelayMs behind
// real time from the request's start (timeMs - requestTimeMs). What has not ended yet comes
// from the engine: each peer's count of attempts in flight and the start of its oldest. A
// rise in the count between two ticks becomes that many pending dots, started in the middle
// of the interval (the oldest at the engine's exact start), and a fall removes the oldest; on
// the replayed timeline a pending dot shows only once its request has run longer than the
// delay, so fast requests appear once, from their record, and a slow one travels and waits at
// its backend, reddening, until its record takes its place.
// Above AggregateAboveRate records a second the view stops drawing dots one by one and draws
// each backend's rate as the width of its line; failures are still drawn one by one.
//
// Fixed storage: a ring of MaxJourneys, so a tick at any rate costs at most that many writes.

#include "livetick.h"

#include <QColor>
#include <QList>

#include <array>

namespace lbscope {

class FlowModel
{
public:
    static constexpr qint64 ReplayDelayMs = 300; // a record reaches the window up to a tick after it ended
    static constexpr qint64 TravelMs = 700;      // a dot's trip from the proxy to its backend, as drawn
    static constexpr qint64 AbsorbMs = 300;      // an answered dot fades into its backend
    static constexpr qint64 FallMs = 1400;       // a failed dot falls away
    static constexpr int MaxJourneys = 512;
    static constexpr int MaxDrawnDots = 300;
    static constexpr int MaxFailuresPerTick = 24;
    static constexpr int MaxPendingDots = 48;      // per backend; the count says the rest
    static constexpr int AggregateAboveRate = 150; // records a second: above, lines instead of dots
    static constexpr int IndividualBelowRate = 60; // ... and back to dots below this
    static constexpr qint64 AgeYellowMs = 500;     // the ageing colours: green at 0, yellow, red
    static constexpr qint64 AgeRedMs = 2000;

    struct Backend
    {
        QByteArray peer; // "127.0.0.1:3100"
        QString upstream;
        QString name; // the demo instance's name, or the address
        bool backup = false;
        PeerState state = PeerState::Up;
        qint64 active = 0;              // attempts in flight now (the engine's count)
        qint64 oldestActiveStartMs = 0; // 0: none in flight
        quint32 rate = 0;               // requests in the last full second (the engine's)
        // Pending: when each attempt counted in active began, oldest first, at most MaxPendingDots.
        QVarLengthArray<qint64, 16> pendingStartsMs;
    };

    enum class Phase {
        Travelling, // on the way from the proxy to the backend
        Waiting,    // at the backend, not answered yet
        Absorbed,   // answered: fading into the backend
        Falling     // failed: falling away in red
    };

    struct Dot
    {
        int backend = -1; // index in backends(); -1: no backend (refused at the proxy)
        Phase phase = Phase::Travelling;
        qreal progress = 0;  // 0 at the proxy .. 1 at the backend
        qreal phaseDone = 0; // 0..1 through Absorbed or Falling
        int queueIndex = 0;  // Waiting: 0 nearest the backend
        qint64 ageMs = 0;    // how long the request has run at this moment (its whole time once ended)
        bool failed = false;
        bool pending = false; // in flight, from the engine's count: no record yet
        int status = 0;
    };

    FlowModel() = default;

    void handleTick(const LiveTick &tick);
    void clear();

    const QList<Backend> &backends() const { return m_backends; }
    int backendIndex(QByteArrayView peer) const;
    // Drawing requests one by one (false) or their rates as line widths (true).
    bool aggregated() const { return m_aggregated; }
    // Records the proxy ended in the last second, as the ticks brought them.
    int recordsPerSecond() const { return m_recordsPerSecond; }
    // The dots to draw at wall-clock time nowMs (replayed ReplayDelayMs behind), at most MaxDrawnDots.
    QList<Dot> dotsAt(qint64 nowMs) const;
    // Whether anything moves between ticks at nowMs: dots, or (drawing dots) pending requests.
    bool isMoving(qint64 nowMs) const;
    // How long the backend's oldest request in flight has waited at nowMs; 0 when none.
    qint64 queueAgeMs(int backend, qint64 nowMs) const;

    // Green (young) through yellow to red (AgeRedMs and older).
    static QColor ageColor(qint64 ageMs);
    static QColor failedColor();

private:
    struct Journey
    {
        qint64 startMs = 0;
        qint64 endMs = 0;
        int backend = -1;
        int status = 0;
        bool failed = false;
    };

    void updateBackends(const LiveTick &tick);
    void updateRate(const LiveTick &tick);
    void addJourney(const AccessRecord &record);
    qint64 journeyEndMs(const Journey &journey) const;

    QList<Backend> m_backends;
    qint64 m_lastTickMs = 0;
    std::array<Journey, MaxJourneys> m_journeys{};
    int m_next = 0;  // the ring slot the next journey takes
    int m_count = 0; // slots used, at most MaxJourneys
    qint64 m_lastJourneyEndMs = 0;
    // Records per tick over the last second, to choose between dots and lines.
    std::array<std::pair<qint64, int>, 32> m_recent{};
    int m_recentNext = 0;
    int m_recordsPerSecond = 0;
    bool m_aggregated = false;
};

} // namespace lbscope
