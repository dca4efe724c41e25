#pragma once

// What a variable can read. At request time the connection fills it with views of the live
// request (proxy_set_header, add_header, hash); at log time stats/ fills it from the access
// record. Views stay owned by whoever filled it and are valid for one evaluation.

#include "http/headerlist.h"

#include <QByteArrayView>

#include <optional>

namespace lbscope {

struct RequestContext
{
    // The request; an empty method: no request line could be read.
    QByteArrayView method;
    QByteArrayView target;         // the request-target, as sent (an absolute-form's path)
    QByteArrayView absoluteTarget; // an absolute-form target whole, for $request; empty otherwise
    QByteArrayView authority;      // host[:port] of an absolute-form target: $host before Host
    int versionMajor = 1;
    int versionMinor = 1;
    HeaderList requestHeaders;
    qint64 requestLength = 0; // head and body bytes read so far

    // The connection.
    QByteArrayView remoteAddr;
    quint16 remotePort = 0;          // 0: none (realip took an address without a port)
    QByteArrayView realipRemoteAddr; // the connection's peer, before realip
    quint16 realipRemotePort = 0;
    QByteArrayView serverAddr;
    quint16 serverPort = 0;
    quint64 connection = 0;         // the connection's serial number
    quint32 connectionRequests = 0; // this request's place on its connection: 1 for the first

    // Routing.
    QByteArrayView serverName; // the server block's first server_name, for $host without Host
    // $host as nginx found it (the absolute-form target's, else Host's; lower case, no port
    // or trailing dot); empty: read the Host header (an access record's context).
    QByteArrayView host;
    QByteArrayView proxyHost;                 // host[:port] of proxy_pass, or the upstream name
    const QByteArrayView *captures = nullptr; // $1..$9 of the last regular expression
    int captureCount = 0;
    // The rewrite module's changes: $uri and $args after a rewrite (null: from the target),
    // and the variables `set` gave values to (lower-case names).
    const QByteArray *rewrittenUri = nullptr;
    const QByteArray *rewrittenArgs = nullptr;
    const QList<std::pair<QByteArray, QByteArray>> *userVariables = nullptr;

    // The upstream attempts as far as they have gone: "a, b" lists.
    QByteArrayView upstreamAddr;
    QByteArrayView upstreamStatus;
    QByteArrayView upstreamConnectTime;
    QByteArrayView upstreamHeaderTime;
    QByteArrayView upstreamResponseTime;
    QByteArrayView upstreamBytesReceived;
    QByteArrayView upstreamBytesSent;
    HeaderList upstreamHeaders; // the last attempt's response

    // The response as far as it has gone (status 0: none yet).
    int status = 0;
    qint64 bytesSent = 0;
    qint64 bodyBytesSent = 0;
    HeaderList sentHeaders;
    bool keepAlive = false;
    qint64 requestTimeMs = 0;
    std::optional<qint64> timeMs; // wall clock for $msec and the times; none: now
};

// Whoever can describe the live request: the client connection, to the phases and the proxy
// handler that need its variables.
class RequestContextSource
{
public:
    virtual ~RequestContextSource() = default;
    virtual RequestContext requestContext() const = 0;
};

} // namespace lbscope
