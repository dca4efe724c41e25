#include "serverfields.h"

#include "config/nginxvalues.h"

#include <limits>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// nginx's ngx_atoi: digits only. A sign or a space is refused with its own reason, since
// "-3" and " 3" are what people type.
QString readCount(const QString &text, int minimum, const QString &name, int *value)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return ServerFields::tr("%1 needs a number").arg(name);
    if (trimmed.startsWith(u'-'))
        return ServerFields::tr("%1 cannot be negative").arg(name);
    const std::optional<qint64> number = nginx::parseNumber(trimmed);
    if (!number)
        return ServerFields::tr("%1 takes a whole number, not \"%2\"").arg(name, trimmed);
    if (*number < minimum)
        return ServerFields::tr("%1 must be at least %2").arg(name).arg(minimum);
    if (*number > std::numeric_limits<int>::max())
        return ServerFields::tr("%1 is too large (at most %2)").arg(name).arg(std::numeric_limits<int>::max());
    *value = int(*number);
    return {};
}

QString readAddress(const QString &text, UpstreamServer *server)
{
    const QString trimmed = text.trimmed();
    nginx::AddressError error = nginx::AddressError::None;
    const std::optional<nginx::HostPort> hostPort = nginx::splitHostPort(trimmed, &error);
    if (!hostPort) {
        switch (error) {
        case nginx::AddressError::NoHost:
            return ServerFields::tr("the address needs a host, e.g. 127.0.0.1:3000");
        case nginx::AddressError::InvalidIpv6:
            return ServerFields::tr("not a valid IPv6 address; write it as [::1]:3000");
        case nginx::AddressError::InvalidPort:
            return ServerFields::tr("the port must be a number from 1 to 65535");
        default:
            return ServerFields::tr("not a host:port address, e.g. 127.0.0.1:3000");
        }
    }
    if (hostPort->isUnix)
        return ServerFields::tr("unix domain sockets are not supported");
    server->address = trimmed;
    server->host = hostPort->host;
    server->port = hostPort->hasPort ? hostPort->port : 80;
    return {};
}

QString readFailTimeout(const QString &text, UpstreamServer *server)
{
    const QString trimmed = text.trimmed();
    const std::optional<qint64> seconds = nginx::parseTimeSeconds(trimmed);
    if (!seconds) {
        if (nginx::parseTimeMs(trimmed))
            return ServerFields::tr("fail_timeout counts whole seconds: \"ms\" is not allowed");
        return ServerFields::tr("not an nginx time: write 10, 10s, 1m or 1m30s");
    }
    if (*seconds > std::numeric_limits<qint64>::max() / 1000)
        return ServerFields::tr("fail_timeout is too large");
    server->failTimeoutMs = *seconds * 1000;
    return {};
}

} // namespace

QString ServerFields::apply(Field field, const QString &text, UpstreamServer *server)
{
    UpstreamServer changed = *server;
    QString reason;
    switch (field) {
    case Field::Address:
        reason = readAddress(text, &changed);
        break;
    case Field::Weight:
        reason = readCount(text, 1, u"weight"_s, &changed.weight);
        break;
    case Field::MaxFails:
        reason = readCount(text, 0, u"max_fails"_s, &changed.maxFails);
        break;
    case Field::FailTimeout:
        reason = readFailTimeout(text, &changed);
        break;
    case Field::MaxConns:
        reason = readCount(text, 0, u"max_conns"_s, &changed.maxConns);
        break;
    }
    if (reason.isEmpty())
        *server = changed;
    return reason;
}

QString ServerFields::text(Field field, const UpstreamServer &server)
{
    switch (field) {
    case Field::Address:
        return server.address;
    case Field::Weight:
        return QString::number(server.weight);
    case Field::MaxFails:
        return QString::number(server.maxFails);
    case Field::FailTimeout:
        return nginx::formatTimeSeconds(server.failTimeoutMs / 1000);
    case Field::MaxConns:
        return QString::number(server.maxConns);
    }
    return {};
}

QString ServerFields::hint(Field field)
{
    switch (field) {
    case Field::Address:
        return tr("host:port, e.g. 127.0.0.1:3000");
    case Field::Weight:
        return tr("1 or more");
    case Field::MaxFails:
        return tr("0 or more; 0: never mark failed");
    case Field::FailTimeout:
        return tr("whole seconds: 10, 10s, 1m");
    case Field::MaxConns:
        return tr("0 or more; 0: no limit");
    }
    return {};
}

} // namespace lbscope
