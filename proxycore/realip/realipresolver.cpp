#include "realip/realipresolver.h"

#include "http/headers.h"

#include <QHostInfo>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isSeparator(char c)
{
    return c == ' ' || c == ',';
}

QString where(const SourceLocation &source)
{
    return source.file + u':' + QString::number(source.line) + u": "_s;
}

} // namespace

std::optional<RealIpResolver> RealIpResolver::compile(const ResolvedLocation &settings, QString *error)
{
    RealIpResolver resolver;
    resolver.m_enabled = !settings.setRealIpFrom.isEmpty();
    resolver.m_recursive = settings.realIpRecursive;
    // nginx compares these three names exactly; any other spelling is a header name.
    const QString &header = settings.realIpHeader;
    if (header == "X-Real-IP"_L1) {
        resolver.m_source = Source::XRealIp;
    } else if (header == "X-Forwarded-For"_L1) {
        resolver.m_source = Source::XForwardedFor;
    } else if (header == "proxy_protocol"_L1) {
        resolver.m_source = Source::ProxyProtocol;
    } else {
        resolver.m_source = Source::Header;
        resolver.m_headerName = header.toLatin1().toLower();
    }
    for (const RealIpSource &source : settings.setRealIpFrom) {
        // Clients on a unix socket: LB Scope listens on TCP only, so this trusts no one.
        if (source.address == "unix:"_L1)
            continue;
        if (const std::optional<Cidr> network = Cidr::parse(source.address.toLatin1())) {
            resolver.m_trusted.append(*network);
            continue;
        }
        // A host name: its addresses now, as nginx looks them up when it reads the file.
        const QHostInfo info = QHostInfo::fromName(source.address);
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            *error = where(source.source) + u"host not found in set_real_ip_from \"%1\""_s.arg(source.address);
            return std::nullopt;
        }
        for (const QHostAddress &address : info.addresses())
            resolver.m_trusted.append(Cidr::single(address));
    }
    return resolver;
}

std::optional<nginx::AddressAndPort> RealIpResolver::resolve(const QHostAddress &peer, const MessageParser &request,
                                                             const char *base) const
{
    if (!m_enabled || m_source == Source::ProxyProtocol)
        return std::nullopt;
    const QByteArrayView name = m_source == Source::XRealIp         ? QByteArrayView("x-real-ip")
                                : m_source == Source::XForwardedFor ? QByteArrayView("x-forwarded-for")
                                                                    : QByteArrayView(m_headerName);
    QList<QByteArrayView> values;
    for (const HeaderSpan &header : request.headers()) {
        if (!equalsIgnoreCase(header.name.in(base), name))
            continue;
        values.append(trimmed(header.value.in(base)));
        if (m_source != Source::XForwardedFor)
            break; // nginx reads the first line of these
    }
    return resolve(peer, values);
}

std::optional<nginx::AddressAndPort> RealIpResolver::resolve(const QHostAddress &peer,
                                                             const QList<QByteArrayView> &values) const
{
    if (!m_enabled || m_source == Source::ProxyProtocol || values.isEmpty())
        return std::nullopt;
    nginx::AddressAndPort client{peer, 0};
    Walk walked = Walk::Declined;
    bool taken = false;
    // From the last line to the first; a line is only reached when the one after it was
    // trusted all the way to its first word.
    for (qsizetype i = values.size() - 1; i >= 0; --i) {
        walked = walk(values[i], &client);
        if (!m_recursive)
            break;
        if (walked == Walk::Declined && taken) {
            walked = Walk::Done;
            break;
        }
        if (walked != Walk::Whole)
            break;
        taken = true;
    }
    if (walked == Walk::Declined)
        return std::nullopt;
    return client;
}

// One line, from its right end: the last word is the client if the address we stand at is
// trusted; with real_ip_recursive the walk goes on leftwards while each word is trusted.
RealIpResolver::Walk RealIpResolver::walk(QByteArrayView value, nginx::AddressAndPort *client) const
{
    qsizetype length = value.size();
    bool taken = false;
    for (;;) {
        if (!trusts(client->address) || length == 0)
            return taken ? Walk::Done : Walk::Declined;
        // Separators at the end are skipped; the word then runs back to the previous separator,
        // or to the start of the line (whose first character nginx never takes as one).
        qsizetype end = length;
        qsizetype start = length - 1;
        while (start > 0 && isSeparator(value[start])) {
            --start;
            --end;
        }
        while (start > 0 && !isSeparator(value[start]))
            --start;
        if (start > 0)
            ++start;
        const std::optional<nginx::AddressAndPort> parsed =
            nginx::parseAddressAndPort(value.sliced(start, end - start));
        if (!parsed)
            return taken ? Walk::Done : Walk::Declined;
        *client = *parsed;
        taken = true;
        if (!m_recursive || start == 0)
            return Walk::Whole;
        length = start - 1;
    }
}

bool RealIpResolver::trusts(const QHostAddress &address) const
{
    // ngx_cidr_match: an IPv4-mapped IPv6 address is matched as the IPv4 address it holds.
    if (const std::optional<quint32> ipv4 = nginx::ipv4Of(address)) {
        return std::any_of(m_trusted.cbegin(), m_trusted.cend(),
                           [&](const Cidr &network) { return network.containsIpv4(*ipv4); });
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    const Q_IPV6ADDR ipv6 = address.toIPv6Address();
    return std::any_of(m_trusted.cbegin(), m_trusted.cend(),
                       [&](const Cidr &network) { return network.containsIpv6(ipv6); });
}

} // namespace lbscope
