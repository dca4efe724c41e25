#pragma once

// The configuration model: the nginx subset LB Scope understands, as plain values.
// Values are stored at the level where the file wrote them (http, server, location) so the
// writer can give the text back as it was; resolveSettings() applies nginx's inheritance.

#include "config/errorloglevel.h"
#include "config/rewriteconfig.h"
#include "config/sourcelocation.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

enum class BalancingMethod {
    RoundRobin, // no directive
    LeastConn,
    IpHash,
    Hash,   // hash KEY [consistent]
    Random, // random [two [least_conn]]
};

// One `server ADDR[:PORT] params;` line of an upstream block.
struct UpstreamServer
{
    QString address; // as written: "127.0.0.1:3000", "localhost", "[::1]:8080"
    QString host;    // "127.0.0.1", "localhost", "::1"
    quint16 port = 80;
    int weight = 1;
    int maxFails = 1;
    qint64 failTimeoutMs = 10'000;
    int maxConns = 0; // 0: unlimited
    bool backup = false;
    bool down = false;
    bool draining = false; // LB Scope only: no new requests, those in flight finish
    SourceLocation source;

    friend bool operator==(const UpstreamServer &, const UpstreamServer &) = default;
};

struct UpstreamConfig
{
    QString name;
    QList<UpstreamServer> servers;
    BalancingMethod method = BalancingMethod::RoundRobin;
    QString hashKey; // hash: the key template, e.g. "$request_uri"
    bool hashConsistent = false;
    bool randomTwo = false; // random two [least_conn]
    int keepalive = 0;      // idle connections cached per worker; 0: no cache
    int keepaliveRequests = 1000;
    qint64 keepaliveTimeoutMs = 60'000;
    qint64 keepaliveTimeMs = 3'600'000; // keepalive_time: a connection is not reused once older
    QString zoneName;                   // zone NAME [SIZE]: state shared by all workers
    QString zoneSize;
    SourceLocation source;

    friend bool operator==(const UpstreamConfig &, const UpstreamConfig &) = default;
};

struct HeaderDirective
{
    QByteArray name;
    QString value;       // template, may hold $variables; empty removes the header
    bool always = false; // add_header ... always
    SourceLocation source;

    friend bool operator==(const HeaderDirective &, const HeaderDirective &) = default;
};

// proxy_next_upstream conditions, as nginx's flag set.
enum NextUpstreamFlag : quint32 {
    NextUpstreamError = 1u << 0,
    NextUpstreamTimeout = 1u << 1,
    NextUpstreamInvalidHeader = 1u << 2,
    NextUpstreamHttp500 = 1u << 3,
    NextUpstreamHttp502 = 1u << 4,
    NextUpstreamHttp503 = 1u << 5,
    NextUpstreamHttp504 = 1u << 6,
    NextUpstreamHttp403 = 1u << 7,
    NextUpstreamHttp404 = 1u << 8,
    NextUpstreamHttp429 = 1u << 9,
    NextUpstreamNonIdempotent = 1u << 10,
    NextUpstreamOff = 1u << 11, // written explicitly as "off"
};

// `log_format NAME [escape=default|json|none] STRING...;` (http level only, as in nginx).
struct LogFormat
{
    QString name;
    QString escape = QStringLiteral("default"); // default, json or none; empty counts as default
    QString format;                             // the strings, concatenated as nginx does
    SourceLocation source;

    friend bool operator==(const LogFormat &, const LogFormat &) = default;
};

// nginx's predefined "combined" format, which every configuration has without writing it.
const LogFormat &combinedLogFormat();

// `access_log PATH [FORMAT];` or `access_log off;` (buffer=, flush=, gzip and if= are skipped).
struct AccessLogDirective
{
    QString path; // as written; relative to the config's folder
    QString formatName = QStringLiteral("combined");
    bool off = false; // access_log off: nothing at this level
    SourceLocation source;

    friend bool operator==(const AccessLogDirective &, const AccessLogDirective &) = default;
};

// `error_page CODE... [=[RESPONSE]] URI;`
struct ErrorPageDirective
{
    QList<int> codes;
    // = alone: the status of whatever URI answers; =CODE: that status; neither: the error's own.
    bool replaceStatus = false;
    int status = 0; // with replaceStatus, 0 for "="
    QString uri;    // a URI (may hold variables), @name, or an http(s):// URL to redirect to
    SourceLocation source;

    friend bool operator==(const ErrorPageDirective &, const ErrorPageDirective &) = default;
};

