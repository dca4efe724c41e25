#include "configwriter.h"

#include "nginxvalues.h"
#include "variables/variable.h"

#include <QStringList>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// nginx.conf text with four-space indentation; arguments quoted where nginx needs it.
class ConfText
{
public:
    void directive(QLatin1StringView name, const QStringList &args = {})
    {
        QString text = name;
        for (const QString &arg : args)
            text += u' ' + nginx::quoteArgument(arg);
        line(text + u';');
    }
    void emptyBlock(const QString &head) { line(head + " {}"_L1); }
    void comment(const QString &text) { line("# "_L1 + text); }
    void open(const QString &head)
    {
        line(head + " {"_L1);
        ++m_depth;
        m_afterOpen = true;
    }
    void close()
    {
        --m_depth;
        line(u"}"_s);
    }
    // Separates blocks; never right after an opening brace.
    void blankLine()
    {
        if (!m_afterOpen)
            m_text += u'\n';
        m_afterOpen = true;
    }
    QByteArray toUtf8() const { return m_text.toUtf8(); }

private:
    void line(const QString &text)
    {
        m_text += QString(m_depth * 4, u' ') + text + u'\n';
        m_afterOpen = false;
    }

    QString m_text;
    int m_depth = 0;
    bool m_afterOpen = true;
};

void writeTime(ConfText &out, QLatin1StringView name, const std::optional<qint64> &ms)
{
    if (ms)
        out.directive(name, {nginx::formatTimeMs(*ms)});
}

void writeSize(ConfText &out, QLatin1StringView name, const std::optional<qint64> &bytes, nginx::SizeUnits units)
{
    if (bytes)
        out.directive(name, {nginx::formatSize(*bytes, units)});
}

void writeNumber(ConfText &out, QLatin1StringView name, const std::optional<int> &number)
{
    if (number)
        out.directive(name, {QString::number(*number)});
}

void writeFlag(ConfText &out, QLatin1StringView name, const std::optional<bool> &flag)
{
    if (flag)
        out.directive(name, {*flag ? u"on"_s : u"off"_s});
}

void writeHeaders(ConfText &out, QLatin1StringView name, const std::optional<QList<HeaderDirective>> &headers)
{
    if (!headers)
        return;
    for (const HeaderDirective &header : *headers) {
        QStringList args = {QString::fromUtf8(header.name), header.value};
        if (header.always)
            args.append(u"always"_s);
        out.directive(name, args);
    }
}

void writeNextUpstream(ConfText &out, const std::optional<quint32> &flags)
{
    if (!flags)
        return;
    const QStringList words = nginx::formatNextUpstream(*flags);
    out.directive("proxy_next_upstream"_L1, words.isEmpty() ? QStringList{u"off"_s} : words);
}

void writeAccessLogs(ConfText &out, const std::optional<QList<AccessLogDirective>> &logs)
{
    if (!logs)
        return;
    for (const AccessLogDirective &log : *logs) {
        if (log.off)
            out.directive("access_log"_L1, {u"off"_s});
        else if (log.formatName.isEmpty() || log.formatName == combinedLogFormat().name)
            out.directive("access_log"_L1, {log.path});
        else
            out.directive("access_log"_L1, {log.path, log.formatName});
    }
}

// allow/deny in their order, then the realip module's directives.
void writeClientRules(ConfText &out, const ProxySettings &settings)
{
    if (settings.accessRules) {
        for (const AccessRule &rule : *settings.accessRules)
            out.directive(rule.deny ? "deny"_L1 : "allow"_L1, {rule.address});
    }
    if (settings.setRealIpFrom) {
        for (const RealIpSource &source : *settings.setRealIpFrom)
            out.directive("set_real_ip_from"_L1, {source.address});
    }
    if (settings.realIpHeader)
        out.directive("real_ip_header"_L1, {*settings.realIpHeader});
    writeFlag(out, "real_ip_recursive"_L1, settings.realIpRecursive);
}

