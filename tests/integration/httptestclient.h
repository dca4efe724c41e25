#pragma once

// A raw HTTP/1.1 client for tests: sends exactly the bytes it is given (so malformed and
// pipelined requests are possible) and frames responses with the proxy's own parser. It
// waits in an event loop woken by the socket's signals, never by sleeping or polling.

#include "http/headers.h"
#include "http/messageparser.h"

#include <QEventLoop>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>

#include <optional>

namespace lbscope::test {

struct HttpResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (equalsIgnoreCase(key, name))
                return value;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        return std::any_of(headers.cbegin(), headers.cend(),
                           [&](const auto &header) { return equalsIgnoreCase(header.first, name); });
    }
};

class HttpTestClient : private BodyConsumer
{
public:
    HttpTestClient()
        : m_parser(MessageParser::Kind::Response, HeadLimits{})
    {
        m_parser.setBodyConsumer(this);
    }

    bool connectTo(quint16 port, const QHostAddress &source = {})
    {
        if (!source.isNull() && !m_socket.bind(source, 0))
            return false;
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor([&] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }

    void send(const QByteArray &bytes) { m_socket.write(bytes); }

    // Reads one response; nullopt on timeout or when the connection ends without one.
    std::optional<HttpResponse> readResponse(bool headRequest = false, int timeoutMs = 20'000)
    {
        m_parser.reset();
        m_parser.setSkipBody(headRequest);
        m_response = HttpResponse{};
        const bool done = waitFor([&] { return step(); }, timeoutMs);
        if (!done || m_parser.state() != MessageParser::State::MessageComplete)
            return std::nullopt;
        return m_response;
    }

    // True once the peer has closed the connection (after any response bytes were read).
    bool waitForClose(int timeoutMs = 10'000)
    {
        return waitFor(
            [&] {
                m_buffer.append(m_socket.readAll());
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

    // Runs the event loop until done() holds, re-checking whenever the socket reports
    // progress; false when timeoutMs pass first.
    bool waitFor(const std::function<bool()> &done, int timeoutMs)
    {
        if (done())
            return true;
        QEventLoop loop;
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
        const auto check = [&] {
            if (done())
                loop.quit();
        };
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, check);
        QObject::connect(&m_socket, &QTcpSocket::bytesWritten, &loop, check);
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, check);
        deadline.start(timeoutMs);
        loop.exec();
        return done();
    }

    QTcpSocket &socket() { return m_socket; }
    qint64 bodyBytesSeen() const { return m_bodyBytes; }
    void setKeepBody(bool keep) { m_keepBody = keep; }

private:
    bool step()
    {
        m_buffer.append(m_socket.readAll());
        for (;;) {
            const qsizetype parsed = m_parser.execute(m_buffer.constData(), m_offset, m_buffer.size() - m_offset);
            m_offset += parsed;
            switch (m_parser.state()) {
            case MessageParser::State::HeadComplete:
                m_response.status = m_parser.statusCode();
                for (const HeaderSpan &header : m_parser.headers())
                    m_response.headers.append({header.name.in(m_buffer.constData()).toByteArray(),
                                               header.value.in(m_buffer.constData()).toByteArray()});
                m_parser.resume();
                continue;
            case MessageParser::State::MessageComplete:
                m_buffer.remove(0, m_offset);
                m_offset = 0;
                return true;
            case MessageParser::State::Failed:
                return true;
            case MessageParser::State::ReadingHead:
            case MessageParser::State::ReadingBody:
                if (m_parser.state() == MessageParser::State::ReadingBody) {
                    m_buffer.remove(0, m_offset); // body bytes were handed over: keep memory flat
                    m_offset = 0;
                }
                if (m_socket.state() == QAbstractSocket::UnconnectedState && m_socket.bytesAvailable() == 0) {
                    m_parser.finishAtEof();
                    return true;
                }
                return false;
            }
        }
    }

    void consumeBody(QByteArrayView bytes) override
    {
        m_bodyBytes += bytes.size();
        if (m_keepBody)
            m_response.body.append(bytes);
    }

    QTcpSocket m_socket;
    MessageParser m_parser;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    HttpResponse m_response;
    qint64 m_bodyBytes = 0;
    bool m_keepBody = true;
};

} // namespace lbscope::test
