#include "proxy/errorpages.h"

#include <QDateTime>
#include <QLocale>

#include <http_parser.h>

namespace lbscope {

QByteArrayView reasonPhrase(int status)
{
    if (status == 413)
        return "Request Entity Too Large"; // nginx's wording
    if (status == 414)
        return "Request-URI Too Large";
    return http_status_str(static_cast<http_status>(status));
}

QByteArrayView httpDate()
{
    thread_local qint64 formattedSecond = -1;
    thread_local QByteArray formatted;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != formattedSecond) {
        formattedSecond = now;
        formatted = QLocale::c()
                        .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC),
                                  QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                        .toLatin1();
    }
    return formatted;
}

QByteArray errorBody(int status)
{
    const QByteArray title = QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray();
    return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
           "</h1></center>\r\n<hr><center>" + serverToken.toByteArray() + "</center>\r\n</body>\r\n</html>\r\n";
}

QByteArray errorResponse(int status, bool keepAlive, bool headRequest, QByteArrayView extraHeaders)
{
    const QByteArray title = QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray();
    const QByteArray body = errorBody(status);
    QByteArray response =
        "HTTP/1.1 " + title + "\r\nServer: " + serverToken.toByteArray() + "\r\nDate: " + httpDate().toByteArray() +
        "\r\nContent-Type: text/html\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\nConnection: " + (keepAlive ? "keep-alive" : "close") + "\r\n" + extraHeaders.toByteArray() + "\r\n";
    if (!headRequest)
        response += body;
    return response;
}

} // namespace lbscope
