#pragma once

// The answers the proxy writes itself: error pages in nginx's shape, the Date header.

#include <QByteArray>

namespace lbscope {

QByteArrayView reasonPhrase(int status);
// The small HTML page for an error status, in nginx's shape.
QByteArray errorBody(int status);
// A complete response: status line, headers (extraHeaders are whole "Name: value\r\n" lines,
// e.g. add_header ... always) and a small HTML body (none for HEAD).
QByteArray errorResponse(int status, bool keepAlive, bool headRequest, QByteArrayView extraHeaders = {});
// return CODE TEXT: the text as a text/plain body (none for HEAD, nor for 204).
QByteArray textResponse(int status, bool keepAlive, bool headRequest, QByteArrayView body,
                        QByteArrayView extraHeaders = {});
// RFC 9110 IMF-fixdate for now, formatted at most once a second per thread.
QByteArrayView httpDate();

inline constexpr QByteArrayView serverToken = "lbscope";

} // namespace lbscope
