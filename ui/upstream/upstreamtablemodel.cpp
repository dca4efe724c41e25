#include "upstreamtablemodel.h"

#include "backendpalette.h"
#include "config/nginxvalues.h"
#include "peerstatestyle.h"
#include "proxy/engine.h"

#include <QColor>
#include <QDateTime>
#include <QHostAddress>

#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace peerfacts {

QString failureReason(const PeerSnapshot &peer)
{
    static const char *const kinds[FailureKinds] = {
        QT_TRANSLATE_NOOP("UpstreamTableModel", "connection refused"),
        QT_TRANSLATE_NOOP("UpstreamTableModel", "connection reset"),
        QT_TRANSLATE_NOOP("UpstreamTableModel", "timed out"),
        QT_TRANSLATE_NOOP("UpstreamTableModel", "invalid response header"),
        QT_TRANSLATE_NOOP("UpstreamTableModel", "error response (proxy_next_upstream)"),
    };
    QStringList parts;
    for (int kind = 0; kind < FailureKinds; ++kind) {
        const quint64 count = peer.counts.failuresByKind[std::size_t(kind)];
        if (count > 0)
            parts.append(UpstreamTableModel::tr(kinds[kind]) + u" ×"_s + QString::number(count));
    }
    const PeerFailure &last = peer.counts.lastFailure;
    if (last.atMs > 0)
        parts.prepend(
            UpstreamTableModel::tr("last: %1 at %2")
                .arg(describeFailure(last), QDateTime::fromMSecsSinceEpoch(last.atMs).toString(u"hh:mm:ss"_s)));
    return parts.join(u", "_s);
}

int effectiveWeight(const PeerBalancerState *state, const UpstreamServer &server)
{
    return state ? state->effectiveWeight : server.weight;
}

std::optional<quint64> timesUnavailable(const PeerSnapshot &peer)
{
    return peer.counts.unavailable;
}

std::optional<qint64> lastSelectedMs(const PeerSnapshot &peer)
{
    if (peer.counts.lastSelectedMs == 0)
        return std::nullopt;
    return peer.counts.lastSelectedMs;
}

QList<QPair<int, quint64>> responsesByCode(const PeerSnapshot &peer, int statusClass)
{
    QList<QPair<int, quint64>> codes;
    const QMap<int, quint64> all = peer.statusCodes();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.key() / 100 == statusClass)
            codes.append({it.key(), it.value()});
    }
    return codes;
}

double requestRate(const PeerSnapshot &peer, int seconds)
{
    // The last entry is the second now running: leave it out so the figure does not dip.
    const qsizetype end = peer.rate.size() - 1;
    const qsizetype begin = std::max<qsizetype>(0, end - seconds);
    if (end <= begin)
        return 0;
    const quint64 sum = std::accumulate(peer.rate.cbegin() + begin, peer.rate.cbegin() + end, quint64(0));
    return double(sum) / double(end - begin);
}

} // namespace peerfacts

namespace {

// A server line may resolve to several peers ("localhost": 127.0.0.1 and ::1): one row
// shows them added up.
void addPeer(PeerSnapshot &sum, const PeerSnapshot &peer)
{
    PeerCounts &to = sum.counts;
    const PeerCounts &from = peer.counts;
    to.requests += from.requests;
    for (std::size_t i = 0; i < to.responses.size(); ++i)
        to.responses[i] += from.responses[i];
    to.failures += from.failures;
    for (std::size_t i = 0; i < to.failuresByKind.size(); ++i)
        to.failuresByKind[i] += from.failuresByKind[i];
    to.active += from.active;
    to.failedUntil = std::max(to.failedUntil, from.failedUntil);
    to.unavailable += from.unavailable;
    to.lastSelectedMs = std::max(to.lastSelectedMs, from.lastSelectedMs);
    if (from.lastFailure.atMs > to.lastFailure.atMs)
        to.lastFailure = from.lastFailure;
    for (auto [code, count] : from.byStatusCode.toMap().asKeyValueRange())
        to.byStatusCode.add(code, count);
    for (qsizetype i = 0; i < std::min(sum.rate.size(), peer.rate.size()); ++i)
        sum.rate[i] += peer.rate[i];
    if (peer.state == PeerState::Failed)
        sum.state = PeerState::Failed;
}

QString milliseconds(const LatencySummary &summary)
{
    if (summary.count == 0)
        return u"–"_s;
    return summary.p50Ms < 10 ? QString::number(summary.p50Ms, 'f', 1) : QString::number(qRound64(summary.p50Ms));
}

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(u"HH:mm:ss"_s);
}

