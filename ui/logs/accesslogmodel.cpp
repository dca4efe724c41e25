#include "logs/accesslogmodel.h"

#include "backendpalette.h"

#include <QDateTime>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool darkPalette()
{
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

} // namespace

AccessLogModel::AccessLogModel(BackendPalette *palette, QObject *parent)
    : QAbstractTableModel(parent)
    , m_palette(palette)
{
}

QList<QByteArray> AccessLogModel::attempts(const QByteArray &list)
{
    if (list.isEmpty())
        return {};
    QList<QByteArray> parts = list.split(',');
    for (QByteArray &part : parts)
        part = part.trimmed();
    return parts;
}

QString AccessLogModel::milliseconds(const QByteArray &seconds)
{
    bool ok = false;
    const double value = seconds.toDouble(&ok);
    return ok ? QString::number(qRound64(value * 1000.0)) : u"–"_s;
}

QByteArray AccessLogModel::finalPeer(const AccessRecord &record)
{
    const qsizetype comma = record.upstreamAddr.lastIndexOf(',');
    return comma < 0 ? record.upstreamAddr : record.upstreamAddr.mid(comma + 1).trimmed();
}

int AccessLogModel::statusClass(int status)
{
    return std::clamp(status / 100, 1, 5);
}

void AccessLogModel::setCapacity(qsizetype capacity)
{
    capacity = std::max<qsizetype>(capacity, 1);
    if (capacity == m_capacity)
        return;
    const int count = rowCount();
    const int drop = std::max(0, count - int(capacity));
    if (drop > 0)
        beginRemoveRows({}, 0, drop - 1);
    // Lay the ring out flat again for the new modulus.
    QList<Row> rows;
    rows.reserve(count - drop);
    for (int row = drop; row < count; ++row)
        rows.append(rowAt(row));
    m_ring = std::move(rows);
    m_head = 0;
    m_count = m_ring.size();
    m_capacity = capacity;
    if (drop > 0)
        endRemoveRows();
}

void AccessLogModel::handleTick(const LiveTick &tick)
{
    m_totalSeen += tick.skippedRecords;
    appendRecords(tick.records);
}

void AccessLogModel::appendRecords(const QList<AccessRecord> &records)
{
    m_totalSeen += quint64(records.size());
    if (records.isEmpty())
        return;
    // A batch bigger than the ring: only its newest rows could ever be shown.
    const qsizetype first = std::max<qsizetype>(0, records.size() - m_capacity);
    const qsizetype incoming = records.size() - first;

    const qsizetype overflow = m_count + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        m_head = (m_head + overflow) % m_capacity;
        m_count -= overflow;
        endRemoveRows();
    }

    beginInsertRows({}, int(m_count), int(m_count + incoming - 1));
    for (qsizetype i = first; i < records.size(); ++i) {
        Row row{records[i], finalPeer(records[i])};
        if (!row.peer.isEmpty() && !m_knownPeers.contains(row.peer)) {
            m_knownPeers.insert(row.peer);
            emit backendSeen(row.peer);
        }
        // While the ring has not wrapped, the rows end exactly at the storage's end.
        const qsizetype slot = (m_head + m_count) % m_capacity;
        if (slot == m_ring.size())
            m_ring.append(std::move(row));
        else
            m_ring[slot] = std::move(row);
        ++m_count;
    }
    endInsertRows();
}

void AccessLogModel::clear()
{
    beginResetModel();
    m_ring.clear();
    m_head = 0;
    m_count = 0;
    m_totalSeen = 0;
    endResetModel();
}

const AccessLogModel::Row &AccessLogModel::rowAt(int row) const
{
    return m_ring[(m_head + row) % m_capacity];
}

const AccessRecord *AccessLogModel::recordAt(int row) const
{
    if (row < 0 || row >= m_count)
        return nullptr;
    return &rowAt(row).record;
}

int AccessLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_count);
}

int AccessLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AccessLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = rowAt(index.row());
    const AccessRecord &record = row.record;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayText(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::DecorationRole:
        if (column == BackendColumn && !row.peer.isEmpty())
            return backendIcon(row.peer);
        return {};
    case Qt::ForegroundRole:
        if (column == StatusColumn && record.status >= 400) {
            // Darker shades on a light base, lighter ones on a dark base.
            const bool dark = darkPalette();
            if (record.status >= 500)
                return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20);
            return dark ? QColor(0xff, 0xc0, 0x60) : QColor(0x9a, 0x4a, 0x00);
        }
        return {};
    case Qt::FontRole:
        if (column == StatusColumn && record.status >= 500) {
            QFont font = QGuiApplication::font();
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == StatusColumn || column == UpstreamTimeColumn || column == TotalTimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case PeerRole:
        return row.peer;
    case StatusClassRole:
        return statusClass(record.status);
    case RecordIdRole:
        return record.id;
    default:
        return {};
    }
}