// `error_log FILE [LEVEL];` at the main level: where LB Scope's own messages go.
struct ErrorLogDirective
{
    QString path; // as written; "stderr" for the standard error
    ErrorLogLevel level = ErrorLogLevel::Error;
    SourceLocation source;

    bool isStderr() const { return path == QLatin1StringView("stderr"); }
    friend bool operator==(const ErrorLogDirective &, const ErrorLogDirective &) = default;
};

// proxy_buffers NUMBER SIZE
struct ProxyBuffers
{
    int number = 8;
    qint64 size = 4096;

    friend bool operator==(const ProxyBuffers &, const ProxyBuffers &) = default;
};

// `allow ADDRESS;` or `deny ADDRESS;` (the access module). ADDRESS as written: an address, a
// CIDR network, "all" or "unix:"; the reader has checked it as nginx does.
struct AccessRule
{
    bool deny = false;
    QString address;
    SourceLocation source;

    friend bool operator==(const AccessRule &, const AccessRule &) = default;
};

// `set_real_ip_from ADDRESS;` (the realip module): an address, a CIDR network, "unix:" or a
// host name, whose addresses are looked up when the configuration is applied.
struct RealIpSource
{
    QString address;
    SourceLocation source;

    friend bool operator==(const RealIpSource &, const RealIpSource &) = default;
};

// One `proxy_redirect` line: `default`, `REDIRECT REPLACEMENT`, or `~REGEX REPLACEMENT`
// (`~*` without regard to case). The texts are as written, variables and captures unexpanded.
struct ProxyRedirectRule
{
    enum class Kind {
        Default, // pattern and replacement come from the location's proxy_pass
        Prefix,
        Regex,
        RegexCaseless,
    };
    Kind kind = Kind::Prefix;
    QString pattern; // without the leading ~ or ~*
    QString replacement;
    SourceLocation source;

    friend bool operator==(const ProxyRedirectRule &, const ProxyRedirectRule &) = default;
};

// The proxy_redirect lines of one level; `off` stands alone.
struct ProxyRedirects
{
    bool off = false;
    QList<ProxyRedirectRule> rules;

    friend bool operator==(const ProxyRedirects &, const ProxyRedirects &) = default;
};

// proxy_ignore_headers values, as nginx's flag set.
enum IgnoreHeaderFlag : quint32 {
    IgnoreXAccelRedirect = 1u << 0,
    IgnoreXAccelExpires = 1u << 1,
    IgnoreXAccelLimitRate = 1u << 2,
    IgnoreXAccelBuffering = 1u << 3,
    IgnoreXAccelCharset = 1u << 4,
    IgnoreExpires = 1u << 5,
    IgnoreCacheControl = 1u << 6,
    IgnoreSetCookie = 1u << 7,
    IgnoreVary = 1u << 8,
};

// Directives that nginx inherits from http to server to location. Unset means "inherit".
struct ProxySettings
{
    std::optional<QList<HeaderDirective>> proxySetHeaders; // inherited only if a level has none
    std::optional<QList<HeaderDirective>> addHeaders;      // same rule
    std::optional<int> proxyHttpVersionMinor;              // 0 or 1 (proxy_http_version 1.0|1.1)
    std::optional<quint32> proxyNextUpstream;              // NextUpstreamFlag bits
    std::optional<int> proxyNextUpstreamTries;             // 0: no cap
    std::optional<qint64> proxyNextUpstreamTimeoutMs;      // 0: no limit
    std::optional<qint64> proxyConnectTimeoutMs;
    std::optional<qint64> proxySendTimeoutMs;
    std::optional<qint64> proxyReadTimeoutMs;
    std::optional<qint64> proxyBufferSize;   // upstream header limit, bytes
    std::optional<qint64> clientMaxBodySize; // 0: no limit
    std::optional<qint64> clientBodyBufferSize;
    std::optional<QString> clientBodyTempPath;
    std::optional<bool> proxyRequestBuffering;
    std::optional<bool> proxyBuffering;
    std::optional<ProxyBuffers> proxyBuffers;
    std::optional<qint64> proxyBusyBuffersSize;
    std::optional<qint64> proxyMaxTempFileSize; // 0: no temporary file
    std::optional<qint64> proxyTempFileWriteSize;
    std::optional<QString> proxyTempPath;
    std::optional<qint64> sendTimeoutMs;
    std::optional<QList<ErrorPageDirective>> errorPages; // inherited only if a level has none
    std::optional<bool> proxyInterceptErrors;
    std::optional<bool> recursiveErrorPages;
    std::optional<qint64> clientHeaderTimeoutMs;
    std::optional<qint64> clientBodyTimeoutMs;
    std::optional<qint64> keepaliveTimeoutMs;            // client side
    std::optional<int> keepaliveRequests;                // client side
    std::optional<QList<AccessLogDirective>> accessLogs; // the list of the innermost level with one
    std::optional<qint64> keepaliveTimeMs;               // client side keepalive_time
    std::optional<ProxyRedirects> proxyRedirects;        // taken whole from the innermost level with one
    std::optional<QList<QByteArray>> proxyHideHeaders;   // names as written; each list inherited whole
    std::optional<QList<QByteArray>> proxyPassHeaders;
    std::optional<bool> proxyPassRequestHeaders;
    std::optional<bool> proxyPassRequestBody;
    std::optional<QString> proxySetBody;              // template
    std::optional<QString> proxyMethod;               // template
    std::optional<quint32> proxyIgnoreHeaders;        // IgnoreHeaderFlag bits
    std::optional<QList<AccessRule>> accessRules;     // allow/deny: the innermost level with any
    std::optional<QList<RealIpSource>> setRealIpFrom; // same rule
    std::optional<QString> realIpHeader;              // X-Real-IP, X-Forwarded-For, proxy_protocol or a name
    std::optional<bool> realIpRecursive;