// Names left, switches centred, numbers right (so their digits line up).
QVariant alignment(int column)
{
    switch (column) {
    case UpstreamTableModel::StateColumn:
    case UpstreamTableModel::AddressColumn:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case UpstreamTableModel::BackupColumn:
    case UpstreamTableModel::DownColumn:
    case UpstreamTableModel::DrainColumn:
        return QVariant::fromValue(Qt::AlignCenter);
    default:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
}

bool isChecked(const QVariant &value)
{
    return value.toInt() == Qt::Checked;
}

} // namespace

UpstreamTableModel::UpstreamTableModel(Engine *engine, BackendPalette *palette, QObject *parent)
    : QAbstractTableModel(parent)
    , m_engine(engine)
    , m_palette(palette)
{
}

void UpstreamTableModel::setUpstream(const QString &name)
{
    if (name == m_upstream)
        return;
    beginResetModel();
    m_upstream = name;
    m_rows.clear();
    if (const UpstreamConfig *upstream = currentUpstream()) {
        for (const UpstreamServer &server : upstream->servers)
            m_rows.append(Row{server, {}, false, 0, 0});
    }
    endResetModel();
}

const UpstreamConfig *UpstreamTableModel::currentUpstream() const
{
    return m_config.findUpstream(m_upstream);
}

int UpstreamTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UpstreamTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::optional<ServerFields::Field> UpstreamTableModel::fieldOf(int column)
{
    switch (column) {
    case AddressColumn:
        return ServerFields::Field::Address;
    case WeightColumn:
        return ServerFields::Field::Weight;
    case MaxFailsColumn:
        return ServerFields::Field::MaxFails;
    case FailTimeoutColumn:
        return ServerFields::Field::FailTimeout;
    case MaxConnsColumn:
        return ServerFields::Field::MaxConns;
    default:
        return std::nullopt;
    }
}

QByteArray UpstreamTableModel::peerAt(int row) const
{
    const Row &entry = m_rows.at(row);
    if (entry.hasStats && !entry.peer.peer.isEmpty())
        return entry.peer.peer;
    // Before the first snapshot an IP address names its peer already; a host name does not.
    if (!QHostAddress(entry.server.host).isNull())
        return nginx::joinHostPort(entry.server.host, entry.server.port).toLatin1();
    return {};
}

QByteArray UpstreamTableModel::colorKey(const Row &row) const
{
    return peerAt(int(&row - m_rows.constData()));
}

PeerState UpstreamTableModel::stateOf(const Row &row) const
{
    // The configuration's flags are newer than the snapshot right after an edit.
    if (row.server.down)
        return PeerState::Down;
    if (row.server.draining)
        return PeerState::Draining;
    const PeerState standby = row.server.backup ? PeerState::Backup : PeerState::Up;
    if (!row.hasStats)
        return standby;
    switch (row.peer.state) {
    case PeerState::Failed:
        return PeerState::Failed;
    case PeerState::BackupInUse:
        return row.server.backup ? PeerState::BackupInUse : PeerState::Up;
    default:
        return standby;
    }
}

QString UpstreamTableModel::stateText(const Row &row) const
{
    const PeerState state = stateOf(row);
    if (state == PeerState::Failed)
        return tr("failed until %1").arg(clock((row.peer.counts.failedUntil + 1) * 1000));
    return peerStateName(state);
}

QString UpstreamTableModel::badgeText(const Row &row) const
{
    const PeerState state = stateOf(row);
    const QString word = PeerStateStyle::of(state).word;
    if (state != PeerState::Failed)
        return word;
    // nginx retries a failed peer once fail_timeout has passed since it was marked.
    const qint64 left = ((row.peer.counts.failedUntil + 1) * 1000 - m_nowMs) / 1000;
    return left > 0 ? tr("%1 %2s").arg(word).arg(left) : word;
}

