#include "stats/peercounters.h"

#include <algorithm>

namespace lbscope {

PeerCounterTable::~PeerCounterTable()
{
    for (std::atomic<PeerCounters *> &block : m_blocks)
        delete[] block.load();
}

void PeerCounterTable::ensure(int count)
{
    const int blocks = std::min((count + BlockSize - 1) / BlockSize, MaxBlocks);
    for (int i = 0; i < blocks; ++i) {
        if (!m_blocks[std::size_t(i)].load())
            m_blocks[std::size_t(i)].store(new PeerCounters[BlockSize]);
    }
}

void WorkerCounters::countClientError(int status)
{
    const auto found = std::find(ClientErrorCodes.cbegin(), ClientErrorCodes.cend(), status);
    if (found != ClientErrorCodes.cend())
        bump(clientErrors[std::size_t(found - ClientErrorCodes.cbegin())]);
}

} // namespace lbscope
