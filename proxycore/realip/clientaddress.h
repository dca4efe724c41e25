#pragma once

// Who the client is for one request: the connection's peer, or the address the realip module
// took from a header for this request. ip_hash, allow/deny, $remote_addr, $remote_port and the
// access record see the second; $realip_remote_addr and $realip_remote_port keep the first.
// As in nginx, the replacement lasts for its request only.

#include "realip/realipresolver.h"
#include "stats/accesslog.h"

#include <QByteArray>
#include <QHostAddress>

namespace lbscope {

class ClientAddress
{
public:
    // At accept.
    void setPeer(const QHostAddress &address, quint16 port);

    // nginx runs realip in the post-read phase with the server's settings and again in the
    // preaccess phase with the location's; the first that finds an address decides.
    void applyRealIp(const RealIpResolver &rules, const MessageParser &request, const char *base);
    // The next request on the connection starts from the peer again.
    void endRequest();

    const QHostAddress &address() const { return m_address; }
    quint16 port() const { return m_port; }                                 // 0: the header gave none
    const QByteArray &addressText() const { return m_addressText; }         // $remote_addr
    const QByteArray &portText() const { return m_portText; }               // $remote_port
    quint16 peerPort() const { return m_peerPort; }
    const QByteArray &peerAddressText() const { return m_peerAddressText; } // $realip_remote_addr
    const QByteArray &peerPortText() const { return m_peerPortText; }       // $realip_remote_port
    bool isReplaced() const { return m_replaced; }
    // The access record's client, and its peer when realip replaced it.
    void describe(AccessRecord &record) const;

private:
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    QByteArray m_peerAddressText;
    QByteArray m_peerPortText;

    QHostAddress m_address;
    quint16 m_port = 0;
    QByteArray m_addressText;
    QByteArray m_portText;
    bool m_replaced = false;
};

} // namespace lbscope
