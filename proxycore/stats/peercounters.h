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
enum class FailureKind {
    Refused,
    Reset,
    Timeout,
    InvalidHeader
};
inline constexpr int FailureKinds = 4;

// The status codes the proxy answers a malformed or refused request with.
inline constexpr std::array<int, 8> ClientErrorCodes = {400, 405, 411, 413, 414, 431, 501, 505};

struct PeerCounters
{
    Counter requests{0};                // attempts sent to this peer
    std::array<Counter, 5> responses{}; // its answers by class, 1xx .. 5xx
    Counter failures{0};                // attempts nginx counts as failed
    std::array<Counter, FailureKinds> failuresByKind{};
    Counter retries{0};   // requests that moved on to another peer
    Counter truncated{0}; // responses cut off after their head
    Counter bytesFromUpstream{0};
    Counter bytesToUpstream{0};
    std::atomic<qint64> active{0};      // attempts in flight now
    std::atomic<qint64> failedUntil{0}; // epoch seconds; 0: available
    LatencyHistogram connectTime;
    LatencyHistogram headerTime;
    LatencyHistogram responseTime;
    RateSeries rate;
};

// Counters for a set of peers that grows as servers are added, readable from other threads
// while it grows: blocks are allocated once and never move.
class PeerCounterTable
{
public:
    PeerCounterTable() = default;
    Q_DISABLE_COPY_MOVE(PeerCounterTable)
    ~PeerCounterTable();

    // Makes slots [0, count) usable. One thread (the engine's) calls it, before it hands
    // the workers a table whose peers use those slots.
    void ensure(int count);
    PeerCounters &at(int slot) { return m_blocks[std::size_t(slot / BlockSize)].load()[slot % BlockSize]; }
    const PeerCounters &at(int slot) const { return m_blocks[std::size_t(slot / BlockSize)].load()[slot % BlockSize]; }

    static constexpr int BlockSize = 64;
    static constexpr int MaxBlocks = 1024;

private:
    std::array<std::atomic<PeerCounters *>, MaxBlocks> m_blocks{};
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
