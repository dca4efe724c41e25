#include "request/responsespool.h"

#include "request/temporaryfile.h"

namespace lbscope {

void ResponseSpool::start(const Limits &limits)
{
    clear();
    m_limits = limits;
}

bool ResponseSpool::append(QByteArrayView bytes)
{
    // Once bytes are in the file, newer ones follow them there until it is drained.
    const bool toFile = m_fileWritten > m_fileRead || m_memory.size() - m_memoryRead + bytes.size() > m_limits.memory;
    if (toFile && m_limits.file > 0)
        return appendToFile(bytes);
    m_memory.append(bytes);
    return true;
}

bool ResponseSpool::appendToFile(QByteArrayView bytes)
{
    if (!m_file) {
        m_file = openTemporaryFile(m_limits.tempDir, QStringLiteral("lbscope-response"), &m_error);
        if (!m_file)
            return false;
    }
    if (!m_file->seek(m_fileWritten) || m_file->write(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = m_file->errorString();
        return false;
    }
    m_fileWritten += bytes.size();
    return true;
}

bool ResponseSpool::isFull() const
{
    if (m_limits.file > 0)
        return m_fileWritten - m_fileRead >= m_limits.file;
    return m_memory.size() - m_memoryRead >= m_limits.memory;
}

QByteArrayView ResponseSpool::peek(qint64 maxBytes, QByteArray &scratch)
{
    if (m_memoryRead < m_memory.size())
        return QByteArrayView(m_memory).sliced(m_memoryRead, std::min(maxBytes, m_memory.size() - m_memoryRead));
    const qint64 length = std::min(maxBytes, m_fileWritten - m_fileRead);
    if (length <= 0 || !m_file->flush() || !m_file->seek(m_fileRead))
        return {};
    scratch.resize(length);
    const qint64 got = m_file->read(scratch.data(), length);
    return got > 0 ? QByteArrayView(scratch).first(got) : QByteArrayView();
}

void ResponseSpool::consume(qint64 bytes)
{
    const qint64 fromMemory = std::min(bytes, m_memory.size() - m_memoryRead);
    m_memoryRead += fromMemory;
    m_fileRead += bytes - fromMemory;
    if (m_memoryRead == m_memory.size()) {
        m_memory.truncate(0);
        m_memoryRead = 0;
    }
    if (m_file && m_fileRead == m_fileWritten) {
        // Drained: the file starts over, so a long response reuses its space.
        m_file->resize(0);
        m_fileRead = m_fileWritten = 0;
    }
}

void ResponseSpool::clear()
{
    m_memory = QByteArray();
    m_memoryRead = 0;
    m_file.reset();
    m_fileWritten = m_fileRead = 0;
    m_error.clear();
}

} // namespace lbscope
