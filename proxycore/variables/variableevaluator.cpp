#include "variables/variableevaluator.h"

#include "http/headers.h"
#include "http/requesturi.h"
#include "http/uri.h"
#include "variables/timetext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostAddress>
#include <QSysInfo>
#include <QtEndian>

namespace lbscope {

namespace {

bool appendView(QByteArray &out, QByteArrayView value)
{
    out.append(value);
    return !value.isEmpty();
}

bool appendNumber(QByteArray &out, qint64 value)
{
    appendPadded(out, value, 1);
    return true;
}

// nginx's ngx_http_arg: the first "NAME=" at the start of the query or after '&', NAME in any
// case; an argument without '=' is not one.
bool appendArgument(QByteArray &out, QByteArrayView query, QByteArrayView name)
{
    while (!query.isEmpty()) {
        const auto amp = query.indexOf('&');
        const QByteArrayView pair = amp < 0 ? query : query.first(amp);
        const auto eq = pair.indexOf('=');
        if (eq >= 0 && pair.first(eq).compare(name, Qt::CaseInsensitive) == 0) {
            out.append(pair.sliced(eq + 1));
            return true;
        }
        query = amp < 0 ? QByteArrayView() : query.sliced(amp + 1);
    }
    return false;
}

QByteArrayView trimmedSpaces(QByteArrayView text)
{
    while (!text.isEmpty() && text.front() == ' ')
        text = text.sliced(1);
    while (!text.isEmpty() && text.back() == ' ')
        text.chop(1);
    return text;
}

// $cookie_NAME: the first "NAME=value" of the Cookie headers, in order, NAME in any case.
bool appendCookie(QByteArray &out, const HeaderList &headers, QByteArrayView name)
{
    bool found = false;
    headers.forEach([&](QByteArrayView header, QByteArrayView value) {
        if (!equalsIgnoreCase(header, "cookie"))
            return true;
        for (QByteArrayView rest = value; !rest.isEmpty();) {
            const auto semicolon = rest.indexOf(';');
            const QByteArrayView pair = trimmedSpaces(semicolon < 0 ? rest : rest.first(semicolon));
            rest = semicolon < 0 ? QByteArrayView() : rest.sliced(semicolon + 1);
            const auto eq = pair.indexOf('=');
            if (eq >= 0 && trimmedSpaces(pair.first(eq)).compare(name, Qt::CaseInsensitive) == 0) {
                out.append(trimmedSpaces(pair.sliced(eq + 1)));
                found = true;
                return false;
            }
        }
        return true;
    });
    return found;
}

// $upstream_cookie_NAME: the Set-Cookie header that sets NAME, its value up to ';'.
bool appendSetCookie(QByteArray &out, const HeaderList &headers, QByteArrayView name)
{
    bool found = false;
    headers.forEach([&](QByteArrayView header, QByteArrayView value) {
        if (!equalsIgnoreCase(header, "set-cookie") || value.size() <= name.size() || value[name.size()] != '=' ||
            value.first(name.size()).compare(name, Qt::CaseInsensitive) != 0)
            return true;
        const QByteArrayView rest = value.sliced(name.size() + 1);
        const auto semicolon = rest.indexOf(';');
        out.append(semicolon < 0 ? rest : rest.first(semicolon));
        found = true;
        return false;
    });
    return found;
}

bool appendHost(QByteArray &out, const RequestContext &context)
{
    if (!context.host.isEmpty()) {
        out.append(context.host);
        return true;
    }
    QByteArray header;
    if (!context.authority.isEmpty()) {
        appendHostName(out, context.authority);
        return true;
    }
    if (context.requestHeaders.appendFirst("host", header) && !header.isEmpty()) {
        appendHostName(out, header);
        return true;
    }
    out.append(context.serverName);
    return !context.serverName.isEmpty();
}

bool appendBinaryAddress(QByteArray &out, QByteArrayView text)
{
    const QHostAddress address(QString::fromLatin1(text));
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    if (isIPv4) {
        const quint32 bigEndian = qToBigEndian(ipv4);
        out.append(reinterpret_cast<const char *>(&bigEndian), sizeof bigEndian);
        return true;
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    const Q_IPV6ADDR ipv6 = address.toIPv6Address();
    out.append(reinterpret_cast<const char *>(ipv6.c), sizeof ipv6.c);
    return true;
}

const QByteArray &hostName()
{
    static const QByteArray name = QSysInfo::machineHostName().toLower().toUtf8(); // nginx lowercases it
    return name;
}

qint64 nowMs(const RequestContext &context)
{
    return context.timeMs ? *context.timeMs : QDateTime::currentMSecsSinceEpoch();
}

bool appendRequestLine(QByteArray &out, const RequestContext &context)
{
    if (context.method.isEmpty())
        return false;
    out.append(context.method);
    out.append(' ');
    out.append(context.absoluteTarget.isEmpty() ? context.target : context.absoluteTarget);
    out.append(" HTTP/");
    appendNumber(out, context.versionMajor);
    out.append('.');
    appendNumber(out, context.versionMinor);
    return true;
}

} // namespace

bool appendVariable(const TemplatePart &part, const RequestContext &context, QByteArray &out)
{
    const QByteArrayView name = part.text;
    switch (part.variable) {
    case Variable::Literal:
        out.append(part.text);
        return true;
    case Variable::Capture:
        if (part.capture > context.captureCount)
            return false;
        out.append(context.captures[part.capture - 1]);
        return true;
    case Variable::User:
        if (context.userVariables) {
            for (const auto &[variable, value] : *context.userVariables) {
                if (variable == name) {
                    out.append(value);
                    return true;
                }
            }
        }
        // Defined somewhere, not set on this request's way: nginx's uninitialized variable,
        // found and empty ("" in a log, not "-").
        return true;

    case Variable::RemoteAddr:
        return appendView(out, context.remoteAddr);
    case Variable::BinaryRemoteAddr:
        return appendBinaryAddress(out, context.remoteAddr);
    // Found even when empty, as after realip took an address without a port.
    case Variable::RemotePort:
        return context.remotePort == 0 || appendNumber(out, context.remotePort);
    case Variable::RealipRemoteAddr:
        return appendView(out, context.realipRemoteAddr);
    case Variable::RealipRemotePort:
        return context.realipRemotePort == 0 || appendNumber(out, context.realipRemotePort);
    case Variable::RemoteUser: // no auth_basic in LB Scope: never set
        return false;
    case Variable::ServerAddr:
        return appendView(out, context.serverAddr);
    case Variable::ServerPort:
        return context.serverPort != 0 && appendNumber(out, context.serverPort);
    case Variable::ServerName:
        out.append(context.serverName);
        return true;
    case Variable::ServerProtocol:
        if (context.method.isEmpty())
            return false;
        out.append("HTTP/");
        appendNumber(out, context.versionMajor);
        out.append('.');
        appendNumber(out, context.versionMinor);
        return true;
    case Variable::Scheme:
        out.append("http");
        return true;
    case Variable::Https:
        return true; // found, and empty: no TLS
    case Variable::Connection:
        return appendNumber(out, qint64(context.connection));
    case Variable::ConnectionRequests:
        return appendNumber(out, context.connectionRequests);

    case Variable::Host:
        return appendHost(out, context);
    case Variable::Request:
        return appendRequestLine(out, context);
    case Variable::RequestMethod:
        return appendView(out, context.method);
    case Variable::RequestUri:
        return appendView(out, context.target);
    case Variable::Uri:
        if (context.rewrittenUri)
            return appendView(out, *context.rewrittenUri);
        {
            QByteArray uri;
            normalizeUriPath(targetPath(originForm(context.target)), &uri);
            return appendView(out, uri);
        }
    case Variable::Args:
        return appendView(out, context.rewrittenArgs ? QByteArrayView(*context.rewrittenArgs)
                                                     : targetArgs(originForm(context.target)));
    case Variable::IsArgs:
        if (context.rewrittenArgs ? !context.rewrittenArgs->isEmpty() : context.target.contains('?'))
            out.append('?');
        return true; // the one variable nginx always finds, even empty
    case Variable::ContentLength:
        return context.requestHeaders.appendFirst("content_length", out);
    case Variable::ContentType:
        return context.requestHeaders.appendFirst("content_type", out);
    case Variable::RequestLength:
        return appendNumber(out, context.requestLength);
    case Variable::HttpHeader:
        return context.requestHeaders.appendFirst(name, out);
    case Variable::HttpHeaderJoined:
        return context.requestHeaders.appendAll(name, name == "cookie" ? "; " : ", ", out);
    case Variable::Arg:
        return appendArgument(
            out, context.rewrittenArgs ? QByteArrayView(*context.rewrittenArgs) : queryOf(context.target), name);
    case Variable::Cookie:
        return appendCookie(out, context.requestHeaders, name);

    case Variable::ProxyHost:
        return appendView(out, context.proxyHost);
    case Variable::ProxyAddXForwardedFor:
        if (context.requestHeaders.appendAll("x_forwarded_for", ", ", out))
            out.append(", ");
        out.append(context.remoteAddr);
        return true;

    case Variable::Status:
        appendPadded(out, context.status, 3);
        return true;
    case Variable::BytesSent:
        return appendNumber(out, context.bytesSent);
    case Variable::BodyBytesSent:
        return appendNumber(out, context.bodyBytesSent);
    case Variable::SentHttp:
        // Server and Date are written by nginx's header filter: its variables never see them.
        if (name == "server" || name == "date")
            return false;
        return context.sentHeaders.appendFirst(name, out);
    case Variable::SentHttpConnection:
        out.append(context.status == 101 ? "upgrade" : context.keepAlive ? "keep-alive" : "close");
        return true;
    case Variable::SentHttpKeepAlive: // only with keepalive_timeout's header time, which LB Scope lacks
        return false;
    case Variable::RequestTime:
        appendSeconds(out, context.requestTimeMs);
        return true;
    case Variable::Msec:
        appendSeconds(out, nowMs(context));
        return true;
    case Variable::TimeLocal:
        appendTimeLocal(out, nowMs(context));
        return true;
    case Variable::TimeIso8601:
        appendTimeIso8601(out, nowMs(context));
        return true;

    case Variable::UpstreamAddr:
        return appendView(out, context.upstreamAddr);
    case Variable::UpstreamStatus:
        return appendView(out, context.upstreamStatus);
    case Variable::UpstreamConnectTime:
        return appendView(out, context.upstreamConnectTime);
    case Variable::UpstreamHeaderTime:
        return appendView(out, context.upstreamHeaderTime);
    case Variable::UpstreamResponseTime:
        return appendView(out, context.upstreamResponseTime);
    case Variable::UpstreamBytesReceived:
        return appendView(out, context.upstreamBytesReceived);
    case Variable::UpstreamBytesSent:
        return appendView(out, context.upstreamBytesSent);
    case Variable::UpstreamHttp:
        return context.upstreamHeaders.appendFirst(name, out);
    case Variable::UpstreamCookie:
        return appendSetCookie(out, context.upstreamHeaders, name);

    case Variable::Pid:
        return appendNumber(out, QCoreApplication::applicationPid());
    case Variable::Hostname:
        return appendView(out, hostName());
    case Variable::NginxVersion:
        out.append(nginxVersion);
        return true;
    case Variable::LbscopeDecision:
        return false;
    }
    return false;
}

} // namespace lbscope
