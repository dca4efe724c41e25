#include "proxy/responseheadfilter.h"

#include "http/headers.h"
#include "http/uri.h"
#include "variables/valuetemplate.h"
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
            return absoluteRedirect(m_context, *location);
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

QByteArray absoluteRedirect(const RequestContext &context, QByteArrayView location)
{
    QByteArray out("http://");
    QByteArray hostHeader;
    context.requestHeaders.appendFirst("host", hostHeader);
    const QByteArrayView hostValue = trimmed(hostHeader);
    if (!hostValue.isEmpty()) {
        appendHostName(out, hostValue);
    } else if (context.serverAddr.contains(':')) {
        out.append('[');
        out.append(context.serverAddr);
        out.append(']');
    } else {
        out.append(context.serverAddr);
    }
    if (context.serverPort != 80) {
        out.append(':');
        out.append(QByteArray::number(context.serverPort));
    }
    out.append(location);
    return out;
}

} // namespace lbscope
