#pragma once

// The built-in demo instances: one DemoBackend on each loopback address of a configuration's
// upstreams, named web-client, web-client2, web-client3, ... in upstream order, each in a
// thread of its own so that no GUI thread touches their sockets and one busy instance does
// not slow the others.
//
// Every call is thread-safe, but none may be made from a demo instance's own thread. An
// instance is named either by its name ("web-client2") or by its address ("127.0.0.1:3100").
// Calls that must report whether a port could be bound (start, startInstance,
// restartInstance) wait for the instance's thread, which answers within one event; every
// other command is queued or an atomic store and returns at once.

#include "config/proxyconfig.h"
#include "demo/demolog.h"

#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

#include <functional>

class QThread;

namespace lbscope {

class DemoBackend;

class DemoFleet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoFleet)

public:
    explicit DemoFleet(QObject *parent = nullptr);
    ~DemoFleet() override;

    // Starts the instances of a configuration; on error none is left running.
    bool start(const ProxyConfig &config, QString *error);
    // Stops and removes every instance.
    void stop();

    // A new instance on a loopback address (e.g. for a server added live), named with the
    // next web-clientN. Refuses other addresses, an address:port that already has an
    // instance, and a port that cannot be bound; port 0 picks a free one (see instances()).
    // *name (if given) receives its name.
    bool startInstance(const QHostAddress &address, quint16 port, QString *error, QString *name = nullptr);
    // Kills it as a crashed service dies: open connections are reset, the port refuses.
    bool stopInstance(const QString &instance, QString *error = nullptr);
    // Listens again on the same address and port.
    bool restartInstance(const QString &instance, QString *error = nullptr);
    // Stops it and forgets it (its connections are reset).
    bool removeInstance(const QString &instance, QString *error = nullptr);
    // Knobs, taking effect from the next request; clamped to 0..600000 ms and 0..1.
    bool setDelayMs(const QString &instance, int delayMs, QString *error = nullptr);
    bool setErrorRate(const QString &instance, double errorRate, QString *error = nullptr);

    struct Instance
    {
        QString name;
        QHostAddress address;
        quint16 port = 0;
        quint64 requests = 0; // the sequence number of its last log entry
        bool crashed = false; // stopped by stopInstance, not yet restarted
        int delayMs = 0;
        double errorRate = 0.0;
        int connections = 0;
    };
    QList<Instance> instances() const;

    // What an instance received, as "check the logs of each web client instance" means:
    // its log entries after cursor (start with 0), oldest first, at most max; returns the
    // new cursor (cursor itself for an unknown instance). Only new entries are copied.
    quint64 logAfter(const QString &instance, quint64 cursor, QList<DemoLogEntry> *out, qsizetype max = 1000) const;
    // The line an instance logged for a request the proxy logged (its last attempt), found by
    // the upstream connection's local port and the request's ordinal on it, while the
    // instance's log still holds it; empty otherwise.
    QString lineFor(const AccessRecord &proxyRecord) const;

private:
    struct Member
    {
        QString name;
        QHostAddress address;
        quint16 port = 0;
        QThread *thread = nullptr;
        DemoBackend *backend = nullptr;
    };

    bool launch(const QString &name, const QHostAddress &address, quint16 port, QString *error);
    qsizetype indexOf(const QString &instance) const; // under m_mutex
    DemoBackend *find(const QString &instance, QString *error) const;
    // Runs act on the instance's backend under m_mutex; false (and *error) when unknown.
    bool command(const QString &instance, QString *error, const std::function<void(DemoBackend *)> &act);
    void retire(const Member &member);
    QString nextName();

    mutable QMutex m_mutex; // guards the lists; held while a backend pointer is in use
    QList<Member> m_members;
    QList<QThread *> m_retired; // removed instances whose thread is still finishing
    int m_named = 0;            // instances named so far: web-client, web-client2, ...
};

} // namespace lbscope
