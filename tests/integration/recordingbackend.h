#pragma once

// A backend for framing tests: it keeps every byte each connection sent it, answers each
// complete request with 200 and a body naming itself and the body length it read, and
// closes. It can be told to drop connections unanswered instead (a peer that fails after
// the request was sent), so a proxy's retry is seen with what it sent the second time.

#include "http/messageparser.h"

#include <QTcpServer>
#include <QTcpSocket>

#include <memory>
#include <vector>

namespace lbscope::test {

class RecordingBackend : private BodyConsumer
{
public:
    explicit RecordingBackend(QByteArray name)
        : m_name(std::move(name))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] { accept(); });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray address() const { return "127.0.0.1:" + QByteArray::number(port()); }

    // The next `count` requests are read whole and their connections closed with no answer.
    void dropNext(int count) { m_drops = count; }
    // Answers with this status line ("502 Bad Gateway") and these header lines ("X-A: 1\r\n")
    // before its own.
    void setResponse(QByteArray statusLine, QByteArray extraHeaders)
    {
        m_statusLine = std::move(statusLine);
        m_extraHeaders = std::move(extraHeaders);
    }

    // Every connection's bytes, in the order connections were accepted.
    const QByteArrayList &received() const { return m_received; }
    int completeRequests() const { return m_completed; }
    qsizetype bytesReceived() const
    {
        qsizetype total = 0;
        for (const QByteArray &bytes : m_received)
            total += bytes.size();
        return total;
    }

private:
    struct Connection
    {
        QTcpSocket *socket = nullptr;
        int index = 0;
    };

    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            const int index = int(m_received.size());
            m_received.append(QByteArray());
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, index] { read(socket, index); });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *socket, int index)
    {
        m_received[index].append(socket->readAll());
        const QByteArray &bytes = m_received[index];
        MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
        parser.setBodyConsumer(this);
        m_bodyLength = 0;
        qsizetype offset = parser.execute(bytes.constData(), 0, bytes.size());
        if (parser.state() == MessageParser::State::HeadComplete) {
            parser.resume();
            offset += parser.execute(bytes.constData(), offset, bytes.size() - offset);
        }
        if (parser.state() != MessageParser::State::MessageComplete)
            return; // more to come (a malformed request is kept, and never answered)
        ++m_completed;
        socket->disconnect(socket, nullptr, nullptr, nullptr);
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (m_drops > 0) {
            --m_drops;
            socket->abort();
            socket->deleteLater();
            return;
        }
        const QByteArray body = m_name + " read " + QByteArray::number(m_bodyLength) + " body bytes\n";
        socket->write("HTTP/1.1 " + m_statusLine + "\r\n" + m_extraHeaders +
                      "Content-Length: " + QByteArray::number(body.size()) +
                      "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    void consumeBody(QByteArrayView bytes) override { m_bodyLength += bytes.size(); }

    QByteArray m_name;
    QTcpServer m_server;
    QByteArrayList m_received;
    int m_completed = 0;
    int m_drops = 0;
    QByteArray m_statusLine = "200 OK";
    QByteArray m_extraHeaders;
    qint64 m_bodyLength = 0;
};

} // namespace lbscope::test
