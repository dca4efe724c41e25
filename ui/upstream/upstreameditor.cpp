#include "upstreameditor.h"

#include "addserverform.h"
#include "config/nginxvalues.h"
#include "inlinemessage.h"
#include "methodpicker.h"
#include "peerstatelegend.h"
#include "peerstatestyle.h"
#include "upstreamdelegate.h"
#include "upstreamtablemodel.h"
#include "weightslider.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// "http://photos", "http://photos/path": the upstream (or host) proxy_pass names.
QString proxyPassTarget(const QString &proxyPass)
{
    QStringView rest(proxyPass);
    for (const auto scheme : {"http://"_L1, "https://"_L1}) {
        if (rest.startsWith(scheme))
            rest = rest.mid(scheme.size());
    }
    const qsizetype slash = rest.indexOf(u'/');
    return (slash < 0 ? rest : rest.left(slash)).toString();
}

QAction *makeAction(QWidget *owner, const QString &text, QStyle::StandardPixmap icon, const QKeySequence &shortcut,
                    const QString &toolTip)
{
    auto *action = new QAction(owner->style()->standardIcon(icon), text, owner);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(u"%1 (%2)"_s.arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
    owner->addAction(action);
    return action;
}

} // namespace

UpstreamEditor::UpstreamEditor(Engine *engine, BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new UpstreamTableModel(engine, palette, this))
    , m_upstreams(new QComboBox(this))
    , m_upstreamName(new QLabel(this))
    , m_method(new MethodPicker(engine, this))
    , m_addForm(new AddServerForm(m_model, this))
    , m_message(new InlineMessage(this))
    , m_view(new QTableView(this))
    , m_weightSlider(new WeightSlider(m_model, this))
{
    m_upstreams->setObjectName(u"upstreams"_s);
    m_upstreams->setToolTip(tr("Which upstream block of the configuration the table shows, and the server "
                               "blocks that send to it"));
    m_upstreams->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *upstreamLabel = new QLabel(tr("&Upstream:"), this);
    upstreamLabel->setBuddy(m_upstreams);
    QFont bigger = m_upstreamName->font();
    bigger.setBold(true);
    m_upstreamName->setFont(bigger);

    m_addAction = makeAction(this, tr("Add server"), QStyle::SP_FileDialogNewFolder, QKeySequence(Qt::Key_Insert),
                             tr("Add a server to this upstream"));
    m_removeAction = makeAction(this, tr("Remove"), QStyle::SP_TrashIcon, QKeySequence(Qt::Key_Delete),
                                tr("Remove the selected server; requests in flight finish"));
    m_moveUpAction = makeAction(this, tr("Move up"), QStyle::SP_ArrowUp, QKeySequence(Qt::CTRL | Qt::Key_Up),
                                tr("Move the selected server up: reloads the upstream, restarting the balancer's "
                                   "state as nginx -s reload does"));
    m_moveDownAction = makeAction(this, tr("Move down"), QStyle::SP_ArrowDown, QKeySequence(Qt::CTRL | Qt::Key_Down),
                                  tr("Move the selected server down: reloads the upstream, restarting the "
                                     "balancer's state as nginx -s reload does"));
    auto *toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(16, 16));
    for (QAction *action : {m_addAction, m_removeAction, m_moveUpAction, m_moveDownAction})
        toolbar->addAction(action);

    auto *top = new QHBoxLayout;
    top->addWidget(upstreamLabel);
    top->addWidget(m_upstreams);
    top->addWidget(m_upstreamName);
    top->addSpacing(16);
    top->addWidget(m_method, 1);
    top->addWidget(toolbar, 0, Qt::AlignRight);

    m_view->setObjectName(u"servers"_s);
    m_view->setModel(m_model);
    m_view->setItemDelegate(new UpstreamDelegate(m_model, m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->setWordWrap(false);
    m_view->setCornerButtonEnabled(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->setToolTip(QString()); // cells and headers carry their own
    sizeColumns();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_addForm);
    layout->addWidget(m_message);
    layout->addWidget(m_view, 1);
    // One row for both, so the charts below keep their height at 1280x720.
    auto *bottom = new QHBoxLayout;
    bottom->setSpacing(16);
    bottom->addWidget(m_weightSlider, 1);
    bottom->addWidget(new PeerStateLegend(this));
    layout->addLayout(bottom);
    setTabOrder(m_upstreams, m_method);
    setTabOrder(m_method, m_view);
    setTabOrder(m_view, m_weightSlider->slider());

    connect(m_upstreams, &QComboBox::activated, this, &UpstreamEditor::handleUpstreamPicked);
    connect(m_model, &UpstreamTableModel::editRefused, this,
            [this](const QModelIndex &, const QString &reason) { m_message->showMessage(reason); });
    connect(m_method, &MethodPicker::methodRefused, this,
            [this](const QString &, const QString &reason) { m_message->showMessage(reason); });
    connect(m_view, &QTableView::clicked, this, [this](const QModelIndex &index) {
        if (index.column() != UpstreamTableModel::AddressColumn && index.column() != UpstreamTableModel::StateColumn)
            return;
        const QByteArray peer = index.data(UpstreamTableModel::PeerRole).toByteArray();
        if (!peer.isEmpty())
            emit backendActivated(peer);
    });
    connect(m_addAction, &QAction::triggered, this, &UpstreamEditor::openAddForm);
    connect(m_removeAction, &QAction::triggered, this, &UpstreamEditor::removeCurrent);
    connect(m_moveUpAction, &QAction::triggered, this, [this] { moveCurrent(-1); });
    connect(m_moveDownAction, &QAction::triggered, this, [this] { moveCurrent(1); });
    connect(m_addForm, &AddServerForm::serverAdded, this, [this] { m_view->setFocus(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UpstreamEditor::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &UpstreamEditor::updateActions);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, &UpstreamEditor::updateActions);
    updateActions();
}

void UpstreamEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        sizeColumns();
}

// From the font: again when it changes (presentation mode).
void UpstreamEditor::sizeColumns()
{
    const QFontMetrics metrics(m_view->font());
    QFont bold = m_view->font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    const int rowHeight = metrics.height() + 14;
    m_view->verticalHeader()->setDefaultSectionSize(rowHeight);
    QHeaderView *header = m_view->horizontalHeader();
    header->setMinimumHeight(2 * metrics.height() + 10); // two-line titles
    for (int column = 0; column < UpstreamTableModel::ColumnCount; ++column) {
        const QStringList lines = m_model->headerData(column, Qt::Horizontal).toString().split(u'\n');
        int width = 0;
        for (const QString &line : lines)
            width = std::max(width, metrics.horizontalAdvance(line));
        width += 12;
        switch (column) {
        case UpstreamTableModel::StateColumn:
            width = rowHeight + 10 +
                    boldMetrics.horizontalAdvance(PeerStateStyle::of(PeerState::Failed).word + u" 10s"_s) + 20;
            break;
        case UpstreamTableModel::AddressColumn:
            width = metrics.horizontalAdvance(u"127.255.255.255:65535"_s) + 10;
            break;
        case UpstreamTableModel::RequestsColumn:
            width = std::max(width, metrics.horizontalAdvance(u"0000000"_s) + 14);
            break;
        case UpstreamTableModel::ActiveColumn:
            width = std::max(width, metrics.horizontalAdvance(u"00 / 00"_s) + 14);
            break;
        case UpstreamTableModel::LastSelectedColumn:
            width = std::max(width, metrics.horizontalAdvance(u"00:00:00"_s) + 14);
            break;
        default:
            break;
        }
        header->resizeSection(column, width);
    }
}

QStringList UpstreamEditor::serverBlocksUsing(const ProxyConfig &config, const QString &upstream)
{
    QStringList names;
    for (const ServerConfig &server : config.servers) {
        bool uses = false;
        forEachLocation(server.locations, [&](const LocationConfig &location) {
            uses = uses || (!location.proxyPass.isEmpty() && proxyPassTarget(location.proxyPass) == upstream);
        });
        if (!uses)
            continue;
        QString name;
        if (!server.serverNames.isEmpty() && !server.serverNames.first().isEmpty())
            name = server.serverNames.first();
        else if (!server.listens.isEmpty())
            name = server.listens.first().text;
        else
            name = tr("server at line %1").arg(server.source.line);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

void UpstreamEditor::updateUpstreamList(const ProxyConfig &config)
{
    const QString current = m_model->upstream();
    m_upstreams->clear();
    for (const UpstreamConfig &upstream : config.upstreams) {
        const QStringList users = serverBlocksUsing(config, upstream.name);
        const QString text = users.isEmpty() ? tr("%1 (no server block uses it)").arg(upstream.name)
                                             : tr("%1 — used by %2").arg(upstream.name, users.join(u", "_s));
        m_upstreams->addItem(text, upstream.name);
        m_upstreams->setItemData(m_upstreams->count() - 1, text, Qt::ToolTipRole);
    }
    const bool several = config.upstreams.size() > 1;
    m_upstreams->setVisible(several);
    m_upstreamName->setVisible(!several);
    if (!several && !config.upstreams.isEmpty()) {
        const QStringList users = serverBlocksUsing(config, config.upstreams.first().name);
        m_upstreamName->setText(config.upstreams.first().name);
        m_upstreamName->setToolTip(users.isEmpty() ? QString() : tr("Used by %1").arg(users.join(u", "_s)));
    }
    const int index = m_upstreams->findData(current);
    m_upstreams->setCurrentIndex(index >= 0 ? index : 0);
}

void UpstreamEditor::handleUpstreamPicked(int index)
{
    showUpstream(m_upstreams->itemData(index).toString());
}

void UpstreamEditor::showUpstream(const QString &name)
{
    m_model->setUpstream(name);
    if (const UpstreamConfig *upstream = m_model->configuration().findUpstream(name))
        m_method->showUpstream(*upstream);
    m_addForm->hide();
}

void UpstreamEditor::handleTick(const LiveTick &tick)
{
    if (tick.configChanged) {
        updateUpstreamList(tick.config);
        // The name first, so the tick's rows come in once, for the right upstream.
        m_model->setUpstream(m_upstreams->currentData().toString());
    }
    m_model->handleTick(tick);
    if (tick.configChanged) {
        if (const UpstreamConfig *upstream = tick.config.findUpstream(m_model->upstream()))
            m_method->showUpstream(*upstream);
    }
}

int UpstreamEditor::heightShowingAllRows() const
{
    const QScrollBar *across = m_view->horizontalScrollBar();
    const int table =
        m_view->horizontalHeader()->height() +
        std::max(m_view->model()->rowCount(), MinRowsShown) * m_view->verticalHeader()->defaultSectionSize() +
        2 * m_view->frameWidth() + (across->isVisible() ? across->height() : 0);
    return height() - m_view->height() + table;
}

int UpstreamEditor::currentRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void UpstreamEditor::updateActions()
{
    const int row = currentRow();
    m_removeAction->setEnabled(row >= 0);
    m_moveUpAction->setEnabled(row > 0);
    m_moveDownAction->setEnabled(row >= 0 && row < m_model->rowCount() - 1);
    m_weightSlider->showServer(m_view->currentIndex());
}

void UpstreamEditor::openAddForm()
{
    // A suggestion the user can take or change: the next port on the last server's host.
    QString suggestion;
    const int rows = m_model->rowCount();
    if (rows > 0) {
        quint16 port = 0;
        for (int row = 0; row < rows; ++row)
            port = std::max(port, m_model->server(row).port);
        const UpstreamServer &last = m_model->server(rows - 1);
        suggestion = nginx::joinHostPort(last.host, port < 65535 ? quint16(port + 1) : port);
    }
    m_addForm->open(suggestion);
}

void UpstreamEditor::removeCurrent()
{
    const int row = currentRow();
    QString error;
    if (m_model->removeServer(row, &error)) {
        const int next = std::min(row, m_model->rowCount() - 1);
        m_view->setCurrentIndex(m_model->index(next, UpstreamTableModel::AddressColumn));
    }
    updateActions();
}

void UpstreamEditor::moveCurrent(int delta)
{
    const int row = currentRow();
    const int column = std::max(0, m_view->currentIndex().column());
    QString error;
    if (m_model->moveServer(row, delta, &error)) {
        m_view->setCurrentIndex(m_model->index(row + delta, column));
        m_message->showMessage(tr("Servers reordered: the upstream was reloaded, so the balancer's state "
                                  "(round-robin position, fail windows) started afresh, as with nginx -s reload."),
                               InlineMessage::Kind::Information);
    }
    updateActions();
}

} // namespace lbscope
