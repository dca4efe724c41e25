#pragma once

// Reads the nginx twin's access log as nginx appends to it: only the bytes added since the
// last read, at most MaxBytesPerRead at a time, whole lines only (a line nginx is still
// writing waits for the next read). Meant to be called on a timer; a read never waits.

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

// One line of the twin's log (NginxTwinConfig::LogFormat).
struct NginxTwinRecord
{
    quint64 sequence = 0; // the request's X-LBScope-Seq
    int status = 0;
    QByteArray upstreamAddr;   // as $upstream_addr: "a, b" after a retry; empty for none ("-")
    QByteArray upstreamStatus; // as $upstream_status; empty for none

    friend bool operator==(const NginxTwinRecord &, const NginxTwinRecord &) = default;
};

class NginxTwinLog
{
public:
    static constexpr qint64 MaxBytesPerRead = 256 * 1024;

    // Follows path from its start; a missing file reads as empty until it appears.
    void follow(const QString &path);
    // The lines completed since the last read, oldest first; lines without a sequence (requests
    // not sent by the twin's generator) or not in the format are skipped.
    QList<NginxTwinRecord> readNew();

    static std::optional<NginxTwinRecord> parseLine(QByteArrayView line);

private:
    QString m_path;
    QFile m_file;
    qint64 m_offset = 0;
    QByteArray m_partial;
};

} // namespace lbscope
