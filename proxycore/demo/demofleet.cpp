#include "demo/demofleet.h"

#include "demo/demobackend.h"

#include <QThread>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isLoopback(const QString &host)
{
    return host == "localhost"_L1 || QHostAddress(host).isLoopback();
}

} // namespace

DemoFleet::DemoFleet(QObject *parent)
    : QObject(parent)
{
}

DemoFleet::~DemoFleet()
{
    stop();
}

bool DemoFleet::start(const ProxyConfig &config, QString *error)
{
    stop();
    m_thread = new QThread(this);
    m_thread->setObjectName(u"lbscope-demo"_s);
    m_thread->start();

    QList<QPair<QString, quint16>> seen;
    for (const UpstreamConfig &upstream : config.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            const QString host = server.host == "localhost"_L1 ? u"127.0.0.1"_s : server.host;
            if (!isLoopback(host) || seen.contains({host, server.port}))
                continue;
            seen.append({host, server.port});
            DemoBackend::Options options;
            options.name = seen.size() == 1 ? u"web-client"_s : u"web-client%1"_s.arg(seen.size());
            options.address = QHostAddress(host);
            options.port = server.port;
            auto *backend = new DemoBackend;
            backend->moveToThread(m_thread);
            connect(backend, &DemoBackend::requestLogged, this, &DemoFleet::requestLogged);
            m_backends.append(backend);
            bool started = false;
            QMetaObject::invokeMethod(
                backend, [&] { started = backend->start(options, error); }, Qt::BlockingQueuedConnection);
            if (!started) {
                *error = u"demo instance %1 on %2:%3: %4"_s.arg(options.name, host).arg(server.port).arg(*error);
                stop();
                return false;
            }
        }
    }
    return true;
}

QList<DemoFleet::Instance> DemoFleet::instances() const
{
    QList<Instance> list;
    for (const DemoBackend *backend : m_backends)
        list.append(
            {backend->name(), backend->address(), backend->port(), backend->requestCount(), backend->isCrashed()});
    return list;
}

QStringList DemoFleet::log(const QString &name) const
{
    for (const DemoBackend *backend : m_backends) {
        if (backend->name() == name)
            return backend->recentLog();
    }
    return {};
}

void DemoFleet::stop()
{
    if (!m_thread)
        return;
    for (DemoBackend *backend : std::as_const(m_backends))
        QMetaObject::invokeMethod(
            backend, [backend] { delete backend; }, Qt::BlockingQueuedConnection);
    m_backends.clear();
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

} // namespace lbscope
