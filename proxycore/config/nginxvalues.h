#pragma once

// nginx's value syntax for numbers, times, sizes and addresses, read and written back.
// Parsing accepts exactly what nginx 1.22 accepts, so a value that loads here loads there.

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace lbscope::nginx {

// A plain non-negative decimal, as nginx's ngx_atoi: digits only, no sign, no overflow.
std::optional<qint64> parseNumber(QStringView text);

// nginx time syntax: "10" (seconds), "10s", "500ms", "1m30s", "1h 30m", units d h m s ms
// (and w). Returns milliseconds; nullopt if nginx would say "invalid value".
std::optional<qint64> parseTimeMs(QStringView text);

// The same syntax where nginx counts whole seconds (fail_timeout=): "ms" is rejected,
// "y" and "M" (year, month) are allowed. Returns seconds.
std::optional<qint64> parseTimeSeconds(QStringView text);

enum class SizeUnits {
    UpToMega, // k and m: nginx's size slots (proxy_buffer_size, zone sizes)
    UpToGiga, // k, m and g: nginx's offset slots (client_max_body_size)
};

// "1024", "8k", "1m", "1g" (case-insensitive units) in bytes.
std::optional<qint64> parseSize(QStringView text, SizeUnits units = SizeUnits::UpToGiga);

// The shortest single-unit form nginx reads back: 10000 -> "10s", 1500 -> "1500ms", 0 -> "0".
QString formatTimeMs(qint64 ms);
QString formatTimeSeconds(qint64 seconds);
QString formatSize(qint64 bytes, SizeUnits units = SizeUnits::UpToGiga);

// "host", "host:port", "[v6]", "[v6]:port" or "unix:/path", split.
struct HostPort
{
    QString host; // without brackets; for "unix:" the socket path
    quint16 port = 0;
    bool hasPort = false;
    bool isUnix = false;

    friend bool operator==(const HostPort &, const HostPort &) = default;
};

enum class AddressError {
    None,
    NoHost,      // "", ":80"
    InvalidHost, // "a/b", "[::1"
    InvalidIpv6, // "[zz]:80"
    InvalidPort, // "a:", "a:0", "a:99999", "a:x"
};

std::optional<HostPort> splitHostPort(QStringView text, AddressError *error = nullptr);

// A listen directive's address: "8080", "*:8080", "127.0.0.1", "[::1]:8080". "*" gives host
// 0.0.0.0; the host is empty for a port alone; the port is 80 when not given.
std::optional<HostPort> splitListenAddress(QStringView text, AddressError *error = nullptr);

// "host:port", with brackets around an IPv6 host.
QString joinHostPort(const QString &host, quint16 port);

// A configuration argument as nginx reads it back: quoted (with escapes) when it is empty
// or holds whitespace, ';', '{', '}', '#', quotes or a backslash; as it is otherwise.
QString quoteArgument(const QString &value);

// A return, rewrite or error_page target that sends the client elsewhere rather than to a URI
// of this server: "http://...", "https://..." or "$scheme...", as nginx tells them apart.
bool isRedirectUrl(const QString &text);

// proxy_next_upstream's words ("error", "http_502", "off", ...) as NextUpstreamFlag bits.
std::optional<quint32> parseNextUpstreamCondition(QStringView word);
QStringList formatNextUpstream(quint32 flags); // in nginx's documented order

} // namespace lbscope::nginx
