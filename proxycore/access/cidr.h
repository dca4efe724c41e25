#pragma once

// An address or a network as nginx writes one in allow, deny and set_real_ip_from
// ("10.0.0.0/8", "192.168.1.7", "2001:db8::/32"), read by nginx's ngx_ptocidr rather than by
// QHostAddress::parseSubnet, whose grammar differs ("10/8" and netmask forms are accepted
// there, "1..2.3/24" and "/08" here).

#include <QByteArrayView>
#include <QHostAddress>

#include <optional>

namespace lbscope {

class Cidr
{
public:
    enum class Family {
        Ipv4,
        Ipv6
    };

    // nullopt where nginx says `invalid parameter`. *lowBitsSet tells that the address had
    // bits beyond the prefix ("10.0.0.1/8"), which nginx drops with a warning.
    static std::optional<Cidr> parse(QByteArrayView text, bool *lowBitsSet = nullptr);
    // One address exactly (a set_real_ip_from host name's addresses).
    static Cidr single(const QHostAddress &address);

    Family family() const { return m_family; }
    bool containsIpv4(quint32 address) const; // host order
    bool containsIpv6(const Q_IPV6ADDR &address) const;

private:
    Family m_family = Family::Ipv4;
    quint32 m_ipv4 = 0;
    quint32 m_ipv4Mask = 0;
    Q_IPV6ADDR m_ipv6{};
    Q_IPV6ADDR m_ipv6Mask{};
};

} // namespace lbscope