void writeRedirects(ConfText &out, const std::optional<ProxyRedirects> &redirects)
{
    if (!redirects)
        return;
    if (redirects->off)
        out.directive("proxy_redirect"_L1, {u"off"_s});
    for (const ProxyRedirectRule &rule : redirects->rules) {
        switch (rule.kind) {
        case ProxyRedirectRule::Kind::Default:
            out.directive("proxy_redirect"_L1, {u"default"_s});
            break;
        case ProxyRedirectRule::Kind::Prefix:
            out.directive("proxy_redirect"_L1, {rule.pattern, rule.replacement});
            break;
        case ProxyRedirectRule::Kind::Regex:
            out.directive("proxy_redirect"_L1, {u'~' + rule.pattern, rule.replacement});
            break;
        case ProxyRedirectRule::Kind::RegexCaseless:
            out.directive("proxy_redirect"_L1, {"~*"_L1 + rule.pattern, rule.replacement});
            break;
        }
    }
}

void writeHeaderNames(ConfText &out, QLatin1StringView name, const std::optional<QList<QByteArray>> &names)
{
    if (!names)
        return;
    for (const QByteArray &header : *names)
        out.directive(name, {QString::fromUtf8(header)});
}

void writeIgnoreHeaders(ConfText &out, const std::optional<quint32> &flags)
{
    if (!flags || *flags == 0)
        return;
    static const QList<std::pair<IgnoreHeaderFlag, QLatin1StringView>> names = {
        {IgnoreXAccelRedirect, "X-Accel-Redirect"_L1},   {IgnoreXAccelExpires, "X-Accel-Expires"_L1},
        {IgnoreXAccelLimitRate, "X-Accel-Limit-Rate"_L1}, {IgnoreXAccelBuffering, "X-Accel-Buffering"_L1},
        {IgnoreXAccelCharset, "X-Accel-Charset"_L1},     {IgnoreExpires, "Expires"_L1},
        {IgnoreCacheControl, "Cache-Control"_L1},        {IgnoreSetCookie, "Set-Cookie"_L1},
        {IgnoreVary, "Vary"_L1},
    };
    QStringList words;
    for (const auto &[flag, name] : names) {
        if (*flags & flag)
            words.append(name);
    }
    out.directive("proxy_ignore_headers"_L1, words);
}

