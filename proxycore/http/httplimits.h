#pragma once

#include <QtGlobal>

namespace lbscope {

// Request head limits. nginx's defaults (large_client_header_buffers 4 8k) give the same
// numbers; where nginx answers 400 for an oversized header we answer 431 (RFC 6585).
struct HeadLimits
{
    qsizetype maxRequestLine = 8192; // including CRLF; over it: 414
    qsizetype maxHeaderLine = 8192;  // including CRLF; over it: 431
    qsizetype maxHead = 4 * 8192;    // the whole head; over it: 431
    int maxHeaders = 1000;           // header lines; over it: 431
};

// Why a message could not be framed, and the status code a client is answered with.
enum class HttpFailure {
    None,
    BadRequest,          // 400: malformed, ambiguous framing, HTTP/1.1 without Host
    MethodNotAllowed,    // 405: TRACE, CONNECT
    LengthRequired,      // 411: a chunked body that the upstream protocol cannot carry
    BodyTooLarge,        // 413
    UriTooLong,          // 414
    HeaderTooLarge,      // 431
    NotImplemented,      // 501: a Transfer-Encoding other than chunked
    VersionNotSupported, // 505
    UpstreamInvalid,     // 502: the upstream's response cannot be framed
};

int statusForFailure(HttpFailure failure);

} // namespace lbscope
