#pragma once

// The request head LB Scope sends upstream, as nginx's proxy module builds it: the request
// line (proxy_method's method, proxy_pass's URI) in the location's protocol, proxy_set_header's
// fields (defaults merged, an empty value leaves the field out), the body's framing, then the
// client's fields that are not replaced, unless proxy_pass_request_headers is off. With
// proxy_set_body, that body follows the head, with its length.

#include <QByteArray>
#include <QByteArrayView>

namespace lbscope {

class MessageParser;
struct RequestContext;
struct Route;

struct UpstreamRequestHead
{
    enum class BodyFraming {
        None,
        Length,  // Content-Length: bodyLength
        Chunked, // streamed to an HTTP/1.1 upstream as it arrives
    };

    // After an internal redirect (error_page) the request line is not the client's; empty:
    // the client's own.
    QByteArrayView method;
    QByteArrayView target;
    BodyFraming framing = BodyFraming::None;
    quint64 bodyLength = 0;
    qsizetype sizeHint = 0; // the last head's size: one allocation, no slack
    QByteArrayView uri;     // the request line's target (upstreamuri.h); empty: the client's

    struct Result
    {
        QByteArray bytes; // the head, and proxy_set_body's body when there is one
        bool keepAlive = false; // HTTP/1.1 and no "Connection: close" set
    };
    Result build(const MessageParser &request, const char *base, const Route &route,
                 const RequestContext &context) const;
};

} // namespace lbscope
