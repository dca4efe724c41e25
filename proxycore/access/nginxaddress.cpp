#include "access/nginxaddress.h"

#include <algorithm>
#include <cstring>

namespace lbscope::nginx {

namespace {

std::optional<int> hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    const char lower = char(c | 0x20);
    if (lower >= 'a' && lower <= 'f')
        return lower - 'a' + 10;
    return std::nullopt;
}

// ngx_atoi for a port: digits only, at least one; leading zeros are fine ("0080" is 80).
std::optional<int> parsePort(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = std::min(value * 10 + (c - '0'), 1'000'000); // past 65535 only "too large" matters
    }
    return value;
}

} // namespace

std::optional<quint32> parseIpv4(QByteArrayView text)
{
    quint32 address = 0;
    quint32 octet = 0;
    int dots = 0;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            octet = octet * 10 + quint32(c - '0');
            if (octet > 255)
                return std::nullopt;
        } else if (c == '.') {
            address = (address << 8) + octet;
            octet = 0;
            ++dots;
        } else {
            return std::nullopt;
        }
    }
    if (dots != 3)
        return std::nullopt;
    return (address << 8) + octet;
}

std::optional<Q_IPV6ADDR> parseIpv6(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    Q_IPV6ADDR result;
    std::memset(result.c, 0, sizeof result.c);
    int written = 0;           // bytes of result filled, left to right
    int groupsLeft = 8;        // 16-bit groups still to come
    int zeroRunAt = -1;        // where "::" stood, as a byte offset into result
    qsizetype groupStart = -1; // just after the last ':', where a dotted tail would begin
    int digits = 0;
    quint32 group = 0;
    qsizetype i = text.front() == ':' ? 1 : 0; // ":1::2" reads as "1::2", as in nginx
    const auto put = [&](quint32 value) {
        result.c[written++] = quint8(value >> 8);
        result.c[written++] = quint8(value);
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ':') {
            if (digits > 0) {
                groupStart = i + 1;
                put(group);
                if (--groupsLeft == 0)
                    return std::nullopt;
                digits = 0;
                group = 0;
                continue;
            }
            if (zeroRunAt >= 0)
                return std::nullopt; // a second "::"
            groupStart = i + 1;
            zeroRunAt = written;
            continue;
        }
        if (c == '.' && digits > 0) {
            // A dotted IPv4 tail takes the last two groups.
            if (groupsLeft < 2 || groupStart < 0)
                return std::nullopt;
            const std::optional<quint32> ipv4 = parseIpv4(text.sliced(groupStart));
            if (!ipv4)
                return std::nullopt;
            put(*ipv4 >> 16);
            --groupsLeft;
            group = *ipv4 & 0xffff;
            break;
        }
        if (++digits > 4)
            return std::nullopt;
        const std::optional<int> value = hexDigit(c);
        if (!value)
            return std::nullopt;
        group = group * 16 + quint32(*value);
    }
    if (digits == 0 && zeroRunAt < 0)
        return std::nullopt;
    put(group);
    --groupsLeft;
    if (groupsLeft == 0)
        return zeroRunAt < 0 ? std::optional<Q_IPV6ADDR>(result) : std::nullopt;
    if (zeroRunAt < 0)
        return std::nullopt;
    // Move what followed "::" to the end; the gap is zeros.
    const int gap = groupsLeft * 2;
    std::memmove(result.c + zeroRunAt + gap, result.c + zeroRunAt, size_t(written - zeroRunAt));
    std::memset(result.c + zeroRunAt, 0, size_t(gap));
    return result;
}

std::optional<QHostAddress> parseAddress(QByteArrayView text)
{
    if (const std::optional<quint32> ipv4 = parseIpv4(text))
        return QHostAddress(*ipv4);
    if (const std::optional<Q_IPV6ADDR> ipv6 = parseIpv6(text))
        return QHostAddress(*ipv6);
    return std::nullopt;
}

std::optional<AddressAndPort> parseAddressAndPort(QByteArrayView text)
{
    if (const std::optional<QHostAddress> address = parseAddress(text))
        return AddressAndPort{*address, 0};
    QByteArrayView host;
    QByteArrayView port;
    if (!text.isEmpty() && text.front() == '[') {
        const qsizetype close = text.indexOf(']');
        if (close < 0 || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.sliced(1, close - 1);
        port = text.sliced(close + 2);
    } else {
        const qsizetype colon = text.indexOf(':');
        if (colon < 0)
            return std::nullopt;
        host = text.first(colon);
        port = text.sliced(colon + 1);
    }
    const std::optional<int> number = parsePort(port);
    if (!number || *number < 1 || *number > 65535)
        return std::nullopt;
    const std::optional<QHostAddress> address = parseAddress(host);
    if (!address)
        return std::nullopt;
    return AddressAndPort{*address, quint16(*number)};
}

QByteArray formatAddress(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = address.toIPv4Address();
        return QByteArray::number(v4 >> 24) + '.' + QByteArray::number((v4 >> 16) & 0xff) + '.' +
               QByteArray::number((v4 >> 8) & 0xff) + '.' + QByteArray::number(v4 & 0xff);
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address.toString().toLatin1();
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    const auto groupAt = [&](int index) { return quint32(bytes.c[2 * index]) << 8 | bytes.c[2 * index + 1]; };
    // The first longest run of zero groups, if it is two groups or more.
    int runStart = -1;
    int runLength = 1;
    for (int i = 0; i < 8;) {
        if (groupAt(i) != 0) {
            ++i;
            continue;
        }
        int end = i;
        while (end < 8 && groupAt(end) == 0)
            ++end;
        if (end - i > runLength) {
            runStart = i;
            runLength = end - i;
        }
        i = end;
    }
    // nginx prints the last 32 bits dotted for ::ffff:a.b.c.d and for ::a.b.c.d (but not ::1).
    bool dottedTail = false;
    if (runStart == 0) {
        dottedTail = (runLength == 5 && groupAt(5) == 0xffff) || runLength == 6 ||
                     (runLength == 7 && bytes.c[14] != 0 && bytes.c[15] != 1);
    }
    const int groups = dottedTail ? 6 : 8;
    QByteArray text;
    if (runStart == 0)
        text += ':';
    for (int i = 0; i < groups; ++i) {
        if (i == runStart) {
            text += ':';
            i += runLength - 1;
            continue;
        }
        text += QByteArray::number(groupAt(i), 16);
        if (i < 7)
            text += ':';
    }
    if (dottedTail) {
        text += QByteArray::number(bytes.c[12]) + '.' + QByteArray::number(bytes.c[13]) + '.' +
                QByteArray::number(bytes.c[14]) + '.' + QByteArray::number(bytes.c[15]);
    }
    return text;
}

std::optional<quint32> ipv4Of(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return address.toIPv4Address();
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return std::nullopt;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    static const quint8 mappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes.c, mappedPrefix, sizeof mappedPrefix) != 0)
        return std::nullopt;
    return quint32(bytes.c[12]) << 24 | quint32(bytes.c[13]) << 16 | quint32(bytes.c[14]) << 8 | bytes.c[15];
}

} // namespace lbscope::nginx
