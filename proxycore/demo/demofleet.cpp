#include "demo/demofleet.h"

#include "config/nginxvalues.h"
#include "demo/demobackend.h"

#include <QMutexLocker>
#include <QThread>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QHostAddress loopbackAddress(const QString &host)
{
    return host.compare("localhost"_L1, Qt::CaseInsensitive) == 0 ? QHostAddress(QHostAddress::LocalHost)
                                                                  : QHostAddress(host);
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
    QList<QPair<QHostAddress, quint16>> seen;
    for (const UpstreamConfig &upstream : config.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            const QHostAddress address = loopbackAddress(server.host);
            if (!address.isLoopback() || seen.contains({address, server.port}))
                continue;
            seen.append({address, server.port});
            if (!startInstance(address, server.port, error)) {
                stop();
                return false;
            }
        }
    }
    return true;
}

void DemoFleet::stop()
{
    QList<Member> members;
    QList<QThread *> retired;
    {
        const QMutexLocker locker(&m_mutex);
        members = std::exchange(m_members, {});
        retired = std::exchange(m_retired, {});
        m_named = 0;
    }
    for (const Member &member : std::as_const(members)) {
        member.thread->quit();
        retired.append(member.thread);
    }
    for (QThread *thread : std::as_const(retired)) {
        thread->wait(); // the backend is deleted on the thread's way out
        delete thread;
    }
}

QString DemoFleet::nextName()
{
    const QMutexLocker locker(&m_mutex);
    ++m_named;
    return m_named == 1 ? u"web-client"_s : u"web-client%1"_s.arg(m_named);
}

bool DemoFleet::startInstance(const QHostAddress &address, quint16 port, QString *error, QString *name)
{
    const QString where = nginx::joinHostPort(address.toString(), port);
    if (!address.isLoopback()) {
        *error = u"demo instance on %1: %2 is not a loopback address (127.0.0.0/8 or ::1); demo instances "
                 "listen only there"_s.arg(where, address.toString());
        return false;
    }
    {
        const QMutexLocker locker(&m_mutex);
        if (port != 0 && indexOf(where) >= 0) {
            *error = u"demo instance on %1: there is one already"_s.arg(where);
            return false;
        }
    }
    const QString instanceName = nextName();
    if (!launch(instanceName, address, port, error)) {
        *error = u"demo instance %1 on %2: %3"_s.arg(instanceName, where, *error);
        return false;
    }
    if (name)
        *name = instanceName;
    return true;
}

bool DemoFleet::launch(const QString &name, const QHostAddress &address, quint16 port, QString *error)
{
    auto *thread = new QThread;
    thread->setObjectName(u"lbscope-demo"_s);
    auto *backend = new DemoBackend;
    backend->moveToThread(thread);
    connect(thread, &QThread::finished, backend, &QObject::deleteLater);
    thread->start();

    DemoBackend::Options options;
    options.name = name;
    options.address = address;
    options.port = port;
    bool started = false;
    QString startError;
    // The one wait for the thread: whether the port could be bound.
    QMetaObject::invokeMethod(
        backend, [&] { started = backend->start(options, &startError); }, Qt::BlockingQueuedConnection);
    if (!started) {
        *error = startError;
        thread->quit();
        thread->wait();
        delete thread;
        return false;
    }
    const QMutexLocker locker(&m_mutex);
    m_members.append({name, address, backend->port(), thread, backend});
    return true;
}

