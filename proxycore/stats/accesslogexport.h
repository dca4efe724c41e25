#pragma once

// Access records out of LB Scope, for a spreadsheet (CSV, RFC 4180) or for jq and friends
// (JSON Lines). Both carry the same fields, in this order:
//   id, time (ISO 8601, UTC, milliseconds), client, method, uri, version, host, status,
//   bytes_sent, request_time (seconds), upstream, upstream_addr, upstream_status,
//   upstream_response_time, decision
// In JSON, id, status, bytes_sent and request_time are numbers; everything else is a string.

#include "stats/accesslog.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace lbscope {

// Every condition that is set must hold.
struct AccessLogFilter
{
    QString upstream;             // the upstream's name, exactly; empty: any
    QByteArray peer;              // part of $upstream_addr ("127.0.0.1:3001", ":3001"); empty: any
    int statusClass = 0;          // 1..5: 1xx..5xx; 0: any
    std::optional<qint64> fromMs; // timeMs >= fromMs
    std::optional<qint64> toMs;   // timeMs < toMs

    bool matches(const AccessRecord &record) const;
};

class AccessLogExport
{
public:
    enum class Format {
        Csv,
        JsonLines,
    };

    // The records the ring holds now that pass the filter, oldest first.
    static QList<AccessRecord> select(const AccessLog &log, const AccessLogFilter &filter = {});

    // Writes the records that pass the filter to an open device. Returns how many were
    // written, or -1 with *error set (what was written before the error stays written).
    static qsizetype write(const QList<AccessRecord> &records, Format format, QIODevice *device, QString *error,
                           const AccessLogFilter &filter = {});
    // The same for what the ring holds now.
    static qsizetype write(const AccessLog &log, Format format, QIODevice *device, QString *error,
                           const AccessLogFilter &filter = {});

    static QByteArray csvHeader();                        // with its CRLF
    static QByteArray csvRow(const AccessRecord &record); // with its CRLF
    static QJsonObject jsonObject(const AccessRecord &record);
    static QByteArray jsonLine(const AccessRecord &record); // with its LF
};

} // namespace lbscope