QString UpstreamTableModel::stateToolTip(const Row &row) const
{
    const PeerState state = stateOf(row);
    QString tip =
        u"<b>%1</b>: %2"_s.arg(stateText(row).toHtmlEscaped(), PeerStateStyle::meaning(state).toHtmlEscaped());
    const QString why = row.hasStats ? peerfacts::failureReason(row.peer) : QString();
    if (state == PeerState::Failed) {
        tip += u"<br>"_s + tr("Why: %1").arg(why.isEmpty() ? tr("failures").toHtmlEscaped() : why.toHtmlEscaped());
        tip += u"<br>"_s + tr("max_fails=%1 within fail_timeout=%2")
                               .arg(row.server.maxFails)
                               .arg(ServerFields::text(ServerFields::Field::FailTimeout, row.server));
    } else if (!why.isEmpty()) {
        tip += u"<br>"_s + tr("Failures so far: %1").arg(why.toHtmlEscaped());
    }
    const QByteArray peer = peerAt(int(&row - m_rows.constData()));
    if (!peer.isEmpty() && QLatin1StringView(peer) != row.server.address)
        tip += u"<br>"_s + tr("Peer %1").arg(QString::fromLatin1(peer));
    return tip;
}

QVariant UpstreamTableModel::displayData(const Row &row, int column) const
{
    const UpstreamServer &server = row.server;
    const PeerCounts &counts = row.peer.counts;
    const QString none = u"–"_s;
    switch (column) {
    case StateColumn:
        return stateText(row);
    case AddressColumn:
    case WeightColumn:
    case MaxFailsColumn:
    case FailTimeoutColumn:
        return ServerFields::text(*fieldOf(column), server);
    case MaxConnsColumn:
        return server.maxConns == 0 ? tr("∞") : QString::number(server.maxConns);
    case EffectiveWeightColumn: {
        const auto state = m_balancerStates.constFind(row.peer.peer);
        return peerfacts::effectiveWeight(state != m_balancerStates.cend() ? &*state : nullptr, server);
    }
    case RequestsColumn:
        return row.hasStats ? QVariant(counts.requests) : QVariant(none);
    case RateColumn:
        return row.hasStats ? QString::number(peerfacts::requestRate(row.peer), 'f', 1) : none;
    case ActiveColumn: {
        const QString active = row.hasStats ? QString::number(counts.active) : u"0"_s;
        return server.maxConns > 0 ? u"%1 / %2"_s.arg(active).arg(server.maxConns) : active;
    }
    case Responses4xxColumn:
        return row.hasStats ? QVariant(counts.responses[3]) : QVariant(none);
    case Responses5xxColumn:
        return row.hasStats ? QVariant(counts.responses[4]) : QVariant(none);
    case FailsColumn:
        return row.hasStats ? QVariant(counts.failures) : QVariant(none);
    case UnavailableColumn: {
        const auto times = peerfacts::timesUnavailable(row.peer);
        return times ? QVariant(*times) : QVariant(none);
    }
    case LastSelectedColumn: {
        const auto at = peerfacts::lastSelectedMs(row.peer);
        return at ? clock(*at) : none;
    }
    case HeaderTimeColumn:
        return row.hasStats ? milliseconds(row.peer.headerTime()) : none;
    case ResponseTimeColumn:
        return row.hasStats ? milliseconds(row.peer.responseTime()) : none;
    default:
        return {};
    }
}

