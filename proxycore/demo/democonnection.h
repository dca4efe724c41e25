#pragma once

// One connection to a demo instance: parses requests with the core's MessageParser as they
// stream in and answers them in order, each answer in one write where it fits.

#include "http/inputbuffer.h"
#include "http/messageparser.h"
#include "proxy/idletimer.h"

#include <QBasicTimer>
#include <QByteArray>
#include <QObject>
#include <QTcpSocket>

#include <deque>

namespace lbscope {

class DemoBackend;

class DemoConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoConnection)

public:
    // Takes the accepted descriptor; the backend is the parent and outlives it.
    DemoConnection(qintptr descriptor, DemoBackend *backend);
    ~DemoConnection() override;

    bool isOpen() const { return !m_dead; }
    // A crash or stop: the connection is reset (RST) at once and logs nothing.
    void abortSilently();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    // What the request asks for, from its path.
    enum class Reply {
        Page,
        Bytes,   // /bytes/N
        Chunked, // /chunked/N
        Sleep,   // /sleep/MS: the page, later
        Status,  // /status/CODE
        BadPath  // a special path with a bad number: 400
    };

    struct Request
    {
        QByteArray method; // empty when the request line could not be read
        QByteArray target;
        int versionMajor = 1;
        int versionMinor = 1;
        QByteArray host;
        QByteArray realIp;
        QByteArray forwardedFor;
        QByteArray userAgent;
        QByteArray referer;
        QByteArray headerLines; // as they came, for the log's $http_NAME
        quint64 bodyBytes = 0;
        quint32 ordinal = 0; // 1 for the first request on the connection
        qint64 startMs = 0;
        bool keepAlive = true;
        bool malformed = false;
        bool connect = false;
        bool head = false;
        Reply reply = Reply::Page;
        qint64 argument = 0;

        bool isHttp11() const { return versionMajor > 1 || (versionMajor == 1 && versionMinor >= 1); }
        QByteArray requestLine() const;
        void resolveReply();
    };

    void handleReadyRead();
    void handleBytesWritten();
    void handleDisconnected();

    void drive();
    void parseInput();
    void takeHead();
    void takeFailedRequest();
    void stopInput();

    void startNextResponse();
    void beginResponse();
    void respondFixed(int status, QByteArrayView body);
    void respondStream(qint64 length, bool chunked);
    void appendHead(int status, qint64 contentLength, bool chunked);
    void appendPage(const Request &request);
    void pumpStream();
    void flushOutput(bool now);
    void finishResponse();
    void logResponse();
    void beginClose();
    void shutdownWrite();

    DemoBackend *m_backend;
    QTcpSocket m_socket;
    IdleTimer m_idle;
    QBasicTimer m_delay;
    QByteArray m_clientAddress;
    quint16 m_clientPort = 0;

    InputBuffer m_input;
    MessageParser m_parser;
    Request m_current;
    bool m_headTaken = false;    // m_current holds the head of the message being read
    quint32 m_requests = 0;      // requests read on this connection
    std::deque<Request> m_queue; // front: the request being answered

    QByteArray m_output; // the bytes of the answer, written at once
    QByteArray m_page;

    bool m_inputStopped = false; // no more requests will be read on this connection
    bool m_responding = false;   // front of m_queue is being delayed or answered
    bool m_waiting = false;      // its delay runs
    bool m_closing = false;
    bool m_shutDown = false;
    bool m_dead = false;
    bool m_driving = false;
    bool m_driveAgain = false;

    int m_status = 0;
    qint64 m_bytesSent = 0;
    qint64 m_bodySent = 0;
    qint64 m_streamRemaining = 0;
    bool m_streamChunked = false;
    bool m_closeAfter = false;
};

} // namespace lbscope
