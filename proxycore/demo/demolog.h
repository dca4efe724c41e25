#pragma once

// A demo instance's last requests: raw records in the core's AccessLog ring, formatted
// only when read. Writers (the instance's thread) append; readers in any thread take
// "everything after cursor C".

#include "stats/accesslog.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <optional>

namespace lbscope {

struct DemoLogEntry
{
    quint64 sequence = 0; // counts from 1 per instance; the cursor
    qint64 timeMs = 0;    // wall clock (ms since the epoch) when the answer ended
    QString line;         // nginx's combined format with " name=NAME" appended
    // For matching the proxy's access records: the client is the proxy's upstream
    // connection, so remotePort is that connection's local port.
    QByteArray remoteAddress;
    quint16 remotePort = 0;
    quint32 connectionRequest = 0; // 1 for the first request on its connection
    int status = 0;
    QByteArray path; // the target without its query
};

class DemoLog
{
public:
    explicit DemoLog(qsizetype capacity);
    Q_DISABLE_COPY_MOVE(DemoLog)

    // The name appended to every line.
    void setName(const QString &name);
    // Gives the record its sequence number (AccessRecord::id) and stores it.
    void append(AccessRecord record) { m_ring.append(std::move(record)); }

    // Entries after cursor, oldest first, at most max; returns the last sequence given (or
    // cursor). Only the new records are copied, and formatted outside the ring's lock.
    quint64 readAfter(quint64 cursor, QList<DemoLogEntry> *out, qsizetype max) const;
    // The entry for the request that came from remotePort as the connectionRequest-th request
    // on its connection, while the ring still holds it.
    std::optional<DemoLogEntry> find(quint16 remotePort, quint32 connectionRequest) const;
    // The combined lines of everything the ring holds, oldest first.
    QStringList lines() const;
    // Requests logged so far: the last sequence number.
    quint64 count() const { return m_ring.lastId(); }

private:
    QByteArray suffix() const;
    static DemoLogEntry entryOf(const AccessRecord &record, const QByteArray &suffix);

    AccessLog m_ring;
    mutable QMutex m_nameMutex;
    QByteArray m_suffix; // " name=NAME"
};

} // namespace lbscope
