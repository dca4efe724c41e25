#include "stats/logformat.h"

#include "http/uri.h"

#include <QDateTime>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr char hexDigits[] = "0123456789ABCDEF";
constexpr const char *monthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_';
}

void appendPadded(QByteArray &out, qint64 value, int width)
{
    const QByteArray digits = QByteArray::number(value);
    for (qsizetype i = digits.size(); i < width; ++i)
        out.append('0');
    out.append(digits);
}

// nginx's "%T.%03M": whole seconds, a dot, milliseconds.
void appendSeconds(QByteArray &out, qint64 ms)
{
    ms = std::max<qint64>(ms, 0);
    out.append(QByteArray::number(ms / 1000));
    out.append('.');
    appendPadded(out, ms % 1000, 3);
}

void appendClock(QByteArray &out, const QTime &time)
{
    appendPadded(out, time.hour(), 2);
    out.append(':');
    appendPadded(out, time.minute(), 2);
    out.append(':');
    appendPadded(out, time.second(), 2);
}

void appendOffset(QByteArray &out, int offsetSeconds, bool colon)
{
    out.append(offsetSeconds < 0 ? '-' : '+');
    const int minutes = std::abs(offsetSeconds) / 60;
    appendPadded(out, minutes / 60, 2);
    if (colon)
        out.append(':');
    appendPadded(out, minutes % 60, 2);
}

// nginx logs in the server's local time zone, with its offset spelled out.
QDateTime localTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime);
}

// "24/Nov/2026:08:18:58 +0000", with English month names whatever the locale.
QByteArray formatTimeLocal(qint64 ms)
{
    const QDateTime when = localTime(ms);
    const QDate date = when.date();
    QByteArray out;
    appendPadded(out, date.day(), 2);
    out.append('/');
    out.append(monthNames[date.month() - 1]);
    out.append('/');
    out.append(QByteArray::number(date.year()));
    out.append(':');
    appendClock(out, when.time());
    out.append(' ');
    appendOffset(out, when.offsetFromUtc(), false);
    return out;
}

// "2026-11-24T08:18:58+00:00"
QByteArray formatTimeIso8601(qint64 ms)
{
    const QDateTime when = localTime(ms);
    const QDate date = when.date();
    QByteArray out;
    appendPadded(out, date.year(), 4);
    out.append('-');
    appendPadded(out, date.month(), 2);
    out.append('-');
    appendPadded(out, date.day(), 2);
    out.append('T');
    appendClock(out, when.time());
    appendOffset(out, when.offsetFromUtc(), true);
    return out;
}

// Both times change once a second, and converting to local time costs a tzset() (a stat of
// /etc/localtime) per call: like nginx's cached log times, each thread formats a second once.
std::atomic<int> timeZoneGeneration{0};

struct CachedSecond
{
    qint64 second = std::numeric_limits<qint64>::min();
    int timeZone = 0;
    QByteArray text;
};

template <QByteArray (*format)(qint64)> void appendCachedSecond(QByteArray &out, qint64 ms)
{
    thread_local CachedSecond cache;
    const qint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const int timeZone = timeZoneGeneration.load(std::memory_order_relaxed);
    if (cache.second != second || cache.timeZone != timeZone) {
        cache.text = format(second * 1000);
        cache.second = second;
        cache.timeZone = timeZone;
    }
    out.append(cache.text);
}

bool needsDefaultEscape(uchar c)
{
    return c < 0x20 || c == '"' || c == '\\' || c > 0x7e;
}

void appendDefaultEscaped(QByteArray &out, QByteArrayView value)
{
    for (const char c : value) {
        const auto byte = static_cast<uchar>(c);
        if (!needsDefaultEscape(byte)) {
            out.append(c);
            continue;
        }
        out.append("\\x");
        out.append(hexDigits[byte >> 4]);
        out.append(hexDigits[byte & 0xf]);
    }
}

