#pragma once

// The attempts one request made, as nginx's $upstream_addr, $upstream_status, the
// $upstream_*_time and $upstream_bytes_* variables list them: one entry per attempt, ", "
// between entries. Connect and header times join their lists when they happen, so a variable
// read while the response head is passed on (add_header) sees the attempt in flight.

#include <QByteArray>
#include <QElapsedTimer>

namespace lbscope {

class AttemptLog
{
public:
    struct Times
    {
        qint64 connectUs = -1; // -1: not reached
        qint64 headerUs = -1;
        qint64 responseUs = 0;
    };

    // An attempt on the peer named `address` begins now.
    void start(QByteArrayView address);
    // No peer was left: nginx lists the upstream's name, and no times.
    void startWithoutPeer(QByteArrayView upstreamName);
    void connected();
    void headerReceived();
    void setStatus(QByteArrayView status);
    // Ends the attempt: its times join the lists ("-" for what it did not reach), and the
    // bytes its connection received and sent.
    Times finish(qint64 bytesReceived = 0, qint64 bytesSent = 0);

    bool running() const { return m_clock.isValid(); }
    const Times &current() const { return m_current; }
    void clear();

    const QByteArray &addresses() const { return m_addresses; }
    const QByteArray &statuses() const { return m_statuses; }
    const QByteArray &connectTimes() const { return m_connectTimes; }
    const QByteArray &headerTimes() const { return m_headerTimes; }
    const QByteArray &responseTimes() const { return m_responseTimes; }
    const QByteArray &bytesReceived() const { return m_bytesReceived; }
    const QByteArray &bytesSent() const { return m_bytesSent; }

private:
    QElapsedTimer m_clock;
    Times m_current;
    QByteArray m_addresses;
    QByteArray m_statuses;
    QByteArray m_connectTimes;
    QByteArray m_headerTimes;
    QByteArray m_responseTimes;
    QByteArray m_bytesReceived;
    QByteArray m_bytesSent;
};

} // namespace lbscope
