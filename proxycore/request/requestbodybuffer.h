#pragma once

// A request body read whole before it goes upstream (proxy_request_buffering on), as nginx
// keeps it: in memory up to client_body_buffer_size, then in a temporary file under
// client_body_temp_path. Kept until the request ends, so a retry sends it again.

#include <QByteArray>
#include <QString>
#include <QTemporaryFile>

#include <memory>

namespace lbscope {

class RequestBodyBuffer
{
public:
    // memoryLimit: bytes kept in memory before the body moves to a file in tempDir (empty:
    // the system's temporary folder).
    void start(qint64 memoryLimit, const QString &tempDir);
    // False when the temporary file cannot be created or written (errorString() says why).
    bool append(QByteArrayView bytes);
    void clear();

    qint64 size() const { return m_size; }
    bool inFile() const { return m_file != nullptr; }
    QString errorString() const { return m_error; }

    // Up to maxBytes from offset: a view of the memory buffer, or of scratch read from the file.
    QByteArrayView read(qint64 offset, qint64 maxBytes, QByteArray &scratch);

private:
    bool moveToFile();

    QByteArray m_memory;
    std::unique_ptr<QTemporaryFile> m_file;
    qint64 m_size = 0;
    qint64 m_memoryLimit = 0;
    QString m_tempDir;
    QString m_error;
};

} // namespace lbscope
