#pragma once

// Parts of a request target and of a Host value, as nginx's variables take them apart.

#include <QByteArray>
#include <QByteArrayView>

namespace lbscope {

// "/photos/7?size=2" -> "/photos/7"
inline QByteArrayView pathOf(QByteArrayView target)
{
    const auto query = target.indexOf('?');
    return query < 0 ? target : target.first(query);
}

// "/photos/7?size=2" -> "size=2"
inline QByteArrayView queryOf(QByteArrayView target)
{
    const auto query = target.indexOf('?');
    return query < 0 ? QByteArrayView() : target.sliced(query + 1);
}

// $arg_NAME: the value of the first NAME=... in "a=1&b=2" (NAME in any case), empty when
// there is none.
inline QByteArrayView argumentOf(QByteArrayView query, QByteArrayView name)
{
    while (!query.isEmpty()) {
        const auto amp = query.indexOf('&');
        const QByteArrayView pair = amp < 0 ? query : query.first(amp);
        const auto eq = pair.indexOf('=');
        const QByteArrayView key = eq < 0 ? pair : pair.first(eq);
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return eq < 0 ? QByteArrayView() : pair.sliced(eq + 1);
        query = amp < 0 ? QByteArrayView() : query.sliced(amp + 1);
    }
    return {};
}

// "Photos.example.com:8080" -> "Photos.example.com"; "[::1]:8080" -> "[::1]"
inline QByteArrayView hostWithoutPort(QByteArrayView host)
{
    if (host.startsWith('[')) {
        const auto close = host.indexOf(']');
        return close >= 0 ? host.first(close + 1) : host;
    }
    const auto colon = host.lastIndexOf(':');
    return colon >= 0 ? host.first(colon) : host;
}

// $host: the name without its port and a trailing dot, in lower case.
inline void appendHostName(QByteArray &out, QByteArrayView host)
{
    QByteArrayView name = hostWithoutPort(host);
    if (name.endsWith('.'))
        name.chop(1);
    out.append(name.toByteArray().toLower());
}

} // namespace lbscope
