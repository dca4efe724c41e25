#pragma once

// IP addresses as nginx 1.22 reads and prints them, for allow/deny, set_real_ip_from and the
// addresses the realip module takes from request headers. nginx has its own grammar, looser
// than inet_pton in places ("1..2.3" is 1.0.2.3, "1.2.3." is 1.2.3.0, ":1::2" is 1::2) and
// stricter in others ("1.2.3", "fe80::1%eth0" and "1:2:3:4:5:6:7::" are refused): a header
// that picks one client in nginx must pick the same one here, so the grammar is nginx's.

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>

#include <optional>

namespace lbscope::nginx {

// ngx_inet_addr: four decimal octets of at most 255, empty octets counting as 0. Host order.
std::optional<quint32> parseIpv4(QByteArrayView text);

// ngx_inet6_addr: hex groups, one "::", an optional dotted IPv4 tail, one leading ':' skipped.
std::optional<Q_IPV6ADDR> parseIpv6(QByteArrayView text);

// ngx_parse_addr: IPv4 first, then IPv6.
std::optional<QHostAddress> parseAddress(QByteArrayView text);

struct AddressAndPort
{
    QHostAddress address;
    quint16 port = 0; // 0: none was written
};

// ngx_parse_addr_port: an address, "a.b.c.d:PORT" or "[v6]:PORT" with PORT from 1 to 65535.
std::optional<AddressAndPort> parseAddressAndPort(QByteArrayView text);

// ngx_sock_ntop without the port: dotted IPv4; IPv6 in lower-case hex with the first longest
// run of two or more zero groups as "::", and a dotted tail for ::a.b.c.d and ::ffff:a.b.c.d.
QByteArray formatAddress(const QHostAddress &address);

// The IPv4 address of an IPv4 client, or of an IPv4-mapped IPv6 one (::ffff:a.b.c.d), which
// nginx matches against IPv4 rules. Host order.
std::optional<quint32> ipv4Of(const QHostAddress &address);

} // namespace lbscope::nginx
