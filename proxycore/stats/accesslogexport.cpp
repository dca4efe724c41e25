#include "stats/accesslogexport.h"

#include "stats/logformat.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonValue>

#include <array>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// Output is gathered and written in pieces of about this size.
constexpr qsizetype chunkSize = 64 * 1024;

constexpr std::array columnNames = {
    "id"_L1,
    "time"_L1,
    "client"_L1,
    "method"_L1,
    "uri"_L1,
    "version"_L1,
    "host"_L1,
    "status"_L1,
    "bytes_sent"_L1,
    "request_time"_L1,
    "upstream"_L1,
    "upstream_addr"_L1,
    "upstream_status"_L1,
    "upstream_response_time"_L1,
    "decision"_L1,
};

// One column of one record: its text, and its number where JSON wants a number.
struct Field
{
    QByteArray text;
    std::optional<double> number;
};

QByteArray seconds(qint64 ms)
{
    return QByteArray::number(ms / 1000) + '.' + QByteArray::number(ms % 1000).rightJustified(3, '0');
}

QByteArray isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1();
}

QByteArray version(const AccessRecord &record)
{
    if (record.method.isEmpty())
        return {};
    return "HTTP/" + QByteArray::number(record.versionMajor) + '.' + QByteArray::number(record.versionMinor);
}

std::array<Field, columnNames.size()> fields(const AccessRecord &record)
{
    const qint64 requestMs = std::max<qint64>(record.requestTimeMs, 0);
    return {{
        {QByteArray::number(record.id), double(record.id)},
        {isoTime(record.timeMs), {}},
        {record.clientAddress, {}},
        {record.method, {}},
        {record.uri, {}},
        {version(record), {}},
        {record.host, {}},
        {QByteArray::number(record.status), double(record.status)},
        {QByteArray::number(record.bytesSent), double(record.bytesSent)},
        {seconds(requestMs), double(requestMs) / 1000.0},
        {record.upstream.toUtf8(), {}},
        {record.upstreamAddr, {}},
        {record.upstreamStatus, {}},
        {record.upstreamResponseTime, {}},
        {describeDecisions(record), {}},
    }};
}

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
void appendCsvField(QByteArray &out, const QByteArray &field)
{
    const bool quote = field.contains(',') || field.contains('"') || field.contains('\n') || field.contains('\r');
    if (!quote) {
        out.append(field);
        return;
    }
    out.append('"');
    for (const char c : field) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}

class ChunkedWriter
{
public:
    ChunkedWriter(QIODevice *device, QString *error)
        : m_device(device)
        , m_error(error)
    {
    }

    QByteArray &buffer() { return m_buffer; }
    // Writes the buffer once it is big enough (or always, with force).
    bool flush(bool force)
    {
        if (m_buffer.isEmpty() || (!force && m_buffer.size() < chunkSize))
            return true;
        const qint64 written = m_device->write(m_buffer);
        if (written != m_buffer.size()) {
            *m_error = m_device->errorString();
            if (m_error->isEmpty() || written >= 0)
                *m_error = u"only %1 of %2 bytes were written"_s.arg(written).arg(m_buffer.size());
            return false;
        }
        m_buffer.truncate(0);
        return true;
    }

private:
    QIODevice *m_device;
    QString *m_error;
    QByteArray m_buffer;
};

} // namespace

bool AccessLogFilter::matches(const AccessRecord &record) const
{
    if (!upstream.isEmpty() && record.upstream != upstream)
        return false;
    if (!peer.isEmpty() && !record.upstreamAddr.contains(peer))
        return false;
    if (statusClass != 0 && record.status / 100 != statusClass)
        return false;
    if (fromMs && record.timeMs < *fromMs)
        return false;
    return !toMs || record.timeMs < *toMs;
}

QList<AccessRecord> AccessLogExport::select(const AccessLog &log, const AccessLogFilter &filter)
{
    QList<AccessRecord> records;
    log.readAfter(0, &records, log.capacity());
    records.removeIf([&](const AccessRecord &record) { return !filter.matches(record); });
    return records;
}

qsizetype AccessLogExport::write(const QList<AccessRecord> &records, Format format, QIODevice *device, QString *error,
                                 const AccessLogFilter &filter)
{
    if (!device || !device->isWritable()) {
        *error = u"the device is not open for writing"_s;
        return -1;
    }
    ChunkedWriter out(device, error);
    if (format == Format::Csv)
        out.buffer().append(csvHeader());
    qsizetype count = 0;
    for (const AccessRecord &record : records) {
        if (!filter.matches(record))
            continue;
        out.buffer().append(format == Format::Csv ? csvRow(record) : jsonLine(record));
        ++count;
        if (!out.flush(false))
            return -1;
    }
    return out.flush(true) ? count : -1;
}

qsizetype AccessLogExport::write(const AccessLog &log, Format format, QIODevice *device, QString *error,
                                 const AccessLogFilter &filter)
{
    return write(select(log, filter), format, device, error);
}

QByteArray AccessLogExport::csvHeader()
{
    QByteArray header;
    for (const QLatin1StringView name : columnNames) {
        if (!header.isEmpty())
            header.append(',');
        header.append(name.data(), name.size());
    }
    return header + "\r\n";
}

QByteArray AccessLogExport::csvRow(const AccessRecord &record)
{
    QByteArray row;
    bool first = true;
    for (const Field &field : fields(record)) {
        if (!first)
            row.append(',');
        first = false;
        appendCsvField(row, field.text);
    }
    return row + "\r\n";
}

QJsonObject AccessLogExport::jsonObject(const AccessRecord &record)
{
    QJsonObject object;
    const auto values = fields(record);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Field &field = values[i];
        object.insert(columnNames[i],
                      field.number ? QJsonValue(*field.number) : QJsonValue(QString::fromUtf8(field.text)));
    }
    return object;
}

QByteArray AccessLogExport::jsonLine(const AccessRecord &record)
{
    return QJsonDocument(jsonObject(record)).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace lbscope
