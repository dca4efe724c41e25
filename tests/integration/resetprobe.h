#pragma once

// A plain blocking TCP client for telling a reset (RST) from an orderly close (FIN), which
// QTcpSocket reports alike: connect, send a request, then see what the first read meets.

#include <QByteArray>
#include <QHostAddress>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace lbscope::test {

class ResetProbe
{
public:
    ResetProbe() = default;
    ~ResetProbe()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Q_DISABLE_COPY_MOVE(ResetProbe)

    bool connectTo(quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in peer{};
        peer.sin_family = AF_INET;
        peer.sin_port = htons(port);
        peer.sin_addr.s_addr = htonl(address.toIPv4Address());
        return m_fd >= 0 && ::connect(m_fd, reinterpret_cast<const sockaddr *>(&peer), sizeof peer) == 0;
    }

    bool send(const QByteArray &bytes)
    {
        return ::send(m_fd, bytes.constData(), size_t(bytes.size()), 0) == ssize_t(bytes.size());
    }

    // True when, within timeoutMs, the first read fails with ECONNRESET (no byte first).
    bool waitForReset(int timeoutMs)
    {
        pollfd readable{m_fd, POLLIN, 0};
        if (::poll(&readable, 1, timeoutMs) != 1)
            return false;
        char byte = 0;
        return ::recv(m_fd, &byte, 1, 0) == -1 && errno == ECONNRESET;
    }

private:
    int m_fd = -1;
};

} // namespace lbscope::test