QVariant UpstreamTableModel::toolTipData(const Row &row, int column) const
{
    switch (column) {
    case StateColumn:
        return stateToolTip(row);
    case AddressColumn:
        return tr("%1: click to show this backend everywhere; double-click or F2 to edit").arg(row.server.address);
    case Responses4xxColumn:
    case Responses5xxColumn: {
        const int statusClass = column == Responses4xxColumn ? 4 : 5;
        QStringList lines{
            tr("%1xx responses: %2").arg(statusClass).arg(row.peer.counts.responses[std::size_t(statusClass - 1)])};
        for (const auto &[code, count] : peerfacts::responsesByCode(row.peer, statusClass))
            lines.append(tr("%1: %2").arg(code).arg(count));
        return lines.join(u'\n');
    }
    case HeaderTimeColumn:
    case ResponseTimeColumn: {
        const LatencySummary summary = column == HeaderTimeColumn ? row.peer.headerTime() : row.peer.responseTime();
        if (summary.count == 0)
            return tr("No responses yet");
        return tr("p50 %1 ms, p90 %2 ms, p99 %3 ms, max %4 ms, mean %5 ms over %6 responses")
            .arg(summary.p50Ms, 0, 'f', 1)
            .arg(summary.p90Ms, 0, 'f', 1)
            .arg(summary.p99Ms, 0, 'f', 1)
            .arg(summary.maxMs, 0, 'f', 1)
            .arg(summary.meanMs, 0, 'f', 1)
            .arg(summary.count);
    }
    case FailsColumn:
        return peerfacts::failureReason(row.peer);
    default:
        return headerData(column, Qt::Horizontal, Qt::ToolTipRole);
    }
}

QVariant UpstreamTableModel::backgroundData(const Row &row, int column) const
{
    if (column == Responses4xxColumn || column == Responses5xxColumn) {
        const qint64 rose = column == Responses4xxColumn ? row.rose4xxAtMs : row.rose5xxAtMs;
        const qint64 age = m_nowMs - rose;
        if (rose > 0 && age >= 0 && age < FlashMs)
            return QColor(230, 30, 30, int(200 * (FlashMs - age) / FlashMs) + 20);
    }
    // The whole row says it at a glance: red while failed, blue while draining.
    switch (stateOf(row)) {
    case PeerState::Failed:
        return QColor(230, 30, 30, 45);
    case PeerState::Draining:
        return QColor(21, 101, 192, 35);
    default:
        return {};
    }
}

QVariant UpstreamTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        if (column == BackupColumn || column == DownColumn || column == DrainColumn)
            return {};
        return displayData(row, column);
    case Qt::EditRole:
        if (const auto field = fieldOf(column))
            return ServerFields::text(*field, row.server);
        return {};
    case Qt::CheckStateRole:
        if (column == BackupColumn)
            return row.server.backup ? Qt::Checked : Qt::Unchecked;
        if (column == DownColumn)
            return row.server.down ? Qt::Checked : Qt::Unchecked;
        if (column == DrainColumn)
            return row.server.draining ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ToolTipRole:
        return toolTipData(row, column);
    case Qt::TextAlignmentRole:
        return alignment(column);
    case Qt::BackgroundRole:
        return backgroundData(row, column);
    case Qt::ForegroundRole:
        if (stateOf(row) == PeerState::Down && column != StateColumn)
            return QColor(128, 128, 128);
        return {};
    case PeerRole:
        return peerAt(index.row());
    case StateRole:
        return int(stateOf(row));
    case BackendColorRole: {
        const QByteArray key = colorKey(row);
        return key.isEmpty() ? QColor() : m_palette->colorFor(key);
    }
    case BackendNumberRole: {
        const QByteArray key = colorKey(row);
        return key.isEmpty() ? 0 : m_palette->numberFor(key);
    }
    case BadgeTextRole:
        return badgeText(row);
    default:
        return {};
    }
}

