#pragma once

// Socket pieces that the proxy's client side and the demo web app share: the client's
// address as text, and the first stage of a graceful close.

#include <QAbstractSocket>
#include <QByteArray>
#include <QHostAddress>

#include <sys/socket.h>

namespace lbscope {

// "127.0.0.1", also for an IPv4 client seen on a dual-stack socket as ::ffff:127.0.0.1.
inline QByteArray addressText(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return (isV4 ? QHostAddress(v4) : address).toString().toLatin1();
}

// RFC 9112 9.6: stop sending, keep reading a little so that unread request bytes do not
// turn our close into a reset that destroys the response before the client reads it. The
// caller drains what still arrives and closes on EOF or after a lingering timeout.
inline void shutdownSending(QAbstractSocket &socket)
{
    ::shutdown(int(socket.socketDescriptor()), SHUT_WR);
    socket.skip(socket.bytesAvailable());
}

} // namespace lbscope
