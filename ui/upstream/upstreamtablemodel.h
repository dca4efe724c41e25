#pragma once

// The servers of one upstream as a table: their configuration (editable, each edit applied
// to the running engine at once) and their live figures, as NGINX Plus and HAProxy show
// them. Rows follow the tick's configuration; figures follow its snapshot. A refused edit
// changes nothing and says why (editRefused).

#include "config/proxyconfig.h"
#include "livetick.h"
#include "serverfields.h"
#include "stats/statssnapshot.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <optional>

namespace lbscope {

class BackendPalette;
class Engine;

// What a snapshot can say about a peer beyond its counters.
namespace peerfacts {
// Why it failed, e.g. "connection refused ×3, timed out ×1"; empty when it never failed.
QString failureReason(const PeerSnapshot &peer);
// The balancer's effective weight (it drops after failures and recovers); the configured weight
// while the balancer has not reported it.
int effectiveWeight(const PeerBalancerState *state, const UpstreamServer &server);
// How often max_fails made it unavailable.
std::optional<quint64> timesUnavailable(const PeerSnapshot &peer);
// When the balancer last picked it (ms since the epoch); nullopt when not since the reset.
std::optional<qint64> lastSelectedMs(const PeerSnapshot &peer);
// Responses of one class (4 for 4xx) by exact code, e.g. {{404, 7}, {429, 1}}.
QList<QPair<int, quint64>> responsesByCode(const PeerSnapshot &peer, int statusClass);
// Requests per second over the last `seconds` complete seconds.
double requestRate(const PeerSnapshot &peer, int seconds = 5);
} // namespace peerfacts

class UpstreamTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamTableModel)

public:
    enum Column {
        StateColumn,
        AddressColumn,
        WeightColumn,
        EffectiveWeightColumn,
        MaxFailsColumn,
        FailTimeoutColumn,
        MaxConnsColumn,
        BackupColumn,
        DownColumn,
        DrainColumn,
        RequestsColumn, // the live figures start here
        RateColumn,
        ActiveColumn,
        Responses4xxColumn,
        Responses5xxColumn,
        FailsColumn,
        UnavailableColumn,
        LastSelectedColumn,
        HeaderTimeColumn,
        ResponseTimeColumn,
        ColumnCount
    };
    static constexpr int FirstFigureColumn = RequestsColumn;
    static constexpr int LastFigureColumn = ResponseTimeColumn;

    enum Role {
        PeerRole = Qt::UserRole + 1, // QByteArray "127.0.0.1:3000"; empty before it resolves
        StateRole,                   // int(PeerState)
        BackendColorRole,            // QColor of the backend (invalid when unknown)
        BackendNumberRole,           // int, 1-based; 0 when unknown
        BadgeTextRole,               // the state strip's word: "UP", "FAILED 8s"
    };

    // How long a 4xx/5xx cell stays tinted after its count rose.
    static constexpr qint64 FlashMs = 3000;

    explicit UpstreamTableModel(Engine *engine, BackendPalette *palette, QObject *parent = nullptr);

    // Which upstream of the configuration the rows show.
    void setUpstream(const QString &name);
    const QString &upstream() const { return m_upstream; }
    // The running configuration as of the last tick (or this model's own last edit).
    const ProxyConfig &configuration() const { return m_config; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Applies the edit to the engine at once; false (and editRefused) when it is refused.
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Why `value` would be refused in that cell, or an empty string: the same checks setData
    // makes before it asks the engine, for editors that refuse input where it is typed.
    QString editError(const QModelIndex &index, const QVariant &value) const;
    // The field a text column edits; nullopt for the other columns.
    static std::optional<ServerFields::Field> fieldOf(int column);

    const UpstreamServer &server(int row) const { return m_rows.at(row).server; }
    QByteArray peerAt(int row) const;

    // Commands on the upstream's server list. Each applies to the engine at once or changes
    // nothing and says why in *error.
    bool addServer(const QString &address, int weight, QString *error);
    // Why addServer would refuse these, or an empty string; *server gets the server line.
    QString addError(const QString &address, int weight, UpstreamServer *server = nullptr) const;
    bool removeServer(int row, QString *error);
    // Moves a server by `delta` places. The engine has no reorder command: this reloads the
    // configuration with the servers reordered, which (as nginx -s reload) restarts the
    // balancer's state (round-robin position, fail windows).
    bool moveServer(int row, int delta, QString *error);

public slots:
    void handleTick(const lbscope::LiveTick &tick);

signals:
    void editRefused(const QModelIndex &index, const QString &reason);

private:
    struct Row
    {
        UpstreamServer server;
        PeerSnapshot peer; // the server's peers added up; empty until stats arrive
        bool hasStats = false;
        qint64 rose4xxAtMs = 0;
        qint64 rose5xxAtMs = 0;
    };

    const UpstreamConfig *currentUpstream() const;
    void syncServers(const QList<UpstreamServer> &servers);
    void syncStats(const StatsSnapshot &stats);
    void setServer(int row, const UpstreamServer &server);
    QString candidate(const QModelIndex &index, const QVariant &value, UpstreamServer *out) const;
    QString checkServers(int row, const UpstreamServer &candidate) const;
    void refuse(const QModelIndex &index, const QString &reason, QString *error = nullptr);

    QVariant displayData(const Row &row, int column) const;
    QVariant toolTipData(const Row &row, int column) const;
    QVariant backgroundData(const Row &row, int column) const;
    QString stateText(const Row &row) const;
    QString badgeText(const Row &row) const;
    QString stateToolTip(const Row &row) const;
    PeerState stateOf(const Row &row) const;
    QByteArray colorKey(const Row &row) const;

    Engine *m_engine;
    BackendPalette *m_palette;
    QString m_upstream;
    QHash<QByteArray, PeerBalancerState> m_balancerStates; // by peer address, from the last tick
    ProxyConfig m_config;
    QList<Row> m_rows;
    qint64 m_nowMs = 0;
};

} // namespace lbscope
