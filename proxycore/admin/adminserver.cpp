#include "admin/adminserver.h"

#include "admin/statusreport.h"
#include "http/headers.h"
#include "http/messageparser.h"
#include "proxy/engine.h"
#include "proxy/errorpages.h"

#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QByteArray response(int status, QByteArrayView contentType, const QByteArray &body, bool head)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray() +
                     "\r\nServer: " + serverToken.toByteArray() + "\r\nDate: " + httpDate().toByteArray() +
                     "\r\nContent-Type: " + contentType.toByteArray() +
                     "\r\nContent-Length: " + QByteArray::number(body.size()) +
                     "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (!head)
        out += body;
    return out;
}

} // namespace

// One request per connection: read a head, answer, close.
class AdminListener final : public QTcpServer
{
public:
    explicit AdminListener(const Engine &engine)
        : m_engine(engine)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        socket->setSocketDescriptor(descriptor);
        socket->setReadBufferSize(64 * 1024);
        auto parser = std::make_shared<MessageParser>(MessageParser::Kind::Request, HeadLimits{});
        auto buffer = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, parser, buffer] {
            // Requests here are a line or two: parse the whole head again as it grows.
            buffer->append(socket->readAll());
            parser->reset();
            parser->execute(buffer->constData(), 0, buffer->size());
            if (parser->state() == MessageParser::State::ReadingHead)
                return;
            socket->write(answer(*parser, buffer->constData()));
            socket->disconnectFromHost();
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    QByteArray answer(const MessageParser &parser, const char *base) const
    {
        if (parser.state() == MessageParser::State::Failed)
            return errorResponse(400, false, false);
        const bool head = parser.method() == RequestMethod::Head;
        if (parser.method() != RequestMethod::Get && !head)
            return errorResponse(405, false, head);
        const QByteArrayView target = parser.target().in(base);
        const QByteArrayView path = target.indexOf('?') >= 0 ? target.first(target.indexOf('?')) : target;
        if (path == "/status")
            return response(200, "application/json",
                            QJsonDocument(statusJson(m_engine.snapshot())).toJson(QJsonDocument::Compact), head);
        if (path == "/metrics")
            return response(200, "text/plain; version=0.0.4; charset=utf-8", prometheusMetrics(m_engine.snapshot()),
                            head);
        return errorResponse(404, false, head);
    }

    const Engine &m_engine;
};

AdminServer::AdminServer(const Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
}

AdminServer::~AdminServer()
{
    stop();
}

bool AdminServer::start(const QHostAddress &address, quint16 port, bool allowRemote, QString *error)
{
    stop();
    if (!address.isLoopback() && !allowRemote) {
        *error =
            u"the status endpoint listens on loopback only; %1 needs --admin-allow-remote"_s.arg(address.toString());
        return false;
    }
    m_thread = new QThread(this);
    m_thread->setObjectName(u"lbscope-admin"_s);
    m_thread->start();
    m_listener = new AdminListener(m_engine);
    m_listener->moveToThread(m_thread);
    bool listening = false;
    QMetaObject::invokeMethod(
        m_listener,
        [&] {
            listening = m_listener->listen(address, port);
            if (!listening)
                *error = u"status endpoint: bind() to %1:%2 failed (%3)"_s.arg(address.toString())
                             .arg(port)
                             .arg(m_listener->errorString());
            m_port = m_listener->serverPort();
        },
        Qt::BlockingQueuedConnection);
    if (!listening)
        stop();
    return listening;
}

void AdminServer::stop()
{
    if (!m_thread)
        return;
    AdminListener *listener = m_listener;
    QMetaObject::invokeMethod(
        listener, [listener] { delete listener; }, Qt::BlockingQueuedConnection);
    m_listener = nullptr;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_port = 0;
}

} // namespace lbscope
