#include "stats/peercounters.h"

#include <algorithm>

namespace lbscope {

PeerCounterTable::~PeerCounterTable()
{
    for (std::atomic<PeerCounters *> &block : m_blocks)
        delete[] block.load();
}

bool PeerCounterTable::ensure(int count)
{
    const int blocks = (std::clamp(count, 0, MaxSlots) + BlockSize - 1) / BlockSize;
    for (int i = 0; i < blocks; ++i) {
        if (!m_blocks[std::size_t(i)].load())
            m_blocks[std::size_t(i)].store(new PeerCounters[BlockSize]);
    }
    return count <= MaxSlots;
}

PeerCounters *PeerCounterTable::find(int slot) const
{
    if (slot < 0 || slot >= MaxSlots)
        return &m_spare;
    PeerCounters *block = m_blocks[std::size_t(slot / BlockSize)].load();
    return block ? block + slot % BlockSize : &m_spare;
}

quint64 PeerFailure::pack(qint64 atMs, FailureKind kind, int status)
{
    return quint64(atMs) << 16 | quint64(std::clamp(status, 0, 0xfff)) << 4 | quint64(kind);
}

PeerFailure PeerFailure::unpack(quint64 packed)
{
    if (packed == 0)
        return {};
    return {qint64(packed >> 16), FailureKind(packed & 0xf), int((packed >> 4) & 0xfff)};
}

void InFlightList::append(InFlightAttempt &attempt, qint64 nowMs)
{
    remove(attempt);
    attempt.startMs = nowMs;
    attempt.list = this;
    attempt.previous = m_tail;
    attempt.next = nullptr;
    if (m_tail) {
        m_tail->next = &attempt;
    } else {
        m_head = &attempt;
        m_oldestStartMs.store(nowMs, std::memory_order_relaxed);
    }
    m_tail = &attempt;
}

void InFlightList::remove(InFlightAttempt &attempt)
{
    InFlightList *list = attempt.list;
    if (!list)
        return;
    if (attempt.previous)
        attempt.previous->next = attempt.next;
    else
        list->m_head = attempt.next;
    if (attempt.next)
        attempt.next->previous = attempt.previous;
    else
        list->m_tail = attempt.previous;
    if (!attempt.previous) // it was the oldest: the next one is now
        list->m_oldestStartMs.store(list->m_head ? list->m_head->startMs : 0, std::memory_order_relaxed);
    attempt = {};
}

void PeerCounters::countResponse(int status)
{
    bump(responses[std::size_t(std::clamp(status / 100, 1, 5) - 1)]);
    if (status >= FirstStatusCode && status < FirstStatusCode + StatusCodeCount)
        bump(statusCodes[std::size_t(status - FirstStatusCode)]);
}

void PeerCounters::countFailure(FailureKind kind, int status, qint64 nowMs)
{
    bump(failures);
    bump(failuresByKind[std::size_t(kind)]);
    lastFailure.store(PeerFailure::pack(nowMs, kind, status), std::memory_order_relaxed);
}

void WorkerCounters::countClientError(int status)
{
    const auto found = std::find(ClientErrorCodes.cbegin(), ClientErrorCodes.cend(), status);
    if (found != ClientErrorCodes.cend())
        bump(clientErrors[std::size_t(found - ClientErrorCodes.cbegin())]);
}

} // namespace lbscope
