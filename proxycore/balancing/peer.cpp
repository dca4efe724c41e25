#include "balancing/peer.h"

#include <QHostInfo>
#include <QMultiHash>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QByteArray peerName(const QHostAddress &address, quint16 port)
{
    const QString host =
        address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    return (host + u':' + QString::number(port)).toLatin1();
}

QList<QHostAddress> resolve(const QString &host, QString *error)
{
    QHostAddress literal;
    if (literal.setAddress(host))
        return {literal};
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        *error = u"host not found in upstream \"%1\""_s.arg(host);
        return {};
    }
    return info.addresses();
}

void addPeers(PeerList &list, const UpstreamServer &server, const QList<QHostAddress> &addresses)
{
    for (const QHostAddress &address : addresses) {
        Peer peer;
        peer.index = int(list.peers.size());
        peer.name = peerName(address, server.port);
        peer.serverText = server.address;
        peer.address = address;
        peer.port = server.port;
        peer.weight = server.weight;
        peer.maxConns = server.maxConns;
        peer.maxFails = server.maxFails;
        peer.failTimeoutSecs = server.failTimeoutMs / 1000;
        peer.down = server.down;
        peer.draining = server.draining;
        peer.state = std::make_shared<PeerLiveState>(PeerLiveState{server.weight, 0, 0, 0, 0, 0});
        list.totalWeight += peer.weight;
        if (!peer.down)
            ++list.tries;
        list.peers.append(peer);
    }
}

} // namespace

bool PeerGroup::build(const UpstreamConfig &config, PeerGroup *group, QString *error)
{
    *group = PeerGroup{};
    group->upstreamName = config.name;
    for (const UpstreamServer &server : config.servers) {
        const QList<QHostAddress> addresses = resolve(server.host, error);
        if (addresses.isEmpty())
            return false;
        addPeers(server.backup ? group->backup : group->primary, server, addresses);
    }
    group->single = group->primary.peers.size() == 1 && group->backup.isEmpty();
    auto names = std::make_shared<PeerNames>();
    for (const Peer &peer : std::as_const(group->primary.peers))
        names->primary.append(peer.name);
    for (const Peer &peer : std::as_const(group->backup.peers))
        names->backup.append(peer.name);
    group->names = std::move(names);
    return true;
}

void PeerGroup::makeStatesOwn()
{
    for (PeerList *list : {&primary, &backup}) {
        for (Peer &peer : list->peers)
            peer.state = std::make_shared<PeerLiveState>(PeerLiveState{peer.weight, 0, 0, 0, 0, 0});
    }
    if (names)
        names = std::make_shared<const PeerNames>(*names);
}

void PeerGroup::adoptStates(const PeerGroup &previous)
{
    makeStatesOwn();
    // By address, each old peer at most once (two server lines may resolve to one address).
    QMultiHash<QByteArray, const Peer *> old;
    for (const PeerList *list : {&previous.backup, &previous.primary}) {
        for (auto peer = list->peers.crbegin(); peer != list->peers.crend(); ++peer)
            old.insert(peer->name, &*peer);
    }
    for (PeerList *list : {&primary, &backup}) {
        for (Peer &peer : list->peers) {
            const auto found = old.find(peer.name);
            if (found == old.end())
                continue;
            const Peer *before = *found;
            old.erase(found);
            peer.state = before->state;
            if (before->weight != peer.weight) {
                peer.state->currentWeight = 0;
                peer.state->effectiveWeight = peer.weight;
            }
        }
    }
}

bool PeerGroup::buildImplicit(const QString &host, quint16 port, PeerGroup *group, QString *error)
{
    UpstreamConfig config;
    config.name = host + u':' + QString::number(port);
    UpstreamServer server;
    server.address = config.name;
    server.host = host;
    server.port = port;
    config.servers.append(server);
    return build(config, group, error);
}

void PeerSelection::start(PeerGroup &peerGroup, int nextUpstreamTries)
{
    group = &peerGroup;
    list = &peerGroup.primary;
    onBackup = false;
    current = nullptr;
    hash = 0;
    rehash = 0;
    methodTries = 0;
    hashStarted = false;
    roundRobinFallback = false;
    triesLeft = peerGroup.single ? 1 : peerGroup.primary.tries + peerGroup.backup.tries;
    if (nextUpstreamTries > 0)
        triesLeft = std::min(triesLeft, nextUpstreamTries);
    clearTried();
}

void PeerSelection::switchToBackup()
{
    list = &group->backup;
    onBackup = true;
    clearTried();
}

void PeerSelection::clearTried()
{
    const auto words = std::max<qsizetype>(1, (list->peers.size() + 63) / 64);
    m_tried.resize(words);
    std::fill(m_tried.begin(), m_tried.end(), 0);
}

} // namespace lbscope
