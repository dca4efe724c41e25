#include "traffic/trafficplan.h"

#include <QRandomGenerator>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isTokenChar(char ch)
{
    static constexpr QByteArrayView specials("!#$%&'*+-.^_`|~");
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || specials.contains(ch);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

bool isVisibleAscii(char16_t ch)
{
    return ch > 0x20 && ch < 0x7f;
}

bool hasLineBreakOrNul(QByteArrayView value)
{
    return value.contains('\r') || value.contains('\n') || value.contains('\0');
}

// The header names the generator writes itself, and why.
QString reservedHeaderMessage(QByteArrayView name)
{
    const QByteArray lower = name.toByteArray().toLower();
    if (lower == "host")
        return u"set the Host header through the plan's host, not as an extra header"_s;
    if (lower == "connection")
        return u"the Connection header follows the keep-alive setting"_s;
    if (lower == "content-length" || lower == "transfer-encoding")
        return u"the body framing (%1) follows the body size"_s.arg(QString::fromLatin1(name));
    return {};
}

std::optional<quint64> parseBound(QStringView text)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok || text.isEmpty() || !std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit(); }))
        return std::nullopt;
    return value;
}

std::optional<TrafficPlan::PathPart> parsePlaceholder(QStringView name, QString *error)
{
    TrafficPlan::PathPart part;
    if (name == u"n") {
        part.kind = TrafficPlan::PathPart::Kind::Counter;
        return part;
    }
    if (name.startsWith(u"rand:")) {
        const QStringView range = name.mid(5);
        const qsizetype dash = range.indexOf(u'-');
        const auto low = parseBound(range.left(dash));
        const auto high = dash < 0 ? std::nullopt : parseBound(range.mid(dash + 1));
        if (!low || !high || *low > *high || *high > TrafficPlan::MaxRandomBound) {
            *error = u"{%1}: expected {rand:A-B} with whole numbers 0 <= A <= B <= 2^53"_s.arg(name);
            return std::nullopt;
        }
        part.kind = TrafficPlan::PathPart::Kind::Random;
        part.low = *low;
        part.high = *high;
        return part;
    }
    *error = u"unknown placeholder {%1} (use {n} or {rand:A-B})"_s.arg(name);
    return std::nullopt;
}

} // namespace

bool TrafficPlan::setUrl(const QString &url, QString *error)
{
    const auto scheme = "http://"_L1;
    if (!url.startsWith(scheme, Qt::CaseInsensitive)) {
        *error = url.contains("://"_L1) ? u"only http:// URLs are supported: %1"_s.arg(url)
                                        : u"not a URL (expected http://HOST[:PORT]/PATH): %1"_s.arg(url);
        return false;
    }
    const QStringView rest = QStringView(url).mid(scheme.size());
    qsizetype authorityEnd = rest.size();
    for (const char16_t stop : {u'/', u'?', u'#'}) {
        const qsizetype at = rest.indexOf(stop);
        if (at >= 0)
            authorityEnd = std::min(authorityEnd, at);
    }
    const QStringView authority = rest.left(authorityEnd);
    QStringView path = rest.mid(authorityEnd);
    if (const qsizetype fragment = path.indexOf(u'#'); fragment >= 0)
        path = path.left(fragment); // a fragment never goes on the wire
    if (authority.isEmpty()) {
        *error = u"no host in %1"_s.arg(url);
        return false;
    }
    if (authority.contains(u'@')) {
        *error = u"user information in URLs is not supported: %1"_s.arg(url);
        return false;
    }

    QStringView hostText = authority;
    QStringView portText;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0 || (close + 1 < authority.size() && authority[close + 1] != u':')) {
            *error = u"bad IPv6 host in %1"_s.arg(url);
            return false;
        }
        hostText = authority.mid(1, close - 1);
        portText = authority.mid(close + 1);
    } else if (const qsizetype colon = authority.lastIndexOf(u':'); colon >= 0) {
        hostText = authority.left(colon);
        portText = authority.mid(colon);
    }
    quint16 parsedPort = 80;
    if (!portText.isEmpty()) {
        const auto value = parseBound(portText.mid(1));
        if (!value || *value < 1 || *value > 65535) {
            *error = u"bad port in %1"_s.arg(url);
            return false;
        }
        parsedPort = quint16(*value);
    }
    QHostAddress parsedAddress;
    if (hostText.compare(u"localhost", Qt::CaseInsensitive) == 0)
        parsedAddress = QHostAddress(QHostAddress::LocalHost);
    else if (!parsedAddress.setAddress(hostText.toString())) {
        *error = u"\"%1\" is not an IP address (only localhost is looked up by name)"_s.arg(hostText);
        return false;
    }

    address = parsedAddress;
    port = parsedPort;
    host = authority.toLatin1();
    pathTemplate = path.isEmpty() ? u"/"_s : path.startsWith(u'?') ? u'/' + path.toString() : path.toString();
    return true;
}