// JSON string content: nginx leaves bytes from 0x7f up alone (UTF-8 passes through).
void appendJsonEscaped(QByteArray &out, QByteArrayView value)
{
    for (const char c : value) {
        const auto byte = static_cast<uchar>(c);
        if (byte >= 0x20) {
            if (c == '"' || c == '\\')
                out.append('\\');
            out.append(c);
            continue;
        }
        switch (c) {
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default:
            out.append("\\u00");
            out.append(hexDigits[byte >> 4]);
            out.append(hexDigits[byte & 0xf]);
        }
    }
}

} // namespace

QByteArray describeDecisions(const AccessRecord &record)
{
    QByteArray text;
    for (qsizetype i = 0; i < record.decisions.size(); ++i) {
        if (i > 0)
            text.append("; then ");
        text.append(record.decisions[i].describe());
    }
    return text;
}

std::optional<LogFormatter> LogFormatter::compile(const LogFormat &format, QString *error)
{
    LogFormatter formatter;
    if (format.escape == "json"_L1) {
        formatter.m_escape = Escape::Json;
    } else if (format.escape == "none"_L1) {
        formatter.m_escape = Escape::None;
    } else if (!format.escape.isEmpty() && format.escape != "default"_L1) {
        *error = u"unknown log format escaping \"%1\""_s.arg(format.escape);
        return std::nullopt;
    }
    if (!formatter.parse(format.format, error))
        return std::nullopt;
    return formatter;
}

const LogFormatter &LogFormatter::combined()
{
    static const LogFormatter formatter = [] {
        QString error;
        return *compile(combinedLogFormat(), &error);
    }();
    return formatter;
}

void LogFormatter::timeZoneChanged()
{
    timeZoneGeneration.fetch_add(1, std::memory_order_relaxed);
}

QStringList LogFormatter::ownVariables()
{
    return {u"lbscope_decision"_s};
}

// nginx's rules: "$name" or "${name}", names of ASCII letters, digits and '_'.
bool LogFormatter::parse(const QString &text, QString *error)
{
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] != u'$') {
            const qsizetype next = text.indexOf(u'$', i);
            const qsizetype end = next < 0 ? text.size() : next;
            appendPart({Variable::Literal, QStringView(text).sliced(i, end - i).toUtf8()});
            i = end;
            continue;
        }
        const qsizetype dollar = i++;
        const bool braced = i < text.size() && text[i] == u'{';
        if (braced)
            ++i;
        const qsizetype nameStart = i;
        while (i < text.size() && isNameChar(text[i]))
            ++i;
        const QStringView name = QStringView(text).sliced(nameStart, i - nameStart);
        if (name.isEmpty()) {
            *error = u"invalid parameter \"%1\""_s.arg(text.mid(dollar));
            return false;
        }
        if (braced) {
            if (i >= text.size() || text[i] != u'}') {
                *error = u"the closing bracket in \"%1\" variable is missing"_s.arg(name);
                return false;
            }
            ++i;
        }
        std::optional<Part> variable = variableNamed(name);
        if (!variable) {
            *error = u"unknown \"%1\" variable"_s.arg(name);
            return false;
        }
        appendPart(std::move(*variable));
    }
    return true;
}

void LogFormatter::appendPart(Part part)
{
    if (part.variable == Variable::Literal && !m_parts.isEmpty() && m_parts.back().variable == Variable::Literal) {
        m_parts.back().literal.append(part.literal);
        return;
    }
    m_parts.append(std::move(part));
}