// Every setting that is set, even to nginx's default: it still overrides an outer level.
void writeSettings(ConfText &out, const ProxySettings &settings, bool inLocation)
{
    if (settings.proxyHttpVersionMinor)
        out.directive("proxy_http_version"_L1, {*settings.proxyHttpVersionMinor == 1 ? u"1.1"_s : u"1.0"_s});
    writeHeaders(out, "proxy_set_header"_L1, settings.proxySetHeaders);
    writeHeaders(out, "add_header"_L1, settings.addHeaders);
    writeNextUpstream(out, settings.proxyNextUpstream);
    writeNumber(out, "proxy_next_upstream_tries"_L1, settings.proxyNextUpstreamTries);
    writeTime(out, "proxy_next_upstream_timeout"_L1, settings.proxyNextUpstreamTimeoutMs);
    writeTime(out, "proxy_connect_timeout"_L1, settings.proxyConnectTimeoutMs);
    writeTime(out, "proxy_send_timeout"_L1, settings.proxySendTimeoutMs);
    writeTime(out, "proxy_read_timeout"_L1, settings.proxyReadTimeoutMs);
    writeSize(out, "proxy_buffer_size"_L1, settings.proxyBufferSize, nginx::SizeUnits::UpToMega);
    writeSize(out, "client_max_body_size"_L1, settings.clientMaxBodySize, nginx::SizeUnits::UpToGiga);
    writeSize(out, "client_body_buffer_size"_L1, settings.clientBodyBufferSize, nginx::SizeUnits::UpToMega);
    if (settings.clientBodyTempPath)
        out.directive("client_body_temp_path"_L1, {*settings.clientBodyTempPath});
    writeFlag(out, "proxy_request_buffering"_L1, settings.proxyRequestBuffering);
    writeFlag(out, "proxy_buffering"_L1, settings.proxyBuffering);
    if (settings.proxyBuffers)
        out.directive("proxy_buffers"_L1, {QString::number(settings.proxyBuffers->number),
                                           nginx::formatSize(settings.proxyBuffers->size, nginx::SizeUnits::UpToMega)});
    writeSize(out, "proxy_busy_buffers_size"_L1, settings.proxyBusyBuffersSize, nginx::SizeUnits::UpToMega);
    writeSize(out, "proxy_max_temp_file_size"_L1, settings.proxyMaxTempFileSize, nginx::SizeUnits::UpToMega);
    writeSize(out, "proxy_temp_file_write_size"_L1, settings.proxyTempFileWriteSize, nginx::SizeUnits::UpToMega);
    if (settings.proxyTempPath)
        out.directive("proxy_temp_path"_L1, {*settings.proxyTempPath});
    writeTime(out, "send_timeout"_L1, settings.sendTimeoutMs);
    if (settings.errorPages) {
        for (const ErrorPageDirective &page : *settings.errorPages) {
            QStringList words;
            for (int code : page.codes)
                words.append(QString::number(code));
            if (page.replaceStatus)
                words.append(page.status > 0 ? u"="_s + QString::number(page.status) : u"="_s);
            words.append(page.uri);
            out.directive("error_page"_L1, words);
        }
    }
    writeFlag(out, "proxy_intercept_errors"_L1, settings.proxyInterceptErrors);
    writeFlag(out, "recursive_error_pages"_L1, settings.recursiveErrorPages);
    // nginx refuses client_header_timeout inside a location: the header is read before routing.
    if (!inLocation)
        writeTime(out, "client_header_timeout"_L1, settings.clientHeaderTimeoutMs);
    writeTime(out, "client_body_timeout"_L1, settings.clientBodyTimeoutMs);
    writeTime(out, "keepalive_timeout"_L1, settings.keepaliveTimeoutMs);
    writeNumber(out, "keepalive_requests"_L1, settings.keepaliveRequests);
    writeTime(out, "keepalive_time"_L1, settings.keepaliveTimeMs);
    writeRedirects(out, settings.proxyRedirects);
    writeHeaderNames(out, "proxy_hide_header"_L1, settings.proxyHideHeaders);
    writeHeaderNames(out, "proxy_pass_header"_L1, settings.proxyPassHeaders);
    writeFlag(out, "proxy_pass_request_headers"_L1, settings.proxyPassRequestHeaders);
    writeFlag(out, "proxy_pass_request_body"_L1, settings.proxyPassRequestBody);
    if (settings.proxySetBody)
        out.directive("proxy_set_body"_L1, {*settings.proxySetBody});
    if (settings.proxyMethod)
        out.directive("proxy_method"_L1, {*settings.proxyMethod});
    writeIgnoreHeaders(out, settings.proxyIgnoreHeaders);
    writeAccessLogs(out, settings.accessLogs);
    writeClientRules(out, settings);
}

// The address as the user wrote it, unless host or port were edited since.
QString upstreamAddress(const UpstreamServer &server)
{
    const std::optional<nginx::HostPort> split = nginx::splitHostPort(server.address);
    if (split && !split->isUnix && split->host == server.host && (split->hasPort ? split->port : 80) == server.port)
        return server.address;
    return nginx::joinHostPort(server.host, server.port);
}

QString listenAddress(const ListenAddress &listen)
{
    const std::optional<nginx::HostPort> split = nginx::splitListenAddress(listen.text);
    if (split && !split->isUnix && split->host == listen.host && split->port == listen.port)
        return listen.text;
    if (listen.host.isEmpty())
        return QString::number(listen.port);
    return nginx::joinHostPort(listen.host, listen.port);
}

