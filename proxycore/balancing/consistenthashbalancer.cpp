#include "balancing/consistenthashbalancer.h"

#include <QtEndian>

#include <algorithm>
#include <zlib.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

uLong crc32Update(uLong crc, QByteArrayView bytes)
{
    return crc32(crc, reinterpret_cast<const Bytef *>(bytes.data()), uInt(bytes.size()));
}

// nginx splits the server text into host and port ("unix:" paths and port-less names have
// an empty port, not "80"), and hashes host, a NUL byte and port.
QByteArray pointBase(const QString &serverText)
{
    QString host = serverText;
    QString port;
    if (!serverText.startsWith("unix:"_L1, Qt::CaseInsensitive)) {
        const auto colon = serverText.lastIndexOf(u':');
        const QStringView digits = colon >= 0 ? QStringView(serverText).sliced(colon + 1) : QStringView();
        if (colon >= 0 && !digits.isEmpty() &&
            std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); })) {
            host = serverText.left(colon);
            port = digits.toString();
        }
    } else {
        host = serverText.mid(5);
    }
    return host.toUtf8() + '\0' + port.toUtf8();
}

} // namespace

ConsistentHashBalancer::ConsistentHashBalancer(const PeerGroup &group)
{
    for (const Peer &peer : group.primary.peers) {
        const auto firstOfLine =
            std::find_if(group.primary.peers.cbegin(), group.primary.peers.cend(),
                         [&](const Peer &candidate) { return candidate.serverText == peer.serverText; });
        if (firstOfLine->index != peer.index)
            continue; // a name with several addresses: points per server line, as nginx has them
        const uLong base = crc32Update(crc32(0L, Z_NULL, 0), pointBase(peer.serverText));
        quint32 previous = 0;
        for (int i = 0; i < peer.weight * 160; ++i) {
            const quint32 littleEndian = qToLittleEndian(previous);
            const auto hash =
                quint32(crc32Update(base, QByteArrayView(reinterpret_cast<const char *>(&littleEndian), 4)));
            m_points.append({hash, peer.index});
            previous = hash;
        }
    }
    std::stable_sort(m_points.begin(), m_points.end(),
                     [](const RingPoint &a, const RingPoint &b) { return a.hash < b.hash; });
    // Equal points keep one server; nginx leaves which one to qsort, so any choice is nginx's.
    m_points.erase(std::unique(m_points.begin(), m_points.end(),
                               [](const RingPoint &a, const RingPoint &b) { return a.hash == b.hash; }),
                   m_points.end());
}

void ConsistentHashBalancer::addMethodState(BalancerStateSnapshot &snapshot) const
{
    snapshot.consistent = true;
    snapshot.ring = m_points;
}

Peer *ConsistentHashBalancer::pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs,
                                           Decision &decision)
{
    PeerList &list = *selection.list;
    decision.consistent = true;
    decision.key = input.hashKey.toByteArray();
    if (selection.roundRobinFallback || list.peers.size() < 2 || input.hashKey.isEmpty() || m_points.isEmpty())
        return pickWeighted(selection, nowSecs, decision);

    const auto keyHash = quint32(crc32Update(crc32(0L, Z_NULL, 0), input.hashKey));
    decision.hash = keyHash;
    if (!selection.hashStarted) {
        const auto first = std::lower_bound(m_points.cbegin(), m_points.cend(), keyHash,
                                            [](const RingPoint &point, quint32 hash) { return point.hash < hash; });
        selection.hash = quint32(first - m_points.cbegin()); // one past the end wraps to 0 below
        selection.hashStarted = true;
    }
    for (;;) {
        const qsizetype index = selection.hash % quint32(m_points.size());
        const RingPoint &point = m_points[index];
        const QString &server = list.peers[point.peer].serverText;
        // Smooth weighted round robin among the eligible peers of that server line (a name
        // with several addresses has one peer per address).
        Peer *best = nullptr;
        int total = 0;
        for (Peer &peer : list.peers) {
            if (peer.serverText != server || !isEligible(peer, selection, nowSecs, &decision))
                continue;
            noteEffectiveWeight(decision, list.peers, peer, addEffectiveWeight(peer, total));
            if (!best || peer.state->currentWeight > best->state->currentWeight)
                best = &peer;
        }
        if (best) {
            best->state->currentWeight -= total;
            decision.point = int(index);
            decision.pointHash = point.hash;
            return best;
        }
        ++selection.hash;
        ++decision.rehashes;
        if (++selection.methodTries > 20)
            return fallBackToRoundRobin(selection, nowSecs, decision);
    }
}

} // namespace lbscope