std::optional<LogFormatter::Part> LogFormatter::variableNamed(QStringView name)
{
    static const std::pair<QLatin1StringView, Variable> known[] = {
        {"time_local"_L1, Variable::TimeLocal},
        {"time_iso8601"_L1, Variable::TimeIso8601},
        {"msec"_L1, Variable::Msec},
        {"status"_L1, Variable::Status},
        {"bytes_sent"_L1, Variable::BytesSent},
        {"body_bytes_sent"_L1, Variable::BodyBytesSent},
        {"request_time"_L1, Variable::RequestTime},
        {"remote_addr"_L1, Variable::RemoteAddr},
        {"remote_port"_L1, Variable::RemotePort},
        {"realip_remote_addr"_L1, Variable::RealipRemoteAddr},
        {"realip_remote_port"_L1, Variable::RealipRemotePort},
        {"remote_user"_L1, Variable::RemoteUser},
        {"request"_L1, Variable::Request},
        {"request_method"_L1, Variable::RequestMethod},
        {"request_uri"_L1, Variable::RequestUri},
        {"uri"_L1, Variable::Uri},
        {"document_uri"_L1, Variable::Uri},
        {"args"_L1, Variable::Args},
        {"query_string"_L1, Variable::Args},
        {"is_args"_L1, Variable::IsArgs},
        {"scheme"_L1, Variable::Scheme},
        {"server_protocol"_L1, Variable::ServerProtocol},
        {"host"_L1, Variable::Host},
        {"http_host"_L1, Variable::HttpHost},
        {"http_referer"_L1, Variable::HttpReferer},
        {"http_user_agent"_L1, Variable::HttpUserAgent},
        {"http_x_forwarded_for"_L1, Variable::HttpXForwardedFor},
        {"upstream_addr"_L1, Variable::UpstreamAddr},
        {"upstream_status"_L1, Variable::UpstreamStatus},
        {"upstream_connect_time"_L1, Variable::UpstreamConnectTime},
        {"upstream_header_time"_L1, Variable::UpstreamHeaderTime},
        {"upstream_response_time"_L1, Variable::UpstreamResponseTime},
        {"lbscope_decision"_L1, Variable::LbscopeDecision},
    };
    // nginx looks variables up without regard to case, the prefixed ones too.
    for (const auto &[knownName, variable] : known) {
        if (name.compare(knownName, Qt::CaseInsensitive) == 0)
            return Part{variable, {}};
    }
    if (name.size() > 5 && name.startsWith("http_"_L1, Qt::CaseInsensitive))
        return Part{Variable::HttpHeader, name.sliced(5).toLatin1().toLower()};
    if (name.size() > 4 && name.startsWith("arg_"_L1, Qt::CaseInsensitive))
        return Part{Variable::Arg, name.sliced(4).toLatin1()};
    return std::nullopt;
}

bool LogFormatter::isLogModuleValue(Variable variable)
{
    switch (variable) {
    case Variable::TimeLocal:
    case Variable::TimeIso8601:
    case Variable::Msec:
    case Variable::Status:
    case Variable::BytesSent:
    case Variable::BodyBytesSent:
    case Variable::RequestTime:
        return true;
    default:
        return false;
    }
}

QByteArray LogFormatter::format(const AccessRecord &record) const
{
    QByteArray line;
    line.reserve(256);
    appendTo(record, line);
    return line;
}

void LogFormatter::appendTo(const AccessRecord &record, QByteArray &out) const
{
    QByteArray value;
    for (const Part &part : m_parts) {
        if (part.variable == Variable::Literal) {
            out.append(part.literal);
        } else if (isLogModuleValue(part.variable)) {
            appendLogModuleValue(part.variable, record, out);
        } else {
            value.truncate(0);
            appendValue(part, record, value);
            // Variables nginx finds even when empty: $is_args, and the ports, which realip
            // leaves empty when the header gave none.
            const bool found = part.variable == Variable::IsArgs || part.variable == Variable::RemotePort ||
                               part.variable == Variable::RealipRemotePort;
            appendEscaped(value, found, out);
        }
    }
}

