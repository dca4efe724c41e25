#include "proxy/responseheadfilter.h"

#include "http/headers.h"
#include "http/uri.h"
#include "http/variables.h"
#include "proxy/routing.h"

#include <algorithm>

namespace lbscope {

bool ResponseHeadFilter::hides(QByteArrayView name) const
{
    const QList<QByteArray> &hidden = m_route.hiddenResponseHeaders;
    return std::any_of(hidden.cbegin(), hidden.cend(),
                       [&](const QByteArray &lower) { return equalsIgnoreCase(lower, name); });
}

std::optional<QByteArray> ResponseHeadFilter::rewritten(QByteArrayView name, QByteArrayView value) const
{
    if (m_route.redirect.isEmpty() || value.isEmpty())
        return std::nullopt;
    if (equalsIgnoreCase(name, "location")) {
        std::optional<QByteArray> location = m_route.redirect.rewrite(value, 0, m_context);
        if (location && location->startsWith('/'))
            return absolute(*location);
        return location;
    }
    if (equalsIgnoreCase(name, "refresh")) {
        // "5; url=http://..." : the URL after the first "url=", in any case.
        const QByteArray lower = value.toByteArray().toLower();
        const qsizetype url = lower.indexOf("url=");
        if (url < 0)
            return std::nullopt;
        return m_route.redirect.rewrite(value, url + 4, m_context);
    }
    return std::nullopt;
}

// "http://" and the host the client asked for (its Host header without the port, else the
// address it connected to), the port it connected to unless 80, then the path.
QByteArray ResponseHeadFilter::absolute(QByteArrayView location) const
{
    QByteArray out("http://");
    const HeaderSpan *host =
        m_context.request ? findHeader(*m_context.request, m_context.base, "host") : nullptr;
    const QByteArrayView hostValue = host ? trimmed(host->value.in(m_context.base)) : QByteArrayView();
    if (!hostValue.isEmpty()) {
        appendHostName(out, hostValue);
    } else if (m_context.serverAddr.contains(':')) {
        out.append('[');
        out.append(m_context.serverAddr);
        out.append(']');
    } else {
        out.append(m_context.serverAddr);
    }
    if (m_context.serverPort != "80") {
        out.append(':');
        out.append(m_context.serverPort);
    }
    out.append(location);
    return out;
}

} // namespace lbscope
