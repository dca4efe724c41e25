#pragma once

// Finds the line a demo instance logged for a request the proxy logged: the proxy's record
// knows the local port of the upstream connection it used and the request's ordinal on it; the
// instance logged the same two numbers as its client's port and the connection's request count.
// Keeps the last Capacity lines, so memory stays bounded however long the demo runs.

#include "demo/demolog.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <deque>

namespace lbscope {

struct AccessRecord;

class DemoLineIndex
{
public:
    static constexpr qsizetype Capacity = 20'000;

    // backend: the instance's "address:port", as the proxy names the peer.
    void add(const QByteArray &backend, const DemoLogEntry &entry);
    void clear();
    // The line for the record's last attempt, or an empty string.
    QString lineFor(const AccessRecord &record) const;
    qsizetype size() const { return qsizetype(m_order.size()); }

private:
    struct Key
    {
        QByteArray backend;
        quint16 port = 0;
        quint32 ordinal = 0;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.backend, key.port, key.ordinal);
        }
    };

    QHash<Key, QString> m_lines;
    std::deque<Key> m_order;
};

} // namespace lbscope
