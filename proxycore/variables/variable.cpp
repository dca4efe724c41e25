#include "variables/variable.h"

#include <QLatin1StringView>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

struct NamedVariable
{
    QLatin1StringView name;
    Variable variable;
    const char *argument = nullptr;
};

// nginx 1.22's names; the few with the same value under two names (document_uri, query_string)
// are listed twice.
constexpr NamedVariable namedVariables[] = {
    {"remote_addr"_L1, Variable::RemoteAddr},
    {"binary_remote_addr"_L1, Variable::BinaryRemoteAddr},
    {"remote_port"_L1, Variable::RemotePort},
    {"realip_remote_addr"_L1, Variable::RealipRemoteAddr},
    {"realip_remote_port"_L1, Variable::RealipRemotePort},
    {"remote_user"_L1, Variable::RemoteUser},
    {"server_addr"_L1, Variable::ServerAddr},
    {"server_port"_L1, Variable::ServerPort},
    {"server_name"_L1, Variable::ServerName},
    {"server_protocol"_L1, Variable::ServerProtocol},
    {"scheme"_L1, Variable::Scheme},
    {"https"_L1, Variable::Https},
    {"connection"_L1, Variable::Connection},
    {"connection_requests"_L1, Variable::ConnectionRequests},
    {"host"_L1, Variable::Host},
    {"request"_L1, Variable::Request},
    {"request_method"_L1, Variable::RequestMethod},
    {"request_uri"_L1, Variable::RequestUri},
    {"uri"_L1, Variable::Uri},
    {"document_uri"_L1, Variable::Uri},
    {"args"_L1, Variable::Args},
    {"query_string"_L1, Variable::Args},
    {"is_args"_L1, Variable::IsArgs},
    {"content_length"_L1, Variable::ContentLength},
    {"content_type"_L1, Variable::ContentType},
    {"request_length"_L1, Variable::RequestLength},
    {"http_cookie"_L1, Variable::HttpHeaderJoined, "cookie"},
    {"http_x_forwarded_for"_L1, Variable::HttpHeaderJoined, "x_forwarded_for"},
    {"proxy_host"_L1, Variable::ProxyHost},
    {"proxy_add_x_forwarded_for"_L1, Variable::ProxyAddXForwardedFor},
    {"status"_L1, Variable::Status},
    {"bytes_sent"_L1, Variable::BytesSent},
    {"body_bytes_sent"_L1, Variable::BodyBytesSent},
    {"sent_http_connection"_L1, Variable::SentHttpConnection},
    {"sent_http_keep_alive"_L1, Variable::SentHttpKeepAlive},
    {"request_time"_L1, Variable::RequestTime},
    {"msec"_L1, Variable::Msec},
    {"time_local"_L1, Variable::TimeLocal},
    {"time_iso8601"_L1, Variable::TimeIso8601},
    {"upstream_addr"_L1, Variable::UpstreamAddr},
    {"upstream_status"_L1, Variable::UpstreamStatus},
    {"upstream_connect_time"_L1, Variable::UpstreamConnectTime},
    {"upstream_header_time"_L1, Variable::UpstreamHeaderTime},
    {"upstream_response_time"_L1, Variable::UpstreamResponseTime},
    {"upstream_bytes_received"_L1, Variable::UpstreamBytesReceived},
    {"upstream_bytes_sent"_L1, Variable::UpstreamBytesSent},
    {"pid"_L1, Variable::Pid},
    {"hostname"_L1, Variable::Hostname},
    {"nginx_version"_L1, Variable::NginxVersion},
    {"lbscope_decision"_L1, Variable::LbscopeDecision},
};

// Longest first where one prefix begins another.
constexpr NamedVariable prefixedVariables[] = {
    {"sent_http_"_L1, Variable::SentHttp},
    {"upstream_http_"_L1, Variable::UpstreamHttp},
    {"upstream_cookie_"_L1, Variable::UpstreamCookie},
    {"http_"_L1, Variable::HttpHeader},
    {"arg_"_L1, Variable::Arg},
    {"cookie_"_L1, Variable::Cookie},
};

} // namespace

std::optional<VariableRef> findVariable(QStringView name)
{
    for (const NamedVariable &known : namedVariables) {
        if (name.compare(known.name, Qt::CaseInsensitive) == 0)
            return VariableRef{known.variable, known.argument ? QByteArray(known.argument) : QByteArray()};
    }
    // nginx takes an empty NAME too ("$http_"): it names nothing, and finds nothing.
    for (const NamedVariable &prefix : prefixedVariables) {
        if (name.startsWith(prefix.name, Qt::CaseInsensitive))
            return VariableRef{prefix.variable, name.sliced(prefix.name.size()).toLatin1().toLower()};
    }
    return std::nullopt;
}

QStringList ownVariableNames()
{
    return {u"lbscope_decision"_s};
}

bool isOwnVariable(Variable variable)
{
    return variable == Variable::LbscopeDecision;
}

} // namespace lbscope
