#pragma once

// nginx's error log line for a failed upstream attempt, as ngx_http_log_error words it:
//   connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1,
//   server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:3000/",
//   host: "localhost:8080"
// (nginx starts it with "*N ", its connection number, which LB Scope does not keep.)

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace lbscope {

struct UpstreamErrorFacts
{
    QByteArrayView client;  // the client's address
    QByteArrayView server;  // the server block's first server_name
    QByteArray requestLine; // "GET /x HTTP/1.1"
    QByteArray upstream;    // "http://127.0.0.1:3000/x": the peer and the URI sent there
    QByteArray host;        // the Host header, when the request has one
    QByteArray referrer;    // the Referer header, when the request has one
    bool hasHost = false;
    bool hasReferrer = false;
};

QString upstreamErrorMessage(QStringView what, const UpstreamErrorFacts &facts);

} // namespace lbscope