QVariant AccessLogModel::displayText(const Row &row, int column) const
{
    const AccessRecord &record = row.record;
    switch (column) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(record.timeMs).time().toString(u"hh:mm:ss.zzz"_s);
    case ClientColumn:
        return QString::fromLatin1(record.clientAddress);
    case MethodColumn:
        return record.method.isEmpty() ? u"–"_s : QString::fromLatin1(record.method);
    case UriColumn:
        return QString::fromUtf8(record.uri);
    case StatusColumn:
        return record.status;
    case BackendColumn: {
        if (row.peer.isEmpty())
            return tr("(none)");
        const qsizetype tries = record.decisions.size();
        const QString peer = QString::fromLatin1(row.peer);
        return tries > 1 ? tr("%1 (try %2)").arg(peer).arg(tries) : peer;
    }
    case UpstreamTimeColumn: {
        const QList<QByteArray> times = attempts(record.upstreamResponseTime);
        return times.isEmpty() ? u"–"_s : tr("%1 ms").arg(milliseconds(times.last()));
    }
    case TotalTimeColumn:
        return tr("%1 ms").arg(record.requestTimeMs);
    default:
        return {};
    }
}

QString AccessLogModel::toolTip(const Row &row, int column) const
{
    const AccessRecord &record = row.record;
    switch (column) {
    case BackendColumn:
    case UpstreamTimeColumn: {
        const QList<QByteArray> addresses = attempts(record.upstreamAddr);
        if (addresses.isEmpty())
            return tr("No backend was involved: the proxy answered itself.");
        const QList<QByteArray> statuses = attempts(record.upstreamStatus);
        const QList<QByteArray> times = attempts(record.upstreamResponseTime);
        QStringList lines;
        for (qsizetype i = 0; i < addresses.size(); ++i) {
            lines.append(tr("Attempt %1: %2, status %3, %4 ms")
                             .arg(i + 1)
                             .arg(QString::fromLatin1(addresses[i]), QString::fromLatin1(statuses.value(i, "-")),
                                  milliseconds(times.value(i))));
        }
        return lines.join(u'\n');
    }
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(record.timeMs).toString(Qt::ISODateWithMs);
    default:
        return QString::fromLatin1(record.traceLine());
    }
}

QIcon AccessLogModel::backendIcon(const QByteArray &peer) const
{
    const auto found = m_swatches.constFind(peer);
    if (found != m_swatches.cend())
        return *found;
    // A rounded square in the backend's colour carrying its number, for those who cannot
    // tell the colours apart.
    const QFont font = QGuiApplication::font();
    const int side = QFontMetrics(font).height();
    QPixmap pixmap(side, side);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const QColor color = m_palette->colorFor(peer);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawRoundedRect(QRectF(0.5, 0.5, side - 1, side - 1), side / 5.0, side / 5.0);
        QFont small = font;
        small.setBold(true);
        small.setPixelSize(std::max(8, side * 2 / 3));
        painter.setFont(small);
        painter.setPen(BackendPalette::textColorOn(color));
        painter.drawText(QRect(0, 0, side, side), Qt::AlignCenter, QString::number(m_palette->numberFor(peer)));
    }
    QIcon icon(pixmap);
    icon.addPixmap(pixmap, QIcon::Selected); // the colour must not fade on the selected row
    m_swatches.insert(peer, icon);
    return icon;
}

QVariant AccessLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TimeColumn:
            return tr("Time");
        case ClientColumn:
            return tr("Client");
        case MethodColumn:
            return tr("Method");
        case UriColumn:
            return tr("URI");
        case StatusColumn:
            return tr("Status");
        case BackendColumn:
            return tr("Backend");
        case UpstreamTimeColumn:
            return tr("Upstream");
        case TotalTimeColumn:
            return tr("Total");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case TimeColumn:
            return tr("When the request ended (local time)");
        case ClientColumn:
            return tr("The client's address ($remote_addr)");
        case MethodColumn:
            return tr("The request method");
        case UriColumn:
            return tr("The URI as the client sent it ($request_uri)");
        case StatusColumn:
            return tr("The status the client got; 499: the client went away first");
        case BackendColumn:
            return tr("The backend that answered; the tooltip lists every attempt. Click to show only its requests.");
        case UpstreamTimeColumn:
            return tr("How long the backend took to answer, in milliseconds ($upstream_response_time)");
        case TotalTimeColumn:
            return tr("How long the whole request took, in milliseconds ($request_time)");
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (section == StatusColumn || section == UpstreamTimeColumn || section == TotalTimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

} // namespace lbscope
