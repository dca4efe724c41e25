#pragma once

// One record per request, in a fixed-capacity ring: memory stays flat however long the proxy
// runs. Workers append; readers take "everything after cursor C" on a timer, never one
// signal per request.

#include "balancing/decision.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QVarLengthArray>

#include <functional>

namespace lbscope {

struct AccessRecord
{
    quint64 id = 0;           // counts from 1 in the order requests end; the ring's cursor
    qint64 timeMs = 0;        // wall clock (ms since the epoch) when the request ended
    QByteArray clientAddress; // $remote_addr
    quint16 clientPort = 0;   // $remote_port
    // The connection's own peer when the realip module replaced the client for this request
    // ($realip_remote_addr, $realip_remote_port); empty and 0 when it did not.
    QByteArray peerAddress;
    quint16 peerPort = 0;
    QByteArray serverAddress; // $server_addr: our end of the client's connection
    quint16 serverPort = 0;   // $server_port
    quint64 connection = 0;   // $connection: the client connection's serial number; 0 when not known
    int worker = -1;          // the engine worker that served it (BalancerStateSnapshot::worker); -1: none
    QByteArray method;        // empty when the request line could not be parsed
    QByteArray uri;           // $request_uri, as the client sent it
    int versionMajor = 1;
    int versionMinor = 1;
    QByteArray host;           // the Host header
    QByteArray absoluteTarget; // an absolute-form target as sent, for $request; empty otherwise
    QByteArray hostName;       // $host as nginx found it: checked, lower case, no port (the target's first)
    // The client's header lines as received, from the first name to the end of the last value
    // ("Host: a\r\nUser-Agent: b"), for $http_NAME, $cookie_NAME and the detail pane; empty
    // without headers.
    QByteArray requestHeaders;
    qint64 requestLength = 0;   // $request_length: head and body bytes read
    QByteArray serverName;      // the server block: its first server_name, or its first listen
    QByteArray firstServerName; // its first server_name alone ($server_name; $host without Host)
    QByteArray location;        // the location that answered, as its head names it ("/", "~ \.jpg$"); empty: none
    int serverIndex = -1;       // the server block's place in ProxyConfig::servers; -1: none known
    int status = 0;             // what the client got; 499: the client went away first
    qint64 bytesSent = 0;       // $bytes_sent: head and body
    qint64 bodyBytesSent = 0;   // $body_bytes_sent
    qint64 requestTimeMs = 0;   // $request_time
    QString upstream;           // the upstream's name; empty when none was involved
    // One entry per attempt, joined with ", " as nginx's $upstream_* variables are;
    // "-" for a time that was not reached. Empty when no upstream was involved.
    QByteArray upstreamAddr;
    QByteArray upstreamStatus;
    QByteArray upstreamConnectTime;
    QByteArray upstreamHeaderTime;
    QByteArray upstreamResponseTime;
    QByteArray upstreamBytesReceived;
    QByteArray upstreamBytesSent;
    // The last attempt's response header lines, and the response head the client was sent,
    // for $upstream_http_NAME, $upstream_cookie_NAME and $sent_http_NAME: kept only when a
    // log_format of the configuration reads them (RoutingTable::keepResponseHeaders).
    QByteArray upstreamHeaders;
    QByteArray sentHeaders;
    // What the rewrite module left: $uri and $args when a rewrite changed them, and the
    // variables `set` gave values to (shared with the request, not copied).
    bool rewritten = false;
    QByteArray rewrittenUri;
    QByteArray rewrittenArgs;
    QList<std::pair<QByteArray, QByteArray>> userVariables;
    QVarLengthArray<Decision, 1> decisions; // one per attempt
    // The last attempt: its request line and headers exactly as sent upstream (the very bytes
    // that were sent, shared, not copied); and what the backend saw of it: our end's port of
    // the upstream connection, and which request on that connection this was (1: the first).
    // Empty and 0 when no attempt got a connection.
    QByteArray upstreamHead;
    quint16 upstreamLocalPort = 0;
    int upstreamConnectionRequest = 0;

    // $connection_requests: 1 for the first request on its connection; 0 when not known.
    // The demo web app fills it, so its log lines can be matched to the proxy's attempts.
    quint32 connectionRequests = 0;

    // "GET /photos/7 -> 127.0.0.1:3100 200 (rr: cw [5,1,1] -> pick 0, cw [-2,1,1])"
    QByteArray traceLine() const;
    // $request: "GET /photos/7 HTTP/1.1"
    QByteArray requestLine() const;
    // $http_NAME: the values of the client's headers called NAME (any case, '_' for '-'),
    // joined by ", "; empty when it sent none.
    QByteArray requestHeader(QByteArrayView name) const;
};

class AccessLog
{
public:
    explicit AccessLog(qsizetype capacity = 100'000);
    Q_DISABLE_COPY_MOVE(AccessLog)

    qsizetype capacity() const { return m_capacity; }

    // Gives the record its id and stores it, dropping the oldest when the ring is full.
    void append(AccessRecord record);
    // Records with an id above cursor, oldest first, at most max of them; returns the id of
    // the last one given (or cursor). Records that the ring dropped are skipped.
    quint64 readAfter(quint64 cursor, QList<AccessRecord> *out, qsizetype max = 100'000) const;
    quint64 lastId() const;
    // Copies the newest record that matches into *out; false when the ring holds none.
    bool findNewest(const std::function<bool(const AccessRecord &)> &matches, AccessRecord *out) const;

private:
    qsizetype m_capacity;
    mutable QMutex m_mutex;
    QList<AccessRecord> m_ring;
    qsizetype m_head = 0; // the oldest record once the ring is full
    quint64 m_lastId = 0;
};

} // namespace lbscope
