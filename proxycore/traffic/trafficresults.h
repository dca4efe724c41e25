#pragma once

// What the traffic generator saw, shared between its thread (the only writer) and readers in
// any thread: progress counters, a bounded ring of per-request results read by cursor, and a
// per-backend distribution over every response since the run started. One mutex guards it
// all; readers poll it on a timer instead of receiving a signal per response.

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace lbscope {

struct TrafficResult
{
    quint64 sequence = 0; // the request's number in the run, from 0 ({n} in the path)
    QHostAddress client;  // the source address the request went out from
    int status = 0;       // 0: no HTTP response (see error)
    QString backend;      // X-Upstream-Addr, else X-Backend, else empty
    qint64 latencyUs = 0; // from the first request byte written to the last response byte read
    QString error;        // why it failed; empty with a response

    bool failed() const { return status == 0; }
};

struct TrafficProgress
{
    quint64 sent = 0;
    quint64 done = 0;      // answered with an HTTP response, whatever its status
    quint64 failed = 0;    // connection errors, timeouts, unframeable responses
    quint64 cancelled = 0; // in flight when the run was stopped
    quint64 inFlight = 0;
    quint64 connections = 0;   // connections opened
    qint64 elapsedMs = 0;      // since the run started, frozen when it ends
    double achievedRate = 0.0; // done per second of elapsed time
    quint64 targetTotal = 0;   // 0: until stopped
};

struct BackendShare
{
    QString backend; // empty: responses without a backend header, and failures
    quint64 count = 0;
    double sharePercent = 0.0; // of all answered and failed requests
    quint64 status2xx = 0;
    quint64 status3xx = 0;
    quint64 status4xx = 0;
    quint64 status5xx = 0;
    quint64 failures = 0;
    double p50Ms = 0.0; // over responses; 0 when there are none
    double p99Ms = 0.0;
};

class TrafficResults
{
public:
    static constexpr qsizetype DefaultCapacity = 100'000;

    explicit TrafficResults(qsizetype capacity = DefaultCapacity);
    ~TrafficResults();
    Q_DISABLE_COPY_MOVE(TrafficResults)

    // Writer side, the generator's thread.
    void begin(std::optional<quint64> targetTotal); // empties everything but the cursor
    void noteSent();
    void noteConnectionOpened();
    void record(TrafficResult result);
    void noteCancelled(quint64 count);
    void finish();

    // Reader side, any thread.
    TrafficProgress progress() const;
    // Results recorded after cursor, oldest first, at most max; returns the new cursor. Cursors
    // count results over the object's whole life, so a reader's cursor stays valid across runs.
    quint64 resultsAfter(quint64 cursor, QList<TrafficResult> *out, qsizetype max = DefaultCapacity) const;
    // One row per backend in order of first appearance.
    QList<BackendShare> distribution() const;

private:
    struct BackendStats;

    qint64 elapsedNsLocked() const;

    const qsizetype m_capacity;
    QElapsedTimer m_clock; // started once; only read afterwards, so any thread may
    mutable QMutex m_mutex;
    TrafficProgress m_counters;
    qint64 m_startNs = -1;
    qint64 m_endNs = -1;
    QList<TrafficResult> m_ring;
    qsizetype m_head = 0; // the oldest result once the ring is full
    quint64 m_lastId = 0;
    std::vector<std::unique_ptr<BackendStats>> m_backends;
};

} // namespace lbscope
