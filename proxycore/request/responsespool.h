#pragma once

// Response bytes the client has not taken yet (proxy_buffering on): held in memory up to
// proxy_buffers' total, then in a temporary file under proxy_temp_path up to
// proxy_max_temp_file_size, so the upstream can finish and be released while a slow client
// reads. First in, first out; the bytes are already framed for the client.

#include <QByteArray>
#include <QString>
#include <QTemporaryFile>

#include <memory>

namespace lbscope {

class ResponseSpool
{
public:
    struct Limits
    {
        qint64 memory = 32 * 1024;          // proxy_buffers 8 4k
        qint64 file = 1024LL * 1024 * 1024; // proxy_max_temp_file_size; 0: no file
        QString tempDir;                    // proxy_temp_path; empty: the system's
    };

    void start(const Limits &limits);
    // Takes all of bytes, whatever the limits (the caller stops reading once isFull()); false
    // when the temporary file cannot be written (errorString() says why).
    bool append(QByteArrayView bytes);
    // No room left: the upstream should not be read until the client takes some.
    bool isFull() const;

    bool isEmpty() const { return size() == 0; }
    qint64 size() const { return qint64(m_memory.size()) - m_memoryRead + m_fileWritten - m_fileRead; }
    // The oldest bytes, up to maxBytes; from the file through scratch. consume() drops them.
    QByteArrayView peek(qint64 maxBytes, QByteArray &scratch);
    void consume(qint64 bytes);
    void clear();
    QString errorString() const { return m_error; }

private:
    bool appendToFile(QByteArrayView bytes);

    Limits m_limits;
    QByteArray m_memory;
    qint64 m_memoryRead = 0;
    std::unique_ptr<QTemporaryFile> m_file;
    qint64 m_fileWritten = 0; // bytes in the file, from its start
    qint64 m_fileRead = 0;
    QString m_error;
};

} // namespace lbscope