qsizetype DemoFleet::indexOf(const QString &instance) const
{
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        const Member &member = m_members[i];
        if (member.name == instance || nginx::joinHostPort(member.address.toString(), member.port) == instance)
            return i;
        if (member.address == QHostAddress(QHostAddress::LocalHost) &&
            instance.compare(u"localhost:%1"_s.arg(member.port), Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

DemoBackend *DemoFleet::find(const QString &instance, QString *error) const
{
    const qsizetype index = indexOf(instance);
    if (index >= 0)
        return m_members[index].backend;
    if (error)
        *error = u"no demo instance \"%1\""_s.arg(instance);
    return nullptr;
}

bool DemoFleet::command(const QString &instance, QString *error, const std::function<void(DemoBackend *)> &act)
{
    const QMutexLocker locker(&m_mutex);
    DemoBackend *backend = find(instance, error);
    if (backend)
        act(backend);
    return backend;
}

bool DemoFleet::stopInstance(const QString &instance, QString *error)
{
    return command(instance, error, [](DemoBackend *backend) {
        QMetaObject::invokeMethod(
            backend, [backend] { backend->setCrashed(true); }, Qt::QueuedConnection);
    });
}

bool DemoFleet::restartInstance(const QString &instance, QString *error)
{
    bool listening = false;
    QString listenError;
    const bool known = command(instance, error, [&listening, &listenError](DemoBackend *backend) {
        // Waits: the caller learns whether the port could be bound again.
        QMetaObject::invokeMethod(
            backend,
            [backend, &listening, &listenError] {
                const QMetaObject::Connection connection =
                    connect(backend, &DemoBackend::errorOccurred, backend,
                            [&listenError](const QString &message) { listenError = message; });
                listening = backend->setCrashed(false);
                disconnect(connection);
            },
            Qt::BlockingQueuedConnection);
    });
    if (known && !listening && error)
        *error = u"demo instance %1: %2"_s.arg(instance, listenError);
    return listening;
}

bool DemoFleet::removeInstance(const QString &instance, QString *error)
{
    Member member;
    {
        const QMutexLocker locker(&m_mutex);
        const qsizetype index = indexOf(instance);
        if (index < 0) {
            if (error)
                *error = u"no demo instance \"%1\""_s.arg(instance);
            return false;
        }
        member = m_members.takeAt(index);
        m_retired.append(member.thread);
    }
    // The backend is deleted, its connections reset, when the thread finishes; the thread
    // object goes once it has.
    QThread *thread = member.thread;
    connect(thread, &QThread::finished, this, [this, thread] {
        {
            const QMutexLocker locker(&m_mutex);
            if (!m_retired.removeOne(thread))
                return; // stop() took care of it
        }
        thread->wait();
        delete thread;
    });
    thread->quit();
    return true;
}

bool DemoFleet::setDelayMs(const QString &instance, int delayMs, QString *error)
{
    return command(instance, error, [delayMs](DemoBackend *backend) { backend->setDelayMs(delayMs); });
}

bool DemoFleet::setErrorRate(const QString &instance, double errorRate, QString *error)
{
    return command(instance, error, [errorRate](DemoBackend *backend) { backend->setErrorRate(errorRate); });
}

QList<DemoFleet::Instance> DemoFleet::instances() const
{
    const QMutexLocker locker(&m_mutex);
    QList<Instance> list;
    list.reserve(m_members.size());
    for (const Member &member : m_members) {
        const DemoBackend *backend = member.backend;
        list.append({member.name, member.address, member.port, backend->requestCount(), backend->isCrashed(),
                     backend->delayMs(), backend->errorRate(), backend->connectionCount()});
    }
    return list;
}

QString DemoFleet::lineFor(const AccessRecord &proxyRecord) const
{
    if (proxyRecord.upstreamLocalPort == 0)
        return {};
    const qsizetype comma = proxyRecord.upstreamAddr.lastIndexOf(", ");
    const QByteArray peer = comma < 0 ? proxyRecord.upstreamAddr : proxyRecord.upstreamAddr.mid(comma + 2);
    const auto hostPort = nginx::splitHostPort(QString::fromLatin1(peer));
    if (!hostPort)
        return {};
    const QHostAddress address(hostPort->host);
    const QMutexLocker locker(&m_mutex);
    for (const Member &member : m_members) {
        if (member.port != hostPort->port || member.address != address)
            continue;
        const auto entry =
            member.backend->findLogEntry(proxyRecord.upstreamLocalPort, quint32(proxyRecord.upstreamConnectionRequest));
        return entry ? entry->line : QString();
    }
    return {};
}

quint64 DemoFleet::logAfter(const QString &instance, quint64 cursor, QList<DemoLogEntry> *out, qsizetype max) const
{
    const QMutexLocker locker(&m_mutex);
    const DemoBackend *backend = find(instance, nullptr);
    return backend ? backend->logAfter(cursor, out, max) : cursor;
}

} // namespace lbscope
