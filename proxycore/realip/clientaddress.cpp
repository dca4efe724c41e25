#include "realip/clientaddress.h"

#include "proxy/socketclose.h"

namespace lbscope {

void ClientAddress::setPeer(const QHostAddress &address, quint16 port)
{
    // An IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is what nginx's IPv4 socket sees.
    const std::optional<quint32> mapped =
        address.protocol() == QAbstractSocket::IPv6Protocol ? nginx::ipv4Of(address) : std::nullopt;
    m_peer = mapped ? QHostAddress(*mapped) : address;
    m_peerPort = port;
    m_peerAddressText = lbscope::addressText(m_peer);
    m_peerPortText = QByteArray::number(port);
    endRequest();
}

void ClientAddress::applyRealIp(const RealIpResolver &rules, const MessageParser &request, const char *base)
{
    if (m_replaced || !rules.isEnabled())
        return;
    const std::optional<nginx::AddressAndPort> client = rules.resolve(m_peer, request, base);
    if (!client)
        return;
    m_replaced = true;
    m_address = client->address;
    m_port = client->port;
    m_addressText = nginx::formatAddress(client->address);
    m_portText = client->port != 0 ? QByteArray::number(client->port) : QByteArray();
}

void ClientAddress::describe(AccessRecord &record) const
{
    record.clientAddress = m_addressText;
    record.clientPort = m_port;
    if (m_replaced) {
        record.peerAddress = m_peerAddressText;
        record.peerPort = m_peerPort;
    }
}

void ClientAddress::endRequest()
{
    m_replaced = false;
    m_address = m_peer;
    m_port = m_peerPort;
    m_addressText = m_peerAddressText;
    m_portText = m_peerPortText;
}

} // namespace lbscope
