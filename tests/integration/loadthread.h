#pragma once

// Keep-alive GET requests from a thread of its own, with blocking socket calls: the thread
// has no event loop, and the proxy's answers are what it waits for. Counts what it sent and
// what came back 200.

#include "http/messageparser.h"

#include <QTcpSocket>

#include <atomic>
#include <thread>

namespace lbscope::test {

class LoadThread
{
public:
    LoadThread(quint16 port, int maxRequests)
        : m_thread([this, port, maxRequests] { run(port, maxRequests); })
    {
    }
    ~LoadThread()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    // The backends answer in the test's thread: stop, and let the caller wait for the last
    // request with the event loop running rather than block in join().
    void requestStop() { m_stop = true; }
    bool isFinished() const { return m_finished; }
    int sent() const { return m_sent; }
    int ok() const { return m_ok; }
    QByteArrayList failures() const { return m_failures; }

private:
    void run(quint16 port, int maxRequests)
    {
        sendRequests(port, maxRequests);
        m_finished = true;
    }

    void sendRequests(quint16 port, int maxRequests)
    {
        QTcpSocket socket;
        MessageParser parser(MessageParser::Kind::Response, HeadLimits{});
        QByteArray buffer;
        for (int i = 0; i < maxRequests && !m_stop; ++i) {
            if (socket.state() != QAbstractSocket::ConnectedState) {
                socket.abort();
                socket.connectToHost(QHostAddress::LocalHost, port);
                if (!socket.waitForConnected(5000)) {
                    m_failures.append("connect: " + socket.errorString().toUtf8());
                    return;
                }
                buffer.clear();
            }
            socket.write("GET /item/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: load\r\n\r\n");
            ++m_sent;
            const int status = readStatus(socket, parser, buffer);
            if (status == 200)
                ++m_ok;
            else
                m_failures.append("request " + QByteArray::number(i) + ": status " + QByteArray::number(status) + ", " +
                                  socket.errorString().toUtf8() + ", got \"" + buffer.left(200) + '"');
        }
    }

    static int readStatus(QTcpSocket &socket, MessageParser &parser, QByteArray &buffer)
    {
        parser.reset();
        qsizetype offset = 0;
        int status = 0;
        for (;;) {
            offset += parser.execute(buffer.constData(), offset, buffer.size() - offset);
            if (parser.state() == MessageParser::State::HeadComplete) {
                status = parser.statusCode();
                parser.resume();
                continue;
            }
            if (parser.state() == MessageParser::State::MessageComplete) {
                buffer.remove(0, offset);
                if (!parser.shouldKeepAlive())
                    socket.abort(); // keepalive_requests reached: the next request reconnects
                return status;
            }
            if (parser.state() == MessageParser::State::Failed || !socket.waitForReadyRead(10'000))
                return -1;
            buffer.append(socket.readAll());
        }
    }

    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_finished{false};
    std::atomic<int> m_sent{0};
    std::atomic<int> m_ok{0};
    QByteArrayList m_failures; // read after join
    std::thread m_thread;
};

} // namespace lbscope::test