QVariant UpstreamTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    struct Header
    {
        const char *title;
        const char *toolTip;
    };
    static const Header headers[ColumnCount] = {
        {QT_TR_NOOP("State"), QT_TR_NOOP("The server's state. The coloured block and number are this backend's "
                                         "colour in every view of the window.")},
        {QT_TR_NOOP("Server"), QT_TR_NOOP("server ADDRESS: where its requests go. Click to show this backend in "
                                          "the other views; double-click or F2 to edit.")},
        {QT_TR_NOOP("Weight"), QT_TR_NOOP("weight=N: its share of the requests in round robin, hash and random. "
                                          "Twice the weight, twice the requests.")},
        {QT_TR_NOOP("Eff.\nweight"), QT_TR_NOOP("The balancer's effective weight now: nginx lowers it after a "
                                                "failure and raises it back step by step.")},
        {QT_TR_NOOP("Max\nfails"), QT_TR_NOOP("max_fails=N: this many failures within fail_timeout mark the "
                                              "server failed (0: never).")},
        {QT_TR_NOOP("Fail\ntimeout"), QT_TR_NOOP("fail_timeout=T: the window in which failures are counted, and "
                                                 "how long a failed server gets no requests.")},
        {QT_TR_NOOP("Max\nconns"), QT_TR_NOOP("max_conns=N: at most N connections to it at once (∞: no limit).")},
        {QT_TR_NOOP("Backup"), QT_TR_NOOP("backup: used only while every primary server is unavailable (round "
                                          "robin and least_conn only).")},
        {QT_TR_NOOP("Down"), QT_TR_NOOP("down: the server is never sent requests.")},
        {QT_TR_NOOP("Drain"), QT_TR_NOOP("Drain: no new requests; those in flight finish. Untick to take it "
                                         "back.")},
        {QT_TR_NOOP("Requests"), QT_TR_NOOP("Requests sent to this server, retries included.")},
        {QT_TR_NOOP("Req/s"), QT_TR_NOOP("Requests per second, averaged over the last 5 seconds.")},
        {QT_TR_NOOP("Active"), QT_TR_NOOP("A / L: connections active now / max_conns limit.")},
        {QT_TR_NOOP("4xx"), QT_TR_NOOP("Client error responses (400-499) from this server. The cell flashes red "
                                       "when the count rises; hover for the exact codes.")},
        {QT_TR_NOOP("5xx"), QT_TR_NOOP("Server error responses (500-599) from this server. The cell flashes red "
                                       "when the count rises; hover for the exact codes.")},
        {QT_TR_NOOP("Fails"), QT_TR_NOOP("Attempts that failed: refused, reset, timed out, invalid header, or an "
                                         "error response proxy_next_upstream counts. Hover for the kinds.")},
        {QT_TR_NOOP("Unavail"), QT_TR_NOOP("Times max_fails made the server unavailable.")},
        {QT_TR_NOOP("Last\npick"), QT_TR_NOOP("When the balancer last picked this server.")},
        {QT_TR_NOOP("Header\nms"), QT_TR_NOOP("Time until the response header arrived: median (p50), in "
                                              "milliseconds. Hover for p90, p99 and max.")},
        {QT_TR_NOOP("Resp.\nms"), QT_TR_NOOP("Time until the whole response arrived: median (p50), in "
                                             "milliseconds. Hover for p90, p99 and max.")},
    };
    switch (role) {
    case Qt::DisplayRole:
        return tr(headers[section].title);
    case Qt::ToolTipRole:
        return tr(headers[section].toolTip);
    case Qt::TextAlignmentRole:
        return alignment(section);
    default:
        return {};
    }
}

Qt::ItemFlags UpstreamTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (fieldOf(index.column()))
        flags |= Qt::ItemIsEditable;
    if (index.column() == BackupColumn || index.column() == DownColumn || index.column() == DrainColumn)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

QString UpstreamTableModel::candidate(const QModelIndex &index, const QVariant &value, UpstreamServer *out) const
{
    *out = m_rows.at(index.row()).server;
    switch (index.column()) {
    case BackupColumn:
        out->backup = isChecked(value);
        return {};
    case DownColumn:
        out->down = isChecked(value);
        return {};
    case DrainColumn:
        out->draining = isChecked(value);
        return {};
    default:
        break;
    }
    const auto field = fieldOf(index.column());
    if (!field)
        return tr("this column cannot be edited");
    return ServerFields::apply(*field, value.toString(), out);
}

QString UpstreamTableModel::checkServers(int row, const UpstreamServer &candidate) const
{
    const UpstreamConfig *current = currentUpstream();
    if (!current)
        return tr("no upstream \"%1\"").arg(m_upstream);
    UpstreamConfig changed = *current;
    qint64 totalWeight = 0;
    for (int i = 0; i < changed.servers.size(); ++i) {
        if (i == row)
            continue;
        if (changed.servers[i].address == candidate.address)
            return tr("the upstream already has server %1").arg(candidate.address);
        totalWeight += changed.servers[i].weight;
    }
    // The balancer adds weights up in an int, as nginx's round robin does.
    if (totalWeight + candidate.weight > std::numeric_limits<int>::max())
        return tr("the weights would add up to more than %1").arg(std::numeric_limits<int>::max());
    if (row >= 0 && row < changed.servers.size())
        changed.servers[row] = candidate;
    else
        changed.servers.append(candidate);
    return validateUpstream(changed);
}

