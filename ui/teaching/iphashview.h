#pragma once

// ip_hash for one pick: the client's first three octets (the key), the hash nginx made of them
// and the server it lands on; beside it a table of client address -> backend that grows as
// clients appear, so a class sees each client stay with its server.

#include "teaching/methodstateview.h"

#include <QHash>

class QLabel;
class QTableWidget;

namespace lbscope {

class IpHashView final : public MethodStateView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IpHashView)

public:
    static constexpr int MaxClients = 1024;
    enum Column {
        ClientColumn,
        KeyColumn,
        BackendColumn,
        RequestsColumn,
        ColumnCount
    };

    explicit IpHashView(BackendPalette *palette, QWidget *parent = nullptr);

    void notePick(const StatePick &pick) override;
    void showPick(const StatePick &pick) override;
    void reset() override;

    QLabel *keyLabel() const { return m_key; }
    QLabel *hashLabel() const { return m_hash; }
    QLabel *pickLabel() const { return m_pick; }
    // One row per client address, in the order they appeared.
    QTableWidget *clientTable() const { return m_clients; }

private:
    QLabel *m_client;
    QLabel *m_key;
    QLabel *m_hash;
    QLabel *m_pick;
    QTableWidget *m_clients;
    void flush();

    struct Client
    {
        int row = 0;
        int requests = 0;
        QByteArray key;
        QByteArray backend;
        bool changed = true; // since the table last showed it
    };
    QHash<QByteArray, Client> m_seen; // by client address; the table follows it once per shown pick
    QList<QByteArray> m_order;        // client addresses by row
};

} // namespace lbscope
