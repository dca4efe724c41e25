#include "access/accessrules.h"

#include "access/nginxaddress.h"

using namespace Qt::StringLiterals;

namespace lbscope {

std::optional<AccessRules> AccessRules::compile(const QList<AccessRule> &rules, QString *error)
{
    AccessRules compiled;
    for (const AccessRule &rule : rules) {
        if (rule.address == "all"_L1) {
            compiled.m_ipv4.append({rule.deny, std::nullopt});
            compiled.m_ipv6.append({rule.deny, std::nullopt});
            continue;
        }
        // A rule for clients on a unix socket: LB Scope listens on TCP only, so none ever comes.
        if (rule.address == "unix:"_L1)
            continue;
        const std::optional<Cidr> network = Cidr::parse(rule.address.toLatin1());
        if (!network) {
            *error = rule.source.file + u':' + QString::number(rule.source.line) +
                     u": invalid parameter \"%1\""_s.arg(rule.address);
            return std::nullopt;
        }
        (network->family() == Cidr::Family::Ipv4 ? compiled.m_ipv4 : compiled.m_ipv6).append({rule.deny, network});
    }
    return compiled;
}

bool AccessRules::allows(const QHostAddress &client) const
{
    const auto decide = [](const QList<Rule> &rules, const auto &matches) {
        for (const Rule &rule : rules) {
            if (!rule.network || matches(*rule.network))
                return !rule.deny;
        }
        return true;
    };
    // An IPv4-mapped IPv6 client meets the IPv4 rules when there are any, else the IPv6 ones.
    const std::optional<quint32> ipv4 = nginx::ipv4Of(client);
    if (ipv4 && (client.protocol() == QAbstractSocket::IPv4Protocol || !m_ipv4.isEmpty()))
        return decide(m_ipv4, [&](const Cidr &network) { return network.containsIpv4(*ipv4); });
    if (client.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR ipv6 = client.toIPv6Address();
        return decide(m_ipv6, [&](const Cidr &network) { return network.containsIpv6(ipv6); });
    }
    return true;
}

} // namespace lbscope