QStringList serverArguments(const UpstreamServer &server)
{
    QStringList args = {upstreamAddress(server)};
    if (server.weight != 1)
        args.append("weight="_L1 + QString::number(server.weight));
    if (server.maxFails != 1)
        args.append("max_fails="_L1 + QString::number(server.maxFails));
    if (server.failTimeoutMs != 10'000) {
        // nginx counts fail_timeout in whole seconds: round a finer value up.
        const qint64 seconds = (server.failTimeoutMs + 999) / 1000;
        args.append("fail_timeout="_L1 + nginx::formatTimeSeconds(seconds));
    }
    if (server.maxConns != 0)
        args.append("max_conns="_L1 + QString::number(server.maxConns));
    if (server.backup)
        args.append(u"backup"_s);
    // nginx 1.22 has no draining: what a draining server becomes once its requests are done
    if (server.down || server.draining)
        args.append(u"down"_s);
    return args;
}

void writeMethod(ConfText &out, const UpstreamConfig &upstream)
{
    switch (upstream.method) {
    case BalancingMethod::RoundRobin:
        break;
    case BalancingMethod::LeastConn:
        out.directive("least_conn"_L1);
        break;
    case BalancingMethod::IpHash:
        out.directive("ip_hash"_L1);
        break;
    case BalancingMethod::Hash:
        out.directive("hash"_L1, upstream.hashConsistent ? QStringList{upstream.hashKey, u"consistent"_s}
                                                         : QStringList{upstream.hashKey});
        break;
    case BalancingMethod::Random:
        out.directive("random"_L1, upstream.randomTwo ? QStringList{u"two"_s} : QStringList{});
        break;
    }
}

void writeUpstream(ConfText &out, const UpstreamConfig &upstream)
{
    out.blankLine();
    out.open("upstream "_L1 + nginx::quoteArgument(upstream.name));
    // nginx 1.22 wants the balancing method before keepalive, which wraps it.
    writeMethod(out, upstream);
    if (!upstream.zoneName.isEmpty()) {
        QStringList args = {upstream.zoneName};
        if (!upstream.zoneSize.isEmpty())
            args.append(upstream.zoneSize);
        out.directive("zone"_L1, args);
    }
    for (const UpstreamServer &server : upstream.servers)
        out.directive("server"_L1, serverArguments(server));
    if (upstream.keepalive != 0)
        out.directive("keepalive"_L1, {QString::number(upstream.keepalive)});
    if (upstream.keepaliveRequests != 1000)
        out.directive("keepalive_requests"_L1, {QString::number(upstream.keepaliveRequests)});
    if (upstream.keepaliveTimeoutMs != 60'000)
        out.directive("keepalive_timeout"_L1, {nginx::formatTimeMs(upstream.keepaliveTimeoutMs)});
    if (upstream.keepaliveTimeMs != 3'600'000)
        out.directive("keepalive_time"_L1, {nginx::formatTimeMs(upstream.keepaliveTimeMs)});
    out.close();
}

// The rewrite module's directives in their order; an if's condition as nginx reads it back.
void writeRewrites(ConfText &out, const QList<RewriteStatement> &statements)
{
    for (const RewriteStatement &statement : statements) {
        switch (statement.kind) {
        case RewriteStatement::Kind::Return:
            if (statement.text.isEmpty())
                out.directive("return"_L1, {QString::number(statement.code)});
            else
                out.directive("return"_L1, {QString::number(statement.code), statement.text});
            break;
        case RewriteStatement::Kind::Rewrite: {
            static const QStringList flags = {QString(), u"last"_s, u"break"_s, u"redirect"_s, u"permanent"_s};
            QStringList args = {statement.pattern, statement.text};
            if (statement.flag != RewriteStatement::Flag::None)
                args.append(flags[int(statement.flag)]);
            out.directive("rewrite"_L1, args);
            break;
        }
        case RewriteStatement::Kind::Set:
            out.directive("set"_L1, {u'$' + statement.variable, statement.text});
            break;
        case RewriteStatement::Kind::Break:
            out.directive("break"_L1);
            break;
        case RewriteStatement::Kind::If: {
            const RewriteCondition &condition = statement.condition;
            QString head = u"if ("_s;
            if (condition.kind == RewriteCondition::Kind::Variable)
                head += condition.subject;
            else if (condition.kind == RewriteCondition::Kind::FileExists)
                head += condition.op + u' ' + nginx::quoteArgument(condition.subject);
            else
                head += condition.subject + u' ' + condition.op + u' ' + nginx::quoteArgument(condition.value);
            out.open(head + u')');
            writeRewrites(out, statement.body);
            out.close();
            break;
        }
        }
    }
}

void writeLocation(ConfText &out, const LocationConfig &location)
{
    out.blankLine();
    const QString modifier = location.modifier();
    const QString uri = nginx::quoteArgument(location.prefix);
    out.open("location "_L1 + (modifier.isEmpty() ? uri : modifier + u' ' + uri));
    if (!location.proxyPass.isEmpty())
        out.directive("proxy_pass"_L1, {location.proxyPass});
    writeRewrites(out, location.rewrites);
    writeSettings(out, location.settings, true);
    for (const LocationConfig &nested : location.locations)
        writeLocation(out, nested);
    out.close();
}

void writeServer(ConfText &out, const ServerConfig &server)
{
    out.blankLine();
    out.open(u"server"_s);
    for (const ListenAddress &listen : server.listens) {
        QStringList args = {listenAddress(listen)};
        if (listen.defaultServer)
            args.append(u"default_server"_s);
        out.directive("listen"_L1, args);
    }
    if (!server.serverNames.isEmpty())
        out.directive("server_name"_L1, server.serverNames);
    writeRewrites(out, server.rewrites);
    writeSettings(out, server.settings, false);
    for (const LocationConfig &location : server.locations)
        writeLocation(out, location);
    out.close();
}

void writeLogFormat(ConfText &out, const LogFormat &format)
{
    QStringList args = {format.name};
    // escape= is only needed when it is not the default, or when the format looks like one.
    const bool defaultEscape = format.escape.isEmpty() || format.escape == "default"_L1;
    if (!defaultEscape || format.format.startsWith("escape="_L1))
        args.append("escape="_L1 + (defaultEscape ? u"default"_s : format.escape));
    args.append(format.format);
    out.directive("log_format"_L1, args);
}

bool usesVariable(const QString &format, const QString &name)
{
    return format.contains(u'$' + name) || format.contains("${"_L1 + name + u'}');
}

// nginx refuses a format with a variable it does not know: LB Scope's own ones are defined
// for it with a map (nginx logs "-" for them). ConfigReader reads these maps back silently.
void defineOwnVariables(ConfText &out, const QList<LogFormat> &formats)
{
    for (const QString &name : ownVariableNames()) {
        const bool used = std::any_of(formats.cbegin(), formats.cend(),
                                      [&](const LogFormat &format) { return usesVariable(format.format, name); });
        if (!used)
            continue;
        out.open("map $host $"_L1 + name);
        out.directive("default"_L1, {u"-"_s});
        out.close();
    }
}

} // namespace

