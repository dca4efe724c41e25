#include "listenports.h"

#include <optional>

namespace lbscope {

namespace {

QHostAddress addressOf(const ListenAddress &listen)
{
    // As the engine binds them (routing.cpp, listenAddress): a bare port on loopback.
    if (listen.host.isEmpty())
        return QHostAddress(QHostAddress::LocalHost);
    const QHostAddress address(listen.host);
    return address.isNull() ? QHostAddress(QHostAddress::LocalHost) : address; // "localhost"
}

// The engine's listeners in the order it opens them: each distinct address and port, as the
// server blocks name them. Engine::listeningAddresses() lists them in the same order.
BoundAddresses configuredListeners(const ProxyConfig &config)
{
    BoundAddresses keys;
    for (const ServerConfig &server : config.servers) {
        if (server.listens.isEmpty() && !keys.contains({QHostAddress(QHostAddress::LocalHost), quint16(80)}))
            keys.append({QHostAddress(QHostAddress::LocalHost), quint16(80)});
        for (const ListenAddress &listen : server.listens) {
            const QPair<QHostAddress, quint16> key{addressOf(listen), listen.port};
            if (!keys.contains(key))
                keys.append(key);
        }
    }
    return keys;
}

// The port a port-0 listen of `running` on this address is bound to.
std::optional<quint16> boundPortFor(const QHostAddress &address, const BoundAddresses &keys,
                                    const BoundAddresses &bound)
{
    const qsizetype index = keys.indexOf({address, quint16(0)});
    if (index < 0 || keys.size() != bound.size())
        return std::nullopt;
    return bound[index].second;
}

} // namespace

ProxyConfig withBoundPorts(const ProxyConfig &running, const BoundAddresses &bound)
{
    ProxyConfig shown = running;
    const BoundAddresses keys = configuredListeners(running);
    for (ServerConfig &server : shown.servers) {
        for (ListenAddress &listen : server.listens) {
            if (listen.port != 0)
                continue;
            if (const auto port = boundPortFor(addressOf(listen), keys, bound))
                listen.port = *port;
        }
    }
    return shown;
}

void keepBoundListeners(ProxyConfig *edited, const ProxyConfig &running, const BoundAddresses &bound)
{
    const BoundAddresses keys = configuredListeners(running);
    for (ServerConfig &server : edited->servers) {
        for (ListenAddress &listen : server.listens) {
            const QHostAddress address = addressOf(listen);
            if (boundPortFor(address, keys, bound) == listen.port)
                listen.port = 0;
        }
    }
}

} // namespace lbscope