QString TrafficPlan::validate() const
{
    if (address.isNull())
        return u"no target address"_s;
    if (port == 0)
        return u"the target port must be 1 to 65535"_s;
    if (!isToken(method))
        return u"\"%1\" is not an HTTP method"_s.arg(QString::fromLatin1(method));
    QString error;
    if (parsePathTemplate(pathTemplate, &error).isEmpty())
        return u"path %1: %2"_s.arg(pathTemplate, error);
    if (!std::all_of(host.begin(), host.end(), [](char ch) { return isVisibleAscii(char16_t(ch)); }))
        return u"the Host header may not contain spaces or control characters"_s;
    for (const auto &[name, value] : headers) {
        if (!isToken(name))
            return u"\"%1\" is not a header name"_s.arg(QString::fromLatin1(name));
        if (hasLineBreakOrNul(value))
            return u"header %1: the value may not contain line breaks"_s.arg(QString::fromLatin1(name));
        if (const QString reserved = reservedHeaderMessage(name); !reserved.isEmpty())
            return reserved;
    }
    if (bodySize < 0 || bodySize > MaxBodySize)
        return u"the body size must be 0 to %1 bytes"_s.arg(MaxBodySize);
    if (mode == Mode::Burst && count == 0)
        return u"a burst needs a request count of at least 1"_s;
    if (mode == Mode::Rate && !(rate > 0.0 && rate <= MaxRate))
        return u"the rate must be above 0 and at most %1 requests per second"_s.arg(MaxRate, 0, 'f', 0);
    if (mode == Mode::Rate && !(durationSeconds >= 0.0 && std::isfinite(durationSeconds)))
        return u"the duration must be 0 (until stopped) or more seconds"_s;
    if (concurrency < 0 || concurrency > MaxConcurrency)
        return u"the concurrency must be 1 to %1 (0: the default)"_s.arg(MaxConcurrency);
    if (simulatedClients < 0 || simulatedClients > MaxSimulatedClients)
        return u"simulated clients must be 0 (off) to %1"_s.arg(MaxSimulatedClients);
    if (simulatedClients > 0 && !(address.protocol() == QAbstractSocket::IPv4Protocol && address.isLoopback()))
        return u"simulated clients use 127.x.y.1 source addresses: the target must be an IPv4 loopback address"_s;
    if (timeoutMs < 1)
        return u"the timeout must be at least 1 ms"_s;
    return {};
}

int TrafficPlan::effectiveConcurrency() const
{
    if (concurrency > 0)
        return concurrency;
    return mode == Mode::Single ? 1 : DefaultConcurrency;
}

QByteArray TrafficPlan::hostHeader() const
{
    if (!host.isEmpty())
        return host;
    QByteArray name = address.toString().toLatin1();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        name = '[' + name + ']';
    return port == 80 ? name : name + ':' + QByteArray::number(port);
}

bool TrafficPlan::sendsBody() const
{
    return bodySize > 0 || method == "POST" || method == "PUT" || method == "PATCH";
}

std::optional<quint64> TrafficPlan::totalRequests() const
{
    switch (mode) {
    case Mode::Single:
        return 1;
    case Mode::Burst:
        return count;
    case Mode::Rate:
        break;
    }
    std::optional<quint64> total;
    if (durationSeconds > 0.0) {
        // Request n is due at n / rate seconds; those due before the end are sent. The epsilon
        // keeps 1000/s for 3 s at 3000 when the product lands a hair above a whole number.
        const double due = std::ceil(rate * durationSeconds - 1e-9);
        total = std::max<quint64>(1, quint64(due));
    }
    if (count > 0)
        total = std::min(total.value_or(count), count);
    return total;
}

QHostAddress TrafficPlan::targetFor(const QHostAddress &listener)
{
    const bool any =
        listener == QHostAddress::Any || listener == QHostAddress::AnyIPv4 || listener == QHostAddress::AnyIPv6;
    return any ? QHostAddress(QHostAddress::LocalHost) : listener;
}

QHostAddress TrafficPlan::clientAddress(int index)
{
    const auto i = quint32(index);
    return QHostAddress((quint32(127) << 24) | ((i / 256 % 256) << 16) | ((i % 256) << 8) | 1U);
}

QList<TrafficPlan::PathPart> TrafficPlan::parsePathTemplate(const QString &text, QString *error)
{
    if (!text.startsWith(u'/')) {
        *error = u"the path must start with /"_s;
        return {};
    }
    QList<PathPart> parts;
    PathPart literal;
    const auto flushLiteral = [&] {
        if (!literal.text.isEmpty())
            parts.append(std::exchange(literal, PathPart{}));
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t ch = text[i].unicode();
        if (ch == u'{') {
            const qsizetype close = text.indexOf(u'}', i);
            if (close < 0) {
                *error = u"{ at position %1 is not closed"_s.arg(i + 1);
                return {};
            }
            const auto placeholder = parsePlaceholder(QStringView(text).mid(i + 1, close - i - 1), error);
            if (!placeholder)
                return {};
            flushLiteral();
            parts.append(*placeholder);
            i = close;
        } else if (ch == u'}') {
            *error = u"} at position %1 has no {"_s.arg(i + 1);
            return {};
        } else if (!isVisibleAscii(ch)) {
            *error = u"spaces, control and non-ASCII characters must be percent-encoded"_s;
            return {};
        } else {
            literal.text.append(char(ch));
        }
    }
    flushLiteral();
    return parts;
}

QByteArray TrafficPlan::expandPath(const QList<PathPart> &parts, quint64 sequence, QRandomGenerator &random)
{
    QByteArray path;
    for (const PathPart &part : parts) {
        switch (part.kind) {
        case PathPart::Kind::Text:
            path += part.text;
            break;
        case PathPart::Kind::Counter:
            path += QByteArray::number(sequence);
            break;
        case PathPart::Kind::Random:
            path += QByteArray::number(random.bounded(part.low, part.high + 1));
            break;
        }
    }
    return path;
}

} // namespace lbscope
