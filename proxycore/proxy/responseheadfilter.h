#pragma once

// What happens to an upstream response's header fields on their way to the client, per
// location: proxy_hide_header and proxy_pass_header over nginx's hidden defaults (Date,
// Server, X-Pad, X-Accel-*), and proxy_redirect on Location and Refresh. A Location that
// proxy_redirect made relative is sent absolute, as nginx's header filter does
// (absolute_redirect, port_in_redirect on; server_name_in_redirect off).

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace lbscope {

struct RequestContext;
struct Route;

class ResponseHeadFilter
{
public:
    // Both must outlive the filter: it is made for one response head.
    ResponseHeadFilter(const Route &route, const RequestContext &context)
        : m_route(route)
        , m_context(context)
    {
    }

    bool hides(QByteArrayView name) const;
    // The value to send instead of this one; nullopt: as the upstream sent it.
    std::optional<QByteArray> rewritten(QByteArrayView name, QByteArrayView value) const;

private:
    const Route &m_route;
    const RequestContext &m_context;
};

// A Location starting with '/' as nginx's header filter sends it: "http://", the Host the client
// asked for (without its port; else the address it connected to), the port unless 80, the path.
QByteArray absoluteRedirect(const RequestContext &context, QByteArrayView location);

} // namespace lbscope
