#pragma once

// A fixed-capacity receive buffer that is reused for the life of a connection: bytes are
// read straight into it (no allocation per read) and parsed in place. [begin, end) holds
// what has not been consumed yet; a message head stays where it was read until the caller
// compacts, so spans into it stay valid.

#include <QByteArray>
#include <QIODevice>

#include <cstring>

namespace lbscope {

class InputBuffer
{
public:
    explicit InputBuffer(qsizetype capacity)
        : m_data(capacity, Qt::Uninitialized)
    {
    }

    const char *base() const { return m_data.constData(); }
    qsizetype begin() const { return m_begin; }
    qsizetype end() const { return m_end; }
    qsizetype pending() const { return m_end - m_begin; }
    qsizetype freeSpace() const { return m_data.size() - m_end; }

    // Reads as much as fits; returns the bytes read (0 when nothing is waiting or no room).
    qint64 readFrom(QIODevice &device)
    {
        if (freeSpace() == 0)
            return 0;
        const qint64 got = device.read(m_data.data() + m_end, freeSpace());
        if (got > 0)
            m_end += got;
        return got;
    }

    void consume(qsizetype bytes) { m_begin += bytes; }

    // Forgets consumed bytes from keepFrom on, moving what is pending down to keepFrom:
    // bytes before keepFrom (a head still in use) stay where they are.
    void discardConsumed(qsizetype keepFrom = 0)
    {
        const qsizetype left = pending();
        if (left > 0 && m_begin != keepFrom)
            std::memmove(m_data.data() + keepFrom, m_data.constData() + m_begin, std::size_t(left));
        m_begin = keepFrom;
        m_end = keepFrom + left;
    }

private:
    QByteArray m_data;
    qsizetype m_begin = 0;
    qsizetype m_end = 0;
};

} // namespace lbscope
