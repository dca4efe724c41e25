#pragma once

// Small helpers over header spans: lookups by name, the checks RFC 9112 asks of a request
// before it may be forwarded, and which headers belong to one hop only.

#include "http/messageparser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace lbscope {

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b);
QByteArrayView trimmed(QByteArrayView value);
// nginx's $http_NAME matches a header by name: case-insensitive, '_' for '-'
// ("x_real_ip" matches "X-Real-IP").
bool headerMatchesVariable(QByteArrayView header, QByteArrayView variableName);

// The first header with this name, or nullptr.
const HeaderSpan *findHeader(const MessageParser &parser, const char *base, QByteArrayView name);
int countHeaders(const MessageParser &parser, const char *base, QByteArrayView name);

// Facts about a request head that the proxy needs beyond the framing.
struct RequestFacts
{
    Span host; // Host header value, trimmed; empty if absent
    // The host the server block is chosen by, as nginx checked it (http/requesthost.h):
    // the absolute-form target's, else the Host header's; empty when there is neither.
    QByteArray serverHost;
    bool expectContinue = false;
    bool hasBody = false;
};

// Checks a complete request head (RFC 9112 and nginx's rules): version, Host,
// Transfer-Encoding, Content-Length/Transfer-Encoding conflicts, methods we refuse.
HttpFailure checkRequestHead(const MessageParser &parser, const char *base, RequestFacts *facts);

// What a failed parse means for the client: 501 for an unknown Transfer-Encoding even when
// libhttp-parser stopped on it first.
HttpFailure classifyRequestFailure(const MessageParser &parser, const char *base);

// Response headers that describe one connection, or whose framing the proxy writes itself.
bool isResponseHeaderDropped(QByteArrayView name);
// What nginx's proxy module hides from the client unless proxy_pass_header lets it through
// (lower case): Date and Server are nginx's own, the X-Accel-* fields are orders to nginx.
const QList<QByteArray> &defaultHiddenResponseHeaders();

} // namespace lbscope
