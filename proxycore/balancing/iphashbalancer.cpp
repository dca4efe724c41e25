#include "balancing/iphashbalancer.h"

namespace lbscope {

// nginx hashes an IPv6 address whole, an IPv4-mapped one (::ffff:a.b.c.d, as realip may take
// from a header) and :: included. A dual-stack socket's IPv4 peers, which nginx's IPv4 socket
// would see as IPv4, are unwrapped where they are accepted (ClientAddress::setPeer).
QByteArray IpHashBalancer::keyBytes(const QHostAddress &client)
{
    if (client.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = client.toIPv4Address();
        const char octets[3] = {char(v4 >> 24), char(v4 >> 16), char(v4 >> 8)};
        return QByteArray(octets, 3);
    }
    if (client.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR v6 = client.toIPv6Address();
        return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
    }
    return QByteArray(3, '\0'); // no IP address: every such client hashes alike
}

Peer *IpHashBalancer::pickFromList(PeerSelection &selection, const PickInput &input, qint64 nowSecs, Decision &decision)
{
    PeerList &list = *selection.list;
    if (selection.roundRobinFallback || list.peers.size() < 2)
        return pickWeighted(selection, nowSecs, decision);

    const QByteArray key = keyBytes(input.client);
    if (!selection.hashStarted) {
        selection.hash = 89;
        selection.hashStarted = true;
    }
    for (int i = 0; i < key.size(); ++i)
        decision.key.append((i ? "." : "") + QByteArray::number(quint8(key[i])));
    for (;;) {
        for (char byte : key)
            selection.hash = (selection.hash * 113 + quint8(byte)) % 6271;
        Peer &candidate = peerAtWeight(list, selection.hash % quint32(list.totalWeight));
        if (isEligible(candidate, selection, nowSecs, &decision)) {
            decision.hash = selection.hash;
            return &candidate;
        }
        ++decision.rehashes;
        if (++selection.methodTries > 20)
            return fallBackToRoundRobin(selection, nowSecs, decision);
    }
}

} // namespace lbscope