    friend bool operator==(const ProxySettings &, const ProxySettings &) = default;
};

// How a location matches the URI: nginx's modifiers.
enum class LocationMatch {
    Prefix,        // location /photos/ {
    PrefixNoRegex, // location ^~ /photos/ { (a match here stops the regular expressions)
    Exact,         // location = /photos {
    Regex,         // location ~ \.jpg$ {
    RegexCaseless, // location ~* \.jpg$ {
    Named,         // location @fallback { (reached only by error_page and the like)
};

struct LocationConfig
{
    LocationMatch match = LocationMatch::Prefix;
    QString prefix;                   // the URI, regular expression or @name, as written after the modifier
    QString proxyPass;                // "http://photos" as written; empty: no proxy_pass here
    QList<RewriteStatement> rewrites; // the rewrite module's directives, in order
    ProxySettings settings;
    QList<LocationConfig> locations; // nested, in file order
    SourceLocation source;

    bool isRegex() const { return match == LocationMatch::Regex || match == LocationMatch::RegexCaseless; }
    // Exact and prefix locations: those nginx keeps in its static tree.
    bool isStatic() const { return !isRegex() && match != LocationMatch::Named; }
    // "=", "^~", "~", "~*" or empty, as written before the URI.
    QString modifier() const;
    // The location as its head names it: "/photos/", "= /x", "~* \.jpg$", "@fallback".
    QString label() const;

    // Written out: a defaulted one cannot see through QList<LocationConfig>, incomplete here.
    friend bool operator==(const LocationConfig &a, const LocationConfig &b);
};

// Calls visit on each location and, after it, on the ones nested in it, in file order.
template <typename Locations, typename Visit> void forEachLocation(Locations &locations, const Visit &visit)
{
    for (auto &location : locations) {
        visit(location);
        forEachLocation(location.locations, visit);
    }
}

// Every user variable the configuration's rewrite directives and location regular expressions
// define (set, named captures), nested locations included.
void collectUserVariables(const QList<LocationConfig> &locations, QStringList *names);

struct ListenAddress
{
    QString text; // as written: "127.0.0.1:8080", "8080", "[::1]:8080"
    QString host; // "127.0.0.1", "::1", "0.0.0.0" (also for "*"); empty: a port alone, bound on loopback
    quint16 port = 80;
    bool defaultServer = false;
    SourceLocation source;

    friend bool operator==(const ListenAddress &, const ListenAddress &) = default;
};

struct ServerConfig
{
    QList<ListenAddress> listens; // empty: nginx's default, *:80
    QStringList serverNames;
    QList<LocationConfig> locations;
    QList<RewriteStatement> rewrites; // run before a location is chosen
    ProxySettings settings;
    SourceLocation source;

    friend bool operator==(const ServerConfig &, const ServerConfig &) = default;
};

