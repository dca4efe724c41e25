#pragma once

// nginx's variables, one table for every place that takes them: proxy_set_header, add_header,
// hash, log_format. Names are looked up without regard to case, as nginx lowercases them;
// the prefixed ones ($http_NAME, $arg_NAME, $cookie_NAME, $sent_http_NAME,
// $upstream_http_NAME, $upstream_cookie_NAME) carry their NAME in lower case.

#include <QByteArray>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace lbscope {

enum class Variable {
    Literal, // not a variable: text of a template
    Capture, // $1..$9 of a regular expression (script templates only)
    User,    // a variable `set` (or a named capture) defines; its name in the argument

    // The client and the server it reached.
    RemoteAddr,
    BinaryRemoteAddr,
    RemotePort,
    RealipRemoteAddr,
    RealipRemotePort,
    RemoteUser,
    ServerAddr,
    ServerPort,
    ServerName,
    ServerProtocol,
    Scheme,
    Https,
    Connection,
    ConnectionRequests,

    // The request.
    Host,
    Request,
    RequestMethod,
    RequestUri,
    Uri,
    Args,
    IsArgs,
    ContentLength,
    ContentType,
    RequestLength,
    HttpHeader,       // $http_NAME: the first header called NAME
    HttpHeaderJoined, // $http_cookie ("; " between headers), $http_x_forwarded_for (", ")
    Arg,              // $arg_NAME
    Cookie,           // $cookie_NAME

    // proxy_pass.
    ProxyHost,
    ProxyAddXForwardedFor,

    // The response, as far as it has gone.
    Status,
    BytesSent,
    BodyBytesSent,
    SentHttp,           // $sent_http_NAME
    SentHttpConnection, // computed as nginx does, not read from the head
    SentHttpKeepAlive,
    RequestTime,
    Msec,
    TimeLocal,
    TimeIso8601,

    // The upstream attempts: one entry per attempt, ", " between them.
    UpstreamAddr,
    UpstreamStatus,
    UpstreamConnectTime,
    UpstreamHeaderTime,
    UpstreamResponseTime,
    UpstreamBytesReceived,
    UpstreamBytesSent,
    UpstreamHttp,   // $upstream_http_NAME: the last attempt's response header
    UpstreamCookie, // $upstream_cookie_NAME: from its Set-Cookie headers

    // The process.
    Pid,
    Hostname,
    NginxVersion,

    // LB Scope's own, for log_format only: the balancer's reasons, one per attempt.
    LbscopeDecision,
};

struct VariableRef
{
    Variable variable = Variable::Literal;
    QByteArray argument; // NAME of a prefixed variable, lower case
};

// The variable called name (without '$'), in any case; nullopt for an unknown one.
std::optional<VariableRef> findVariable(QStringView name);

// Variables only LB Scope has ($lbscope_decision): nginx needs them defined elsewhere (a map).
QStringList ownVariableNames();
bool isOwnVariable(Variable variable);

// The nginx release whose behaviour LB Scope follows ($nginx_version).
inline constexpr char nginxVersion[] = "1.22.1";

} // namespace lbscope
