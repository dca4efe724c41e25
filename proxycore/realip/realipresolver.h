#pragma once

// The realip module (set_real_ip_from, real_ip_header, real_ip_recursive) compiled for the
// hot path: which header to read and whom to trust. resolve() walks a header the way nginx
// 1.22's ngx_http_get_forwarded_addr does: from the right, while the address it stands at is
// trusted, the X-Forwarded-For lines from the last to the first, and stops at a word it cannot
// read as an address (keeping what it had).

#include "access/cidr.h"
#include "access/nginxaddress.h"
#include "config/proxyconfig.h"
#include "http/messageparser.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>

#include <optional>

namespace lbscope {

class RealIpResolver
{
public:
    enum class Source {
        XRealIp,       // the first X-Real-IP line
        XForwardedFor, // every X-Forwarded-For line, as one list
        ProxyProtocol, // the PROXY protocol's address, which LB Scope never has
        Header,        // the first line of any other name
    };

    // nullopt with *error (FILE:LINE: message) when a set_real_ip_from host name has no address.
    static std::optional<RealIpResolver> compile(const ResolvedLocation &settings, QString *error);

    // No set_real_ip_from at this level: nginx's realip handler declines at once.
    bool isEnabled() const { return m_enabled; }
    Source source() const { return m_source; }

    // The client's address from the request's header, when the peer is trusted and the header
    // gives one; nullopt leaves the connection's address in place.
    std::optional<nginx::AddressAndPort> resolve(const QHostAddress &peer, const MessageParser &request,
                                                 const char *base) const;
    // The same, from the header lines' values in the order they came.
    std::optional<nginx::AddressAndPort> resolve(const QHostAddress &peer, const QList<QByteArrayView> &values) const;

private:
    enum class Walk {
        Declined, // nothing taken: the address it started from was not trusted or not readable
        Done,     // an address taken, and a word before it stopped the walk
        Whole,    // an address taken at the line's first word
    };

    Walk walk(QByteArrayView value, nginx::AddressAndPort *client) const;
    bool trusts(const QHostAddress &address) const;

    bool m_enabled = false;
    Source m_source = Source::XRealIp;
    QByteArray m_headerName; // lower case, for Source::Header
    bool m_recursive = false;
    QList<Cidr> m_trusted;
};

} // namespace lbscope