struct ProxyConfig
{
    QString sourceFile;
    // nginx's prefix (-p), which relative access_log, error_log and pid paths count from;
    // empty: the configuration file's folder (LB Scope's own habit, for --config).
    QString prefix;
    int workerProcesses = 1;
    std::optional<QString> pidFile;     // `pid FILE;` as written; none: no pid file is written
    QList<ErrorLogDirective> errorLogs; // the main level's, in file order; none: stderr at "error"
    QList<UpstreamConfig> upstreams;
    QList<ServerConfig> servers;
    ProxySettings settings;      // http level
    QList<LogFormat> logFormats; // http level, in file order; "combined" is predefined, not listed
    // `lbscope_status ADDR:PORT;`: LB Scope's own status listener. nginx does not know it, so
    // ConfigWriter writes it only as a comment.
    std::optional<ListenAddress> statusListen;

    const UpstreamConfig *findUpstream(QStringView name) const;
    // A path of the file made absolute as nginx does it: from the prefix, else from the
    // configuration file's folder, else from the current directory.
    QString resolvePath(const QString &path) const;
    // Case-insensitive, as nginx looks formats up; "combined" finds the predefined one.
    const LogFormat *findLogFormat(QStringView name) const;

    friend bool operator==(const ProxyConfig &, const ProxyConfig &) = default;
};

// A location's settings with nginx's defaults and inheritance applied.
struct ResolvedLocation
{
    QList<HeaderDirective> proxySetHeaders;
    QList<HeaderDirective> addHeaders;
    int proxyHttpVersionMinor = 0;
    quint32 proxyNextUpstream = NextUpstreamError | NextUpstreamTimeout;
    int proxyNextUpstreamTries = 0;
    qint64 proxyNextUpstreamTimeoutMs = 0;
    qint64 proxyConnectTimeoutMs = 60'000;
    qint64 proxySendTimeoutMs = 60'000;
    qint64 proxyReadTimeoutMs = 60'000;
    qint64 proxyBufferSize = 4096;
    qint64 clientMaxBodySize = 1024 * 1024;
    qint64 clientBodyBufferSize = 16 * 1024; // nginx's default on 64-bit systems
    QString clientBodyTempPath;              // empty: the system's temporary folder
    bool proxyRequestBuffering = true;
    bool proxyBuffering = true;
    ProxyBuffers proxyBuffers;
    qint64 proxyBusyBuffersSize = 8 * 1024;
    qint64 proxyMaxTempFileSize = 1024LL * 1024 * 1024;
    qint64 proxyTempFileWriteSize = 8 * 1024;
    QString proxyTempPath; // empty: the system's temporary folder
    qint64 sendTimeoutMs = 60'000;
    QList<ErrorPageDirective> errorPages;
    bool proxyInterceptErrors = false;
    bool recursiveErrorPages = false;
    qint64 clientHeaderTimeoutMs = 60'000;
    qint64 clientBodyTimeoutMs = 60'000;
    qint64 keepaliveTimeoutMs = 75'000;
    int keepaliveRequests = 1000;
    qint64 keepaliveTimeMs = 3'600'000;
    std::optional<ProxyRedirects> proxyRedirects; // unset: `default` where proxy_pass has no variables
    QList<QByteArray> proxyHideHeaders;
    QList<QByteArray> proxyPassHeaders;
    bool proxyPassRequestHeaders = true;
    bool proxyPassRequestBody = true;
    std::optional<QString> proxySetBody;
    std::optional<QString> proxyMethod;
    quint32 proxyIgnoreHeaders = 0;
    // Where this location's requests are logged; empty: nowhere (access_log off, or none set:
    // unlike nginx, LB Scope has no default logs/access.log).
    QList<AccessLogDirective> accessLogs;
    QList<AccessRule> accessRules;     // empty: everyone is let in
    QList<RealIpSource> setRealIpFrom; // empty: the realip module does nothing
    QString realIpHeader = QStringLiteral("X-Real-IP");
    bool realIpRecursive = false;
};

// An enclosing location's settings with a nested one's on top: what the nested location
// inherits when it sets nothing itself (nginx merges each level into the next).
ProxySettings inheritSettings(const ProxySettings &outer, const ProxySettings &inner);

// nginx merges settings outward-in: location overrides server overrides http. A nested
// location's settings are inheritSettings() of its enclosing locations' first.
ResolvedLocation resolveSettings(const ProxySettings &http, const ProxySettings &server, const ProxySettings *location);

// The names `set` defines anywhere in the file (lower case): nginx knows them as variables
// everywhere, log_format and proxy_set_header included, whatever block sets them.
QStringList userVariableNames(const ProxyConfig &config);

// The checks nginx makes on an upstream block's servers, for edits that do not come from a
// file: returns what is wrong, or an empty string.
QString validateUpstream(const UpstreamConfig &upstream);

} // namespace lbscope
