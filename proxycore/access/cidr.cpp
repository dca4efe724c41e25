#include "access/cidr.h"

#include "access/nginxaddress.h"

namespace lbscope {

namespace {

// ngx_atoi: digits only, at least one, leading zeros allowed.
std::optional<int> parsePrefixLength(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = std::min(value * 10 + (c - '0'), 1000); // anything past 128 is refused alike
    }
    return value;
}

} // namespace

std::optional<Cidr> Cidr::parse(QByteArrayView text, bool *lowBitsSet)
{
    if (lowBitsSet)
        *lowBitsSet = false;
    const qsizetype slash = text.indexOf('/');
    const QByteArrayView address = slash < 0 ? text : text.first(slash);
    Cidr cidr;
    std::optional<int> prefix;
    if (slash >= 0) {
        prefix = parsePrefixLength(text.sliced(slash + 1));
        if (!prefix)
            return std::nullopt;
    }
    if (const std::optional<quint32> ipv4 = nginx::parseIpv4(address)) {
        const int length = prefix.value_or(32);
        if (length > 32)
            return std::nullopt;
        cidr.m_family = Family::Ipv4;
        cidr.m_ipv4Mask = length == 0 ? 0 : ~quint32(0) << (32 - length);
        cidr.m_ipv4 = *ipv4 & cidr.m_ipv4Mask;
        if (lowBitsSet)
            *lowBitsSet = cidr.m_ipv4 != *ipv4;
        return cidr;
    }
    const std::optional<Q_IPV6ADDR> ipv6 = nginx::parseIpv6(address);
    if (!ipv6)
        return std::nullopt;
    int length = prefix.value_or(128);
    if (length > 128)
        return std::nullopt;
    cidr.m_family = Family::Ipv6;
    for (int i = 0; i < 16; ++i) {
        const int bits = std::min(length, 8);
        length -= bits;
        cidr.m_ipv6Mask.c[i] = quint8(0xff00u >> bits);
        cidr.m_ipv6.c[i] = ipv6->c[i] & cidr.m_ipv6Mask.c[i];
        if (lowBitsSet && cidr.m_ipv6.c[i] != ipv6->c[i])
            *lowBitsSet = true;
    }
    return cidr;
}

Cidr Cidr::single(const QHostAddress &address)
{
    Cidr cidr;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        cidr.m_family = Family::Ipv4;
        cidr.m_ipv4 = address.toIPv4Address();
        cidr.m_ipv4Mask = ~quint32(0);
        return cidr;
    }
    cidr.m_family = Family::Ipv6;
    cidr.m_ipv6 = address.toIPv6Address();
    for (quint8 &byte : cidr.m_ipv6Mask.c)
        byte = 0xff;
    return cidr;
}

bool Cidr::containsIpv4(quint32 address) const
{
    return m_family == Family::Ipv4 && (address & m_ipv4Mask) == m_ipv4;
}

bool Cidr::containsIpv6(const Q_IPV6ADDR &address) const
{
    if (m_family != Family::Ipv6)
        return false;
    for (int i = 0; i < 16; ++i) {
        if ((address.c[i] & m_ipv6Mask.c[i]) != m_ipv6.c[i])
            return false;
    }
    return true;
}

} // namespace lbscope
