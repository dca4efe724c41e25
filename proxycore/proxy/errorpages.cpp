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
    if (status == 302)
        return "Moved Temporarily"; // the status line's; the page's title says "Found"
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
    const QByteArray title =
        QByteArray::number(status) + ' ' + (status == 302 ? QByteArrayView("Found") : reasonPhrase(status)).toByteArray();
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

QByteArray textResponse(int status, bool keepAlive, bool headRequest, QByteArrayView body, QByteArrayView extraHeaders)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray() +
                          "\r\nServer: " + serverToken.toByteArray() + "\r\nDate: " + httpDate().toByteArray() + "\r\n";
    if (status != 204) {
        // nginx's default_type, which LB Scope does not read
        response += "Content-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    response += "Connection: " + QByteArray(keepAlive ? "keep-alive" : "close") + "\r\n" + extraHeaders.toByteArray() +
                "\r\n";
    if (!headRequest && status != 204)
        response += body.toByteArray();
    return response;
}

} // namespace lbscope