QString UpstreamTableModel::editError(const QModelIndex &index, const QVariant &value) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return tr("no such cell");
    UpstreamServer changed;
    const QString reason = candidate(index, value, &changed);
    if (!reason.isEmpty())
        return reason;
    return checkServers(index.row(), changed);
}

void UpstreamTableModel::refuse(const QModelIndex &index, const QString &reason, QString *error)
{
    if (error)
        *error = reason;
    emit editRefused(index, reason);
}

bool UpstreamTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const bool checkColumn = !fieldOf(index.column());
    if (role != (checkColumn ? Qt::CheckStateRole : Qt::EditRole))
        return false;
    const UpstreamServer current = m_rows.at(index.row()).server;
    UpstreamServer changed;
    QString reason = candidate(index, value, &changed);
    if (reason.isEmpty() && changed == current)
        return true; // nothing to apply: an unchanged edit must not restart the balancer
    if (reason.isEmpty())
        reason = checkServers(index.row(), changed);
    if (reason.isEmpty()) {
        const bool applied = index.column() == DrainColumn
                                 ? m_engine->setDraining(m_upstream, current.address, changed.draining, &reason)
                                 : m_engine->updateServer(m_upstream, current.address, changed, &reason);
        if (applied) {
            setServer(index.row(), changed);
            return true;
        }
    }
    refuse(index, reason);
    return false;
}

void UpstreamTableModel::setServer(int row, const UpstreamServer &server)
{
    for (UpstreamConfig &upstream : m_config.upstreams) {
        if (upstream.name == m_upstream && row < upstream.servers.size())
            upstream.servers[row] = server;
    }
    m_rows[row].server = server;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString UpstreamTableModel::addError(const QString &address, int weight, UpstreamServer *server) const
{
    UpstreamServer added;
    QString reason = ServerFields::apply(ServerFields::Field::Address, address, &added);
    if (reason.isEmpty())
        reason = ServerFields::apply(ServerFields::Field::Weight, QString::number(weight), &added);
    if (reason.isEmpty())
        reason = checkServers(-1, added);
    if (server)
        *server = added;
    return reason;
}

bool UpstreamTableModel::addServer(const QString &address, int weight, QString *error)
{
    UpstreamServer server;
    QString reason = addError(address, weight, &server);
    if (reason.isEmpty() && m_engine->addServer(m_upstream, server, &reason)) {
        const int row = int(m_rows.size());
        beginInsertRows({}, row, row);
        m_rows.append(Row{server, {}, false, 0, 0});
        for (UpstreamConfig &upstream : m_config.upstreams) {
            if (upstream.name == m_upstream)
                upstream.servers.append(server);
        }
        endInsertRows();
        return true;
    }
    refuse({}, reason, error);
    return false;
}

bool UpstreamTableModel::removeServer(int row, QString *error)
{
    if (row < 0 || row >= m_rows.size()) {
        refuse({}, tr("no server selected"), error);
        return false;
    }
    const QString address = m_rows.at(row).server.address;
    QString reason = tr("no upstream \"%1\"").arg(m_upstream);
    if (const UpstreamConfig *current = currentUpstream()) {
        UpstreamConfig changed = *current;
        changed.servers.removeAt(row);
        reason = validateUpstream(changed);
    }
    if (reason.isEmpty() && m_engine->removeServer(m_upstream, address, &reason)) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        for (UpstreamConfig &upstream : m_config.upstreams) {
            if (upstream.name == m_upstream)
                upstream.servers.removeAt(row);
        }
        endRemoveRows();
        return true;
    }
    refuse(index(row, AddressColumn), reason, error);
    return false;
}

