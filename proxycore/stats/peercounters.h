#pragma once

// Traffic counters. Each worker thread writes only its own WorkerCounters, so a counter has
// a single writer and needs no lock: a relaxed load and store. Readers in other threads
// load them relaxed and add the workers up.

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <atomic>
#include <memory>

namespace lbscope {

using Counter = std::atomic<quint64>;

inline void bump(Counter &counter, quint64 by = 1)
{
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

struct PeerCounters
{
    Counter requests{0};             // attempts sent to this peer
    std::array<Counter, 5> responses{}; // by class: 1xx .. 5xx
    Counter failures{0};             // attempts that failed (refused, reset, timeout, invalid)
    Counter bytesFromUpstream{0};
    Counter bytesToUpstream{0};
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
    const PeerCounters &at(int slot) const
    {
        return m_blocks[std::size_t(slot / BlockSize)].load()[slot % BlockSize];
    }

    static constexpr int BlockSize = 64;
    static constexpr int MaxBlocks = 1024;

private:
    std::array<std::atomic<PeerCounters *>, MaxBlocks> m_blocks{};
};

struct WorkerCounters
{
    PeerCounterTable peers; // indexed by Peer::statsSlot
    Counter requests{0};
    std::array<Counter, 5> responses{};    // what clients got, by class
    Counter clientErrors{0};               // 400, 405, 411, 413, 414, 431, 501, 505
};

// One peer's counters added up over the workers, for reports.
struct PeerTotals
{
    QString upstream;
    QByteArray peer;
    bool backup = false;
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    quint64 failures = 0;
};

struct TrafficTotals
{
    QList<PeerTotals> peers;
    quint64 requests = 0;
    std::array<quint64, 5> responses{};
    quint64 clientErrors = 0;

    // A plain-text table: peer, requests, share, 2xx, 4xx, 5xx, failures.
    QString summaryTable() const;
};

} // namespace lbscope
