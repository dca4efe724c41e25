#include "teaching/iphashview.h"

#include "backendpalette.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>

using namespace Qt::StringLiterals;

namespace lbscope {

IpHashView::IpHashView(BackendPalette *palette, QWidget *parent)
    : MethodStateView(palette, parent)
    , m_client(makeFigure(u"ipHashClient"_s))
    , m_key(makeFigure(u"ipHashKey"_s))
    , m_hash(makeFigure(u"ipHashValue"_s))
    , m_pick(makeFigure(u"ipHashPick"_s))
{
    m_clients = makeTable({tr("Client address"), tr("Key hashed"), tr("Backend"), tr("Requests")}, u"clientTable"_s);
    m_clients->setAccessibleName(tr("ip_hash: the backend of each client seen so far"));
    m_clients->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch); // it grows: no measuring per row
    auto *form = new QFormLayout;
    form->addRow(tr("Client:"), m_client);
    form->addRow(tr("Key (first three octets):"), m_key);
    form->addRow(tr("Hash:"), m_hash);
    form->addRow(tr("Backend:"), m_pick);
    auto *explanation = new QLabel(tr("The same first three octets give the same hash, so a client always comes back "
                                      "to the same server while the pool stays the same."),
                                   this);
    explanation->setWordWrap(true);
    form->addRow(explanation);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form, 2);
    layout->addWidget(m_clients, 3);
}

// Counted here for every pick; written to the table only when a pick is shown (once a tick).
void IpHashView::notePick(const StatePick &pick)
{
    if (pick.decision.method != BalancingMethod::IpHash || pick.decision.picked < 0)
        return;
    auto found = m_seen.find(pick.client);
    if (found == m_seen.end()) {
        if (m_seen.size() >= MaxClients)
            return;
        found = m_seen.insert(pick.client, Client{int(m_order.size()), 0, pick.decision.key, {}, true});
        m_order.append(pick.client);
    }
    ++found->requests;
    found->changed = true;
    found->backend = pick.pickedName();
}

void IpHashView::flush()
{
    m_clients->setRowCount(int(m_order.size()));
    for (auto it = m_seen.begin(); it != m_seen.end(); ++it) {
        Client &client = *it;
        if (!client.changed)
            continue;
        client.changed = false;
        if (!m_clients->item(client.row, ClientColumn)) {
            m_clients->setItem(client.row, ClientColumn, new QTableWidgetItem(QString::fromLatin1(it.key())));
            m_clients->setItem(client.row, KeyColumn, numberItem(QString::fromLatin1(client.key)));
            m_clients->setItem(client.row, RequestsColumn, numberItem({}));
        }
        m_clients->item(client.row, RequestsColumn)->setText(QString::number(client.requests));
        const QTableWidgetItem *current = m_clients->item(client.row, BackendColumn);
        if (!current || current->data(Qt::UserRole).toByteArray() != client.backend)
            m_clients->setItem(client.row, BackendColumn, serverItem(client.backend, false));
    }
}

void IpHashView::showPick(const StatePick &pick)
{
    const Decision &decision = pick.decision;
    m_client->setText(QString::fromLatin1(pick.client));
    m_key->setText(QString::fromLatin1(decision.key));
    m_hash->setText(QString::number(decision.hash) +
                    (decision.rehashes > 0 ? tr("  (after %n rehash(es))", nullptr, decision.rehashes) : QString()));
    m_pick->setText(
        decision.picked < 0
            ? tr("none")
            : u"%1  %2"_s.arg(m_palette->numberFor(pick.pickedName())).arg(QString::fromLatin1(pick.pickedName())));
    flush();
    const auto shown = m_seen.constFind(pick.client);
    const int row = shown == m_seen.cend() ? -1 : shown->row;
    if (row >= 0)
        m_clients->scrollToItem(m_clients->item(row, ClientColumn));
    for (int each = 0; each < m_clients->rowCount(); ++each) {
        QFont font = m_clients->item(each, ClientColumn)->font();
        font.setBold(each == row);
        m_clients->item(each, ClientColumn)->setFont(font);
    }
}

void IpHashView::reset()
{
    m_seen.clear();
    m_order.clear();
    m_clients->setRowCount(0);
}

} // namespace lbscope