bool UpstreamTableModel::moveServer(int row, int delta, QString *error)
{
    const int to = row + delta;
    if (row < 0 || row >= m_rows.size() || to < 0 || to >= m_rows.size()) {
        refuse({}, tr("the server cannot move further"), error);
        return false;
    }
    // Built from the engine's configuration of this moment, so that a change made since the
    // last tick (the method, another upstream) is not undone by the reload.
    ProxyConfig config = m_engine->configuration();
    QString reason = tr("no upstream \"%1\"").arg(m_upstream);
    for (UpstreamConfig &upstream : config.upstreams) {
        if (upstream.name != m_upstream)
            continue;
        const QString address = m_rows.at(row).server.address;
        const auto from = std::find_if(upstream.servers.cbegin(), upstream.servers.cend(),
                                       [&](const UpstreamServer &server) { return server.address == address; });
        reason.clear();
        if (from == upstream.servers.cend() || upstream.servers.size() != m_rows.size())
            reason = tr("the server list changed meanwhile; try again");
        else
            upstream.servers.move(from - upstream.servers.cbegin(), to);
    }
    if (reason.isEmpty() && m_engine->reload(config, &reason)) {
        beginMoveRows({}, row, row, {}, delta > 0 ? to + 1 : to);
        m_rows.move(row, to);
        m_config = config;
        endMoveRows();
        return true;
    }
    refuse(index(row, AddressColumn), reason, error);
    return false;
}

void UpstreamTableModel::handleTick(const LiveTick &tick)
{
    m_nowMs = tick.nowMs;
    if (tick.configChanged) {
        m_config = tick.config;
        const UpstreamConfig *upstream = currentUpstream();
        syncServers(upstream ? upstream->servers : QList<UpstreamServer>());
    }
    // The first worker's balancer (or the zone's) stands for the pool: without a zone each
    // worker keeps its own, as nginx's worker processes do.
    m_balancerStates.clear();
    for (const BalancerStateSnapshot &state : tick.balancerStates) {
        if (state.upstream != m_upstream || state.worker > 0)
            continue;
        for (const PeerBalancerState &peer : state.peers)
            m_balancerStates.insert(peer.name, peer);
    }
    syncStats(tick.stats);
}

void UpstreamTableModel::syncServers(const QList<UpstreamServer> &servers)
{
    const bool sameList =
        servers.size() == m_rows.size() &&
        std::equal(servers.cbegin(), servers.cend(), m_rows.cbegin(),
                   [](const UpstreamServer &server, const Row &row) { return server.address == row.server.address; });
    if (!sameList) {
        beginResetModel();
        QList<Row> rows;
        for (const UpstreamServer &server : servers) {
            // A server that stays keeps its figures and flash times.
            const auto kept = std::find_if(m_rows.cbegin(), m_rows.cend(),
                                           [&](const Row &row) { return row.server.address == server.address; });
            rows.append(kept != m_rows.cend() ? *kept : Row{});
            rows.last().server = server;
        }
        m_rows = rows;
        endResetModel();
        return;
    }
    for (int row = 0; row < servers.size(); ++row) {
        if (!(servers[row] == m_rows[row].server))
            setServer(row, servers[row]);
    }
}

void UpstreamTableModel::syncStats(const StatsSnapshot &stats)
{
    if (m_rows.isEmpty())
        return;
    const auto upstream = std::find_if(stats.upstreams.cbegin(), stats.upstreams.cend(),
                                       [&](const UpstreamSnapshot &candidate) { return candidate.name == m_upstream; });
    if (upstream == stats.upstreams.cend())
        return;
    for (int index = 0; index < m_rows.size(); ++index) {
        Row &row = m_rows[index];
        const PeerState before = stateOf(row);
        PeerSnapshot sum;
        bool found = false;
        for (const PeerSnapshot &peer : upstream->peers) {
            if (peer.server != row.server.address)
                continue;
            if (found) {
                addPeer(sum, peer);
            } else {
                sum = peer;
                found = true;
            }
        }
        if (!found)
            continue;
        if (row.hasStats && sum.counts.responses[3] > row.peer.counts.responses[3])
            row.rose4xxAtMs = m_nowMs;
        if (row.hasStats && sum.counts.responses[4] > row.peer.counts.responses[4])
            row.rose5xxAtMs = m_nowMs;
        row.peer = sum;
        row.hasStats = true;
        if (stateOf(row) != before)
            emit dataChanged(this->index(index, 0), this->index(index, ColumnCount - 1));
    }
    const int last = int(m_rows.size()) - 1;
    emit dataChanged(index(0, StateColumn), index(last, StateColumn));
    emit dataChanged(index(0, FirstFigureColumn), index(last, LastFigureColumn));
}

} // namespace lbscope
