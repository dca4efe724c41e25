#include "balancing/hashbalancer.h"

#include <zlib.h>

namespace lbscope {

namespace {

quint32 crc32Of(QByteArrayView prefix, QByteArrayView key)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(prefix.data()), uInt(prefix.size()));
    crc = crc32(crc, reinterpret_cast<const Bytef *>(key.data()), uInt(key.size()));
    return quint32(crc);
}

} // namespace

Peer *HashBalancer::pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision)
{
    PeerList &list = *selection.list;
    decision.key = input.hashKey.toByteArray();
    if (selection.roundRobinFallback || list.peers.size() < 2 || input.hashKey.isEmpty())
        return pickWeighted(selection, nowSecs, decision);

    for (;;) {
        const QByteArray prefix = selection.rehash > 0 ? QByteArray::number(selection.rehash) : QByteArray();
        selection.hash += (crc32Of(prefix, input.hashKey) >> 16) & 0x7fff;
        ++selection.rehash;
        Peer &candidate = peerAtWeight(list, selection.hash % quint32(list.totalWeight));
        if (isEligible(candidate, selection, nowSecs, &decision)) {
            decision.hash = selection.hash;
            decision.rehashes = selection.rehash - 1;
            return &candidate;
        }
        if (++selection.methodTries > 20)
            return fallBackToRoundRobin(selection, nowSecs, decision);
    }
}

} // namespace lbscope
