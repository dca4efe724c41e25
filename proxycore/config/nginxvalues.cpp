#include "nginxvalues.h"

#include "proxyconfig.h"

#include <QHostAddress>

#include <algorithm>
#include <array>
#include <limits>

using namespace Qt::StringLiterals;

namespace lbscope::nginx {

namespace {

constexpr qint64 maxValue = std::numeric_limits<qint64>::max();

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// Units in the order nginx requires them: each must be smaller than the one before.
enum class TimeStep {
    Start,
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Last
};

struct TimeUnit
{
    TimeStep step;
    qint64 seconds; // 0 for milliseconds
};

// The unit starting at text[*pos] (advanced past it), or nullopt for a character nginx rejects.
std::optional<TimeUnit> takeTimeUnit(QStringView text, qsizetype *pos)
{
    const QChar c = text[(*pos)++];
    if (c == u'm' && *pos < text.size() && text[*pos] == u's') {
        ++*pos;
        return TimeUnit{TimeStep::Millisecond, 0};
    }
    switch (c.unicode()) {
    case u'y':
        return TimeUnit{TimeStep::Year, 365 * 86400};
    case u'M':
        return TimeUnit{TimeStep::Month, 30 * 86400};
    case u'w':
        return TimeUnit{TimeStep::Week, 7 * 86400};
    case u'd':
        return TimeUnit{TimeStep::Day, 86400};
    case u'h':
        return TimeUnit{TimeStep::Hour, 3600};
    case u'm':
        return TimeUnit{TimeStep::Minute, 60};
    case u's':
        return TimeUnit{TimeStep::Second, 1};
    case u' ':
        return TimeUnit{TimeStep::Last, 1}; // a bare number followed by a space: seconds
    default:
        return std::nullopt;
    }
}

// Whether the unit may follow the previous one: "y" only first, "ms" never in seconds mode,
// and a space after a bare number ends the list of units.
bool unitAllowed(const TimeUnit &unit, TimeStep previous, bool inSeconds)
{
    switch (unit.step) {
    case TimeStep::Year:
        return previous == TimeStep::Start;
    case TimeStep::Millisecond:
        return !inSeconds && previous < TimeStep::Millisecond;
    case TimeStep::Last:
        return previous < TimeStep::Second;
    default:
        return previous < unit.step;
    }
}

bool addScaled(qint64 *total, qint64 value, qint64 scale)
{
    if (value > maxValue / scale)
        return false;
    value *= scale;
    if (*total > maxValue - value)
        return false;
    *total += value;
    return true;
}

std::optional<qint64> parseTime(QStringView text, bool inSeconds)
{
    // In milliseconds mode nginx starts after "month": years and months are not accepted.
    TimeStep step = inSeconds ? TimeStep::Start : TimeStep::Month;
    const qint64 secondScale = inSeconds ? 1 : 1000;
    qint64 total = 0;
    qint64 value = 0;
    bool sawDigit = false;
    qsizetype pos = 0;
    while (pos < text.size()) {
        if (isAsciiDigit(text[pos])) {
            const int digit = text[pos++].unicode() - u'0';
            if (value > (maxValue - digit) / 10)
                return std::nullopt;
            value = value * 10 + digit;
            sawDigit = true;
            continue;
        }
        const std::optional<TimeUnit> unit = takeTimeUnit(text, &pos);
        if (!unit || !unitAllowed(*unit, step, inSeconds))
            return std::nullopt;
        step = unit->step;
        const qint64 scale = unit->step == TimeStep::Millisecond ? 1 : unit->seconds * secondScale;
        if (!addScaled(&total, value, scale))
            return std::nullopt;
        value = 0;
        while (pos < text.size() && text[pos] == u' ')
            ++pos;
    }
    // A trailing number without a unit counts as seconds, whatever came before it.
    if (!sawDigit || !addScaled(&total, value, secondScale))
        return std::nullopt;
    return total;
}

struct SizeUnit
{
    char16_t letter;
    qint64 scale;
};

constexpr std::array<SizeUnit, 3> sizeUnits = {{{u'g', 1024 * 1024 * 1024}, {u'm', 1024 * 1024}, {u'k', 1024}}};

bool unitUsable(const SizeUnit &unit, SizeUnits units)
{
    return unit.letter != u'g' || units == SizeUnits::UpToGiga;
}

bool isIpv6Literal(const QString &host)
{
    QHostAddress address;
    return address.setAddress(host) && address.protocol() == QAbstractSocket::IPv6Protocol;
}

std::optional<quint16> parsePort(QStringView text)
{
    const std::optional<qint64> port = parseNumber(text);
    if (!port || *port < 1 || *port > 65535)
        return std::nullopt;
    return quint16(*port);
}

std::optional<HostPort> fail(AddressError *error, AddressError reason)
{
    if (error)
        *error = reason;
    return std::nullopt;
}

// "[v6]" or "[v6]:port".
std::optional<HostPort> splitBracketed(QStringView text, AddressError *error)
{
    const qsizetype close = text.indexOf(u']');
    if (close < 0)
        return fail(error, AddressError::InvalidHost);
    HostPort result;
    result.host = text.mid(1, close - 1).toString();
    if (!isIpv6Literal(result.host))
        return fail(error, AddressError::InvalidIpv6);
    const QStringView rest = text.mid(close + 1);
    if (rest.isEmpty())
        return result;
    if (!rest.startsWith(u':'))
        return fail(error, AddressError::InvalidHost);
    const std::optional<quint16> port = parsePort(rest.mid(1));
    if (!port)
        return fail(error, AddressError::InvalidPort);
    result.port = *port;
    result.hasPort = true;
    return result;
}

struct NextUpstreamCondition
{
    QLatin1StringView word;
    quint32 flag;
};

constexpr std::array<NextUpstreamCondition, 12> nextUpstreamConditions = {{
    {"error"_L1, NextUpstreamError},
    {"timeout"_L1, NextUpstreamTimeout},
    {"invalid_header"_L1, NextUpstreamInvalidHeader},
    {"http_500"_L1, NextUpstreamHttp500},
    {"http_502"_L1, NextUpstreamHttp502},
    {"http_503"_L1, NextUpstreamHttp503},
    {"http_504"_L1, NextUpstreamHttp504},
    {"http_403"_L1, NextUpstreamHttp403},
    {"http_404"_L1, NextUpstreamHttp404},
    {"http_429"_L1, NextUpstreamHttp429},
    {"non_idempotent"_L1, NextUpstreamNonIdempotent},
    {"off"_L1, NextUpstreamOff},
}};

bool hasForbiddenHostCharacter(QStringView host)
{
    for (const QChar c : host) {
        if (c.isSpace() || c == u'/' || c == u'?' || c == u'[' || c == u']')
            return true;
    }
    return false;
}

} // namespace

std::optional<qint64> parseNumber(QStringView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const QChar c : text) {
        if (!isAsciiDigit(c))
            return std::nullopt;
        const int digit = c.unicode() - u'0';
        if (value > (maxValue - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::optional<qint64> parseTimeMs(QStringView text)
{
    return parseTime(text, false);
}

std::optional<qint64> parseTimeSeconds(QStringView text)
{
    return parseTime(text, true);
}

std::optional<qint64> parseSize(QStringView text, SizeUnits units)
{
    if (text.isEmpty())
        return std::nullopt;
    const QChar last = text.back().toLower();
    for (const SizeUnit &unit : sizeUnits) {
        if (last != QChar(unit.letter) || !unitUsable(unit, units))
            continue;
        const std::optional<qint64> value = parseNumber(text.chopped(1));
        if (!value || *value > maxValue / unit.scale)
            return std::nullopt;
        return *value * unit.scale;
    }
    return parseNumber(text);
}

QString formatTimeMs(qint64 ms)
{
    if (ms % 1000 != 0)
        return QString::number(ms) + "ms"_L1;
    return formatTimeSeconds(ms / 1000);
}

QString formatTimeSeconds(qint64 seconds)
{
    if (seconds == 0)
        return u"0"_s;
    if (seconds % 86400 == 0)
        return QString::number(seconds / 86400) + u'd';
    if (seconds % 3600 == 0)
        return QString::number(seconds / 3600) + u'h';
    if (seconds % 60 == 0)
        return QString::number(seconds / 60) + u'm';
    return QString::number(seconds) + u's';
}

QString formatSize(qint64 bytes, SizeUnits units)
{
    if (bytes != 0) {
        for (const SizeUnit &unit : sizeUnits) {
            if (unitUsable(unit, units) && bytes % unit.scale == 0)
                return QString::number(bytes / unit.scale) + QChar(unit.letter);
        }
    }
    return QString::number(bytes);
}

std::optional<HostPort> splitHostPort(QStringView text, AddressError *error)
{
    if (error)
        *error = AddressError::None;
    if (text.startsWith("unix:"_L1, Qt::CaseInsensitive)) {
        if (text.size() == 5)
            return fail(error, AddressError::NoHost);
        return HostPort{text.mid(5).toString(), 0, false, true};
    }
    if (text.startsWith(u'['))
        return splitBracketed(text, error);

    const qsizetype colon = text.indexOf(u':');
    const QStringView host = colon < 0 ? text : text.left(colon);
    if (hasForbiddenHostCharacter(text))
        return fail(error, AddressError::InvalidHost);
    if (host.isEmpty())
        return fail(error, AddressError::NoHost);
    HostPort result{host.toString(), 0, false, false};
    if (colon < 0)
        return result;
    const std::optional<quint16> port = parsePort(text.mid(colon + 1));
    if (!port)
        return fail(error, AddressError::InvalidPort);
    result.port = *port;
    result.hasPort = true;
    return result;
}

std::optional<HostPort> splitListenAddress(QStringView text, AddressError *error)
{
    const bool portOnly = !text.isEmpty() && std::all_of(text.begin(), text.end(), isAsciiDigit);
    if (portOnly) {
        const std::optional<quint16> port = parsePort(text);
        if (!port)
            return fail(error, AddressError::InvalidPort);
        if (error)
            *error = AddressError::None;
        return HostPort{QString(), *port, true, false};
    }
    std::optional<HostPort> result = splitHostPort(text, error);
    if (!result || result->isUnix)
        return result;
    // "*" names every IPv4 address, as 0.0.0.0 does; only a bare port leaves the host empty
    // (which LB Scope binds on loopback: routing.cpp, listenAddress).
    if (result->host == "*"_L1)
        result->host = u"0.0.0.0"_s;
    if (!result->hasPort)
        result->port = 80;
    return result;
}

QString joinHostPort(const QString &host, quint16 port)
{
    if (host.contains(u':'))
        return u'[' + host + "]:"_L1 + QString::number(port);
    return host + u':' + QString::number(port);
}

QString quoteArgument(const QString &value)
{
    static const QString special = u" \t\r\n;{}#\"'\\"_s;
    const bool needsQuotes =
        value.isEmpty() || std::any_of(value.begin(), value.end(), [](QChar c) { return special.contains(c); });
    if (!needsQuotes)
        return value;
    QString quoted = u"\""_s;
    for (const QChar c : value) {
        switch (c.unicode()) {
        case u'"':
            quoted += "\\\""_L1;
            break;
        case u'\\':
            quoted += "\\\\"_L1;
            break;
        case u'\t':
            quoted += "\\t"_L1;
            break;
        case u'\r':
            quoted += "\\r"_L1;
            break;
        case u'\n':
            quoted += "\\n"_L1;
            break;
        default:
            quoted += c;
        }
    }
    return quoted + u'"';
}

std::optional<quint32> parseNextUpstreamCondition(QStringView word)
{
    for (const NextUpstreamCondition &condition : nextUpstreamConditions) {
        if (word == condition.word)
            return condition.flag;
    }
    return std::nullopt;
}

QStringList formatNextUpstream(quint32 flags)
{
    QStringList words;
    for (const NextUpstreamCondition &condition : nextUpstreamConditions) {
        if (flags & condition.flag)
            words.append(condition.word);
    }
    return words;
}

bool isRedirectUrl(const QString &text)
{
    return text.startsWith("http://"_L1) || text.startsWith("https://"_L1) || text.startsWith("$scheme"_L1);
}

} // namespace lbscope::nginx
