#pragma once

// Live traffic counters. Each worker thread writes only its own WorkerCounters, so every
// counter has a single writer and needs no lock; readers in other threads load them relaxed
// and add the workers up (see statssnapshot.h).

#include "stats/counter.h"
#include "stats/latencyhistogram.h"
#include "stats/rateseries.h"

#include <array>
#include <atomic>

namespace lbscope {

// Why an attempt at a peer failed, as nginx's proxy_next_upstream names the conditions.
// HttpStatus: a status listed in proxy_next_upstream (http_500, http_502, ...) on a try that
// was not the last, which nginx counts as a failure (all but 403 and 404).
enum class FailureKind {
    Refused,
    Reset,
    Timeout,
    InvalidHeader,
    HttpStatus
};
inline constexpr int FailureKinds = 5;

// Exact status codes are counted for 100..599, one counter each; a code outside that range
// counts only in its class.
inline constexpr int FirstStatusCode = 100;
inline constexpr int StatusCodeCount = 500;

// The status codes the proxy answers a malformed or refused request with.
inline constexpr std::array<int, 8> ClientErrorCodes = {400, 405, 411, 413, 414, 431, 501, 505};

// A peer's last failure packed into one word, so that a reader never sees the time of one
// failure with the kind of another: ms since the epoch << 16 | status << 4 | kind.
struct PeerFailure
{
    qint64 atMs = 0; // 0: none
    FailureKind kind = FailureKind::Refused;
    int status = 0; // for HttpStatus: the status that counted as a failure

    static quint64 pack(qint64 atMs, FailureKind kind, int status);
    static PeerFailure unpack(quint64 packed);
    friend bool operator==(const PeerFailure &, const PeerFailure &) = default;
};

// The attempts in flight at one peer on one worker, oldest first, linked through the attempts
// themselves: adding or removing one allocates nothing and costs a few stores, and the start
// of the oldest is published in one atomic that other threads may read (what the flow view's
// queue shows: a slow backend's waiting requests age while they wait, before any of them ends).
class InFlightList;
struct InFlightAttempt
{
    qint64 startMs = 0;
    InFlightAttempt *previous = nullptr;
    InFlightAttempt *next = nullptr;
    InFlightList *list = nullptr; // nullptr: not in flight
};

class InFlightList
{
public:
    InFlightList() = default;
    Q_DISABLE_COPY_MOVE(InFlightList)

    // Only the owning worker calls these.
    void append(InFlightAttempt &attempt, qint64 nowMs);
    static void remove(InFlightAttempt &attempt); // does nothing when not in flight
    // Any thread: the start (ms since the epoch) of the oldest attempt in flight; 0: none.
    qint64 oldestStartMs() const { return m_oldestStartMs.load(std::memory_order_relaxed); }

private:
    InFlightAttempt *m_head = nullptr;
    InFlightAttempt *m_tail = nullptr;
    std::atomic<qint64> m_oldestStartMs{0};
};

struct PeerCounters
{
    Counter requests{0};                                // attempts sent to this peer
    std::array<Counter, 5> responses{};                 // its answers by class, 1xx .. 5xx
    std::array<Counter, StatusCodeCount> statusCodes{}; // its answers by exact code
    Counter failures{0};                                // attempts nginx counts as failed
    std::array<Counter, FailureKinds> failuresByKind{};
    Counter unavailable{0}; // times a failure made it unavailable (max_fails reached)
    Counter retries{0};     // requests that moved on to another peer
    Counter truncated{0};   // responses cut off after their head
    Counter bytesFromUpstream{0};
    Counter bytesToUpstream{0};
    std::atomic<qint64> active{0};         // attempts in flight now
    std::atomic<qint64> failedUntil{0};    // epoch seconds; 0: available
    std::atomic<qint64> lastSelectedMs{0}; // wall clock of the last pick; 0: never
    std::atomic<quint64> lastFailure{0};   // PeerFailure::pack
    InFlightList inFlight;                 // the attempts counted in active, oldest first
    LatencyHistogram connectTime;
    LatencyHistogram headerTime;
    LatencyHistogram responseTime;
    RateSeries rate;

    // A response head from the peer: its class and its exact code.
    void countResponse(int status);
    // A failed attempt: the failure, its kind, and when.
    void countFailure(FailureKind kind, int status, qint64 nowMs);
};

// Counters for a set of peers that grows as servers are added, readable from other threads
// while it grows: blocks are allocated once and never move.
class PeerCounterTable
{
public:
    PeerCounterTable() = default;
    Q_DISABLE_COPY_MOVE(PeerCounterTable)
    ~PeerCounterTable();

    static constexpr int BlockSize = 64;
    static constexpr int MaxBlocks = 1024;
    static constexpr int MaxSlots = BlockSize * MaxBlocks; // 65,536

    // Makes slots [0, min(count, MaxSlots)) usable; false when count is above MaxSlots.
    // One thread (the engine's) calls it, before it hands the workers a table whose peers
    // use those slots. RoutingTable::build refuses a configuration that needs more.
    bool ensure(int count);
    // A slot that was never made usable (or is out of range) gives the table's spare
    // counters, which nobody reads: never memory outside the table.
    PeerCounters &at(int slot) { return *find(slot); }
    const PeerCounters &at(int slot) const { return *find(slot); }

private:
    PeerCounters *find(int slot) const;

    std::array<std::atomic<PeerCounters *>, MaxBlocks> m_blocks{};
    mutable PeerCounters m_spare;
};

struct WorkerCounters
{
    PeerCounterTable peers; // indexed by Peer::statsSlot
    Counter requests{0};
    std::array<Counter, 5> responses{}; // what clients got, by class
    std::array<Counter, ClientErrorCodes.size()> clientErrors{};
    std::atomic<qint64> connections{0}; // client connections open now
    LatencyHistogram requestTime;
    RateSeries rate;

    void countClientError(int status);
};

} // namespace lbscope
