#include "config/ignoreddirectives.h"

#include <array>

namespace lbscope {

namespace {

using namespace Qt::StringLiterals;

struct Effect
{
    QLatin1StringView directive;
    QLatin1StringView effect;
    bool offDisables = true; // "directive off;" (or "none") changes nothing
};

// Kept to the directives ordinary configurations use; the words finish "nginx would ...".
constexpr std::array effects = {
    Effect{"proxy_cache"_L1, "cache responses"_L1},
    Effect{"proxy_store"_L1, "store responses on disk"_L1},
    Effect{"gzip"_L1, "compress responses"_L1},
    Effect{"gunzip"_L1, "decompress responses for clients that do not accept gzip"_L1},
    Effect{"gzip_static"_L1, "serve precompressed files"_L1},
    Effect{"ssi"_L1, "process server-side includes in responses"_L1},
    Effect{"sub_filter"_L1, "rewrite text in response bodies"_L1, false},
    Effect{"add_before_body"_L1, "add text before response bodies"_L1, false},
    Effect{"add_after_body"_L1, "add text after response bodies"_L1, false},
    Effect{"add_trailer"_L1, "add trailers to responses"_L1, false},
    Effect{"charset"_L1, "add a charset to Content-Type"_L1},
    Effect{"expires"_L1, "set Expires and Cache-Control on responses"_L1},
    Effect{"auth_basic"_L1, "ask for a password"_L1},
    Effect{"auth_request"_L1, "authorise each request with a subrequest"_L1},
    Effect{"limit_req"_L1, "delay or refuse requests over the rate"_L1, false},
    Effect{"limit_conn"_L1, "refuse connections over the limit"_L1, false},
    Effect{"limit_rate"_L1, "send responses more slowly"_L1, false},
    Effect{"limit_except"_L1, "refuse methods outside the list"_L1, false},
    Effect{"root"_L1, "serve files from disk where nothing is proxied"_L1, false},
    Effect{"alias"_L1, "serve files from disk"_L1, false},
    Effect{"try_files"_L1, "try files on disk before anything else"_L1, false},
    Effect{"index"_L1, "serve index files"_L1, false},
    Effect{"autoindex"_L1, "list directories"_L1},
    Effect{"empty_gif"_L1, "answer with an empty GIF"_L1, false},
    Effect{"fastcgi_pass"_L1, "pass requests to a FastCGI server"_L1, false},
    Effect{"uwsgi_pass"_L1, "pass requests to a uwsgi server"_L1, false},
    Effect{"scgi_pass"_L1, "pass requests to an SCGI server"_L1, false},
    Effect{"grpc_pass"_L1, "pass requests to a gRPC server"_L1, false},
    Effect{"memcached_pass"_L1, "answer from memcached"_L1, false},
    Effect{"mirror"_L1, "mirror requests to another location"_L1},
    Effect{"userid"_L1, "set a visitor cookie"_L1},
    Effect{"ssl_certificate"_L1, "speak TLS"_L1, false},
    Effect{"http2"_L1, "speak HTTP/2"_L1},
    Effect{"geo"_L1, "set a variable from the client address"_L1, false},
    Effect{"split_clients"_L1, "set a variable by hashing"_L1, false},
    Effect{"valid_referers"_L1, "check Referer"_L1, false},
    Effect{"secure_link"_L1, "check signed links"_L1, false},
};

bool switchedOff(const QStringList &args)
{
    return args.size() == 1 && (args.first() == "off"_L1 || args.first() == "none"_L1);
}

} // namespace

QString ignoredDirectiveEffect(const QString &name, const QStringList &args)
{
    for (const Effect &entry : effects) {
        if (entry.directive != name)
            continue;
        if (entry.offDisables && switchedOff(args))
            return {};
        return u"nginx would "_s + entry.effect;
    }
    return {};
}

QString ignoredListenParameterEffect(const QString &parameter)
{
    if (parameter == "ssl"_L1)
        return u"nginx would speak TLS on this port"_s;
    if (parameter == "http2"_L1)
        return u"nginx would speak HTTP/2 on this port"_s;
    if (parameter == "proxy_protocol"_L1)
        return u"nginx would expect the PROXY protocol header first"_s;
    return {};
}

} // namespace lbscope