void LogFormatter::appendLogModuleValue(Variable variable, const AccessRecord &record, QByteArray &out)
{
    switch (variable) {
    case Variable::TimeLocal:
        appendCachedSecond<formatTimeLocal>(out, record.timeMs);
        break;
    case Variable::TimeIso8601:
        appendCachedSecond<formatTimeIso8601>(out, record.timeMs);
        break;
    case Variable::Msec:
        appendSeconds(out, record.timeMs);
        break;
    case Variable::Status:
        appendPadded(out, record.status, 3);
        break;
    case Variable::BytesSent:
        out.append(QByteArray::number(record.bytesSent));
        break;
    case Variable::BodyBytesSent:
        out.append(QByteArray::number(std::max<qint64>(record.bodyBytesSent, 0)));
        break;
    case Variable::RequestTime:
        appendSeconds(out, record.requestTimeMs);
        break;
    default:
        break;
    }
}

void LogFormatter::appendValue(const Part &part, const AccessRecord &record, QByteArray &out)
{
    switch (part.variable) {
    case Variable::RemoteAddr:
        out.append(record.clientAddress);
        break;
    case Variable::RemotePort:
        if (record.clientPort != 0)
            out.append(QByteArray::number(record.clientPort));
        break;
    case Variable::RealipRemoteAddr:
        out.append(record.peerAddress.isEmpty() ? record.clientAddress : record.peerAddress);
        break;
    case Variable::RealipRemotePort: {
        const quint16 port = record.peerAddress.isEmpty() ? record.clientPort : record.peerPort;
        if (port != 0)
            out.append(QByteArray::number(port));
        break;
    }
    case Variable::RemoteUser: // no auth_basic in LB Scope: never set
        break;
    case Variable::Request:
        out.append(record.requestLine());
        break;
    case Variable::RequestMethod:
        out.append(record.method);
        break;
    case Variable::RequestUri:
        out.append(record.uri);
        break;
    case Variable::Uri:
        out.append(QByteArray::fromPercentEncoding(pathOf(record.uri).toByteArray()));
        break;
    case Variable::Args:
        out.append(queryOf(record.uri));
        break;
    case Variable::IsArgs:
        if (record.uri.contains('?'))
            out.append('?');
        break;
    case Variable::Scheme:
        out.append("http");
        break;
    case Variable::ServerProtocol:
        if (!record.method.isEmpty())
            out.append("HTTP/" + QByteArray::number(record.versionMajor) + '.' +
                       QByteArray::number(record.versionMinor));
        break;
    case Variable::Host:
        appendHostName(out, record.host);
        break;
    case Variable::HttpHost:
        out.append(record.host);
        break;
    case Variable::HttpReferer:
        out.append(record.referer);
        break;
    case Variable::HttpUserAgent:
        out.append(record.userAgent);
        break;
    case Variable::HttpXForwardedFor:
        out.append(record.forwardedFor);
        break;
    case Variable::HttpHeader:
        out.append(record.requestHeader(part.literal));
        break;
    case Variable::Arg:
        out.append(argumentOf(queryOf(record.uri), part.literal));
        break;
    case Variable::UpstreamAddr:
        out.append(record.upstreamAddr);
        break;
    case Variable::UpstreamStatus:
        out.append(record.upstreamStatus);
        break;
    case Variable::UpstreamConnectTime:
        out.append(record.upstreamConnectTime);
        break;
    case Variable::UpstreamHeaderTime:
        out.append(record.upstreamHeaderTime);
        break;
    case Variable::UpstreamResponseTime:
        out.append(record.upstreamResponseTime);
        break;
    case Variable::LbscopeDecision:
        out.append(describeDecisions(record));
        break;
    default:
        break;
    }
}

// An empty value is nginx's "not found": "-" with the default escaping, nothing otherwise.
void LogFormatter::appendEscaped(QByteArrayView value, bool emptyIsFound, QByteArray &out) const
{
    switch (m_escape) {
    case Escape::Default:
        if (value.isEmpty() && !emptyIsFound)
            out.append('-');
        else
            appendDefaultEscaped(out, value);
        break;
    case Escape::Json:
        appendJsonEscaped(out, value);
        break;
    case Escape::None:
        out.append(value);
        break;
    }
}

} // namespace lbscope