// lbscope_status is LB Scope's own directive and nginx would refuse it: it is written as a
// comment, for the reader of the file. ConfigReader skips comments, so a configuration read
// back from this text has no statusListen.
QByteArray ConfigWriter::write(const ProxyConfig &config)
{
    ConfText out;
    out.directive("worker_processes"_L1, {QString::number(config.workerProcesses)});
    if (config.pidFile)
        out.directive("pid"_L1, {*config.pidFile});
    for (const ErrorLogDirective &log : config.errorLogs) {
        const bool defaultLevel = log.level == ErrorLogLevel::Error;
        out.directive("error_log"_L1,
                      defaultLevel ? QStringList{log.path} : QStringList{log.path, errorLogLevelName(log.level)});
    }
    out.blankLine();
    out.emptyBlock(u"events"_s);
    out.blankLine();
    out.open(u"http"_s);
    if (config.statusListen)
        out.comment("lbscope_status "_L1 + listenAddress(*config.statusListen) + u';');
    for (const LogFormat &format : config.logFormats)
        writeLogFormat(out, format);
    defineOwnVariables(out, config.logFormats);
    writeSettings(out, config.settings, false);
    for (const UpstreamConfig &upstream : config.upstreams)
        writeUpstream(out, upstream);
    for (const ServerConfig &server : config.servers)
        writeServer(out, server);
    out.close();
    return out.toUtf8();
}

} // namespace lbscope
