#include "request/requestbodybuffer.h"

#include "request/temporaryfile.h"

namespace lbscope {

void RequestBodyBuffer::start(qint64 memoryLimit, const QString &tempDir)
{
    clear();
    m_memoryLimit = memoryLimit;
    m_tempDir = tempDir;
}

bool RequestBodyBuffer::append(QByteArrayView bytes)
{
    if (!m_file && m_size + bytes.size() > m_memoryLimit && !moveToFile())
        return false;
    m_size += bytes.size();
    if (!m_file) {
        m_memory.append(bytes);
        return true;
    }
    if (m_file->write(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = m_file->errorString();
        return false;
    }
    return true;
}

// nginx writes the body out at the first byte past the buffer, with what the buffer held.
bool RequestBodyBuffer::moveToFile()
{
    std::unique_ptr<QTemporaryFile> file = openTemporaryFile(m_tempDir, QStringLiteral("lbscope-body"), &m_error);
    if (!file)
        return false;
    if (file->write(m_memory) != m_memory.size()) {
        m_error = file->errorString();
        return false;
    }
    m_memory = QByteArray();
    m_file = std::move(file);
    return true;
}

void RequestBodyBuffer::clear()
{
    m_memory = QByteArray(); // an idle keep-alive connection holds no body memory
    m_file.reset();
    m_size = 0;
    m_error.clear();
}

QByteArrayView RequestBodyBuffer::read(qint64 offset, qint64 maxBytes, QByteArray &scratch)
{
    const qint64 length = std::min(maxBytes, m_size - offset);
    if (length <= 0)
        return {};
    if (!m_file)
        return QByteArrayView(m_memory).sliced(offset, length);
    // Written bytes may still sit in QFile's buffer: flush before reading them back.
    m_file->flush();
    scratch.resize(length);
    if (!m_file->seek(offset))
        return {};
    const qint64 got = m_file->read(scratch.data(), length);
    if (got <= 0)
        return {};
    if (!m_file->seek(m_size))
        return {};
    return QByteArrayView(scratch).first(got);
}

} // namespace lbscope
