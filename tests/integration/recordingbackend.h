#pragma once

// A backend for framing tests: it keeps every byte each connection sent it, answers each
// complete request with 200 and a body naming itself and the body length it read, and
// closes. It can be told to drop connections unanswered instead (a peer that fails after
// the request was sent), so a proxy's retry is seen with what it sent the second time; to
// answer with another status and header lines (a redirect); to keep connections open for
// further requests; or to answer once the head is in (a request whose body never comes).

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
    // The status and extra header lines ("Location: /x\r\n") of every answer.
    void setResponse(int status, QByteArray headerLines)
    {
        setResponse(QByteArray::number(status) + (status == 200 ? " OK" : " Answer"), std::move(headerLines));
    }
    // The same with a status line of its own ("502 Bad Gateway").
    void setResponse(QByteArray statusLine, QByteArray headerLines)
    {
        m_statusLine = std::move(statusLine);
        m_headerLines = std::move(headerLines);
    }
    // Answer with "Connection: keep-alive" and read the next request on the same connection.
    void setKeepAlive(bool keepAlive) { m_keepAlive = keepAlive; }
    // Answer as soon as a request's head is complete, whatever its body.
    void setAnswerAfterHead(bool afterHead) { m_answerAfterHead = afterHead; }

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
            auto answered = std::make_shared<qsizetype>(0); // bytes of requests already answered
            QObject::connect(socket, &QTcpSocket::readyRead, socket,
                             [this, socket, index, answered] { read(socket, index, answered.get()); });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *socket, int index, qsizetype *answered)
    {
        m_received[index].append(socket->readAll());
        // Bounded: each turn answers one request, and there are no more than bytes.
        while (*answered < m_received[index].size()) {
            const QByteArray &bytes = m_received[index];
            MessageParser parser(MessageParser::Kind::Request, HeadLimits{});
            parser.setBodyConsumer(this);
            m_bodyLength = 0;
            qsizetype offset = parser.execute(bytes.constData(), *answered, bytes.size() - *answered);
            const bool headOnly = m_answerAfterHead && parser.state() == MessageParser::State::HeadComplete;
            if (parser.state() == MessageParser::State::HeadComplete && !headOnly) {
                parser.resume();
                offset += parser.execute(bytes.constData(), *answered + offset, bytes.size() - *answered - offset);
            }
            if (parser.state() != MessageParser::State::MessageComplete && !headOnly)
                return; // more to come (a malformed request is kept, and never answered)
            *answered = headOnly ? bytes.size() : *answered + offset;
            ++m_completed;
            if (!answer(socket))
                return;
        }
    }

    // False once the connection is closed.
    bool answer(QTcpSocket *socket)
    {
        const bool keepAlive = m_keepAlive && m_drops == 0;
        if (!keepAlive) {
            socket->disconnect(socket, nullptr, nullptr, nullptr);
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
        if (m_drops > 0) {
            --m_drops;
            socket->abort();
            socket->deleteLater();
            return false;
        }
        const QByteArray body = m_name + " read " + QByteArray::number(m_bodyLength) + " body bytes\n";
        socket->write("HTTP/1.1 " + m_statusLine + "\r\n" +
                      m_headerLines +
                      "Content-Length: " + QByteArray::number(body.size()) +
                      (keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n") +
                      body);
        if (keepAlive)
            return true;
        socket->disconnectFromHost();
        return false;
    }

    void consumeBody(QByteArrayView bytes) override { m_bodyLength += bytes.size(); }

    QByteArray m_name;
    QTcpServer m_server;
    QByteArrayList m_received;
    int m_completed = 0;
    int m_drops = 0;
    QByteArray m_statusLine = "200 OK";
    QByteArray m_headerLines;
    bool m_keepAlive = false;
    bool m_answerAfterHead = false;
    qint64 m_bodyLength = 0;
};

} // namespace lbscope::test
