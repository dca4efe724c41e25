#include "demo/demopanel.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"
#include "config/nginxvalues.h"
#include "demo/demoinstancecard.h"
#include "demo/demologmodel.h"
#include "livetick.h"
#include "proxy/engine.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isLoopbackHost(const QString &host)
{
    return host == "localhost"_L1 || QHostAddress(host).isLoopback();
}

} // namespace

DemoPanel::DemoPanel(Engine &engine, BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_palette(palette)
    , m_cardsLayout(new QVBoxLayout)
    , m_external(new QWidget(this))
    , m_externalLayout(new QVBoxLayout(m_external))
    , m_empty(new QLabel(tr("No demo instances."), this))
    , m_logPicker(new QComboBox(this))
    , m_logModel(new DemoLogModel(this))
    , m_log(new QListView(this))
    , m_message(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_cardsLayout->setSpacing(4);
    layout->addLayout(m_cardsLayout);
    layout->addWidget(m_empty);
    m_externalLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_external);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(u"color: #d55e00;"_s);
    m_message->hide();
    layout->addWidget(m_message);

    auto *logLabel = new QLabel(tr("&Log of"), this);
    logLabel->setBuddy(m_logPicker);
    auto *logRow = new QHBoxLayout;
    logRow->addWidget(logLabel);
    logRow->addWidget(m_logPicker, 1);
    layout->addLayout(logRow);
    m_logPicker->setToolTip(tr("Whose requests the log below shows, as each instance logged them"));
    m_log->setModel(m_logModel);
    m_log->setUniformItemSizes(true); // only the rows on screen are laid out
    m_log->setMinimumWidth(120);      // long log lines scroll; they must not widen the dock
    m_log->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_log->setTextElideMode(Qt::ElideNone);
    ApplicationFontFollower::follow(m_log, ApplicationFontFollower::fixedPitch());
    m_log->setToolTip(tr("What the instance received, one line per request in nginx's combined format "
                         "(the last %n lines; Ctrl+C copies the current one)",
                         nullptr, int(DemoLogModel::Capacity)));
    layout->addWidget(m_log, 1);
    connect(m_logPicker, &QComboBox::currentIndexChanged, this, [this] {
        m_logModel->clear();
        emit followedLogChanged(followedLog());
    });
}

QString DemoPanel::followedLog() const
{
    return isVisible() && m_onScreen ? m_logPicker->currentText() : QString();
}

void DemoPanel::setOnScreen(bool onScreen)
{
    if (onScreen == m_onScreen)
        return;
    m_onScreen = onScreen;
    emit followedLogChanged(followedLog());
}

void DemoPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    emit followedLogChanged(followedLog());
}

void DemoPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    emit followedLogChanged(QString());
}

DemoPanel::~DemoPanel() = default;

void DemoPanel::handleTick(const LiveTick &tick)
{
    updateCards(tick);
    if (tick.configChanged || tick.demoRestarted || tick.sequence == 1)
        updateExternal(tick);
    showLog(tick);
}

void DemoPanel::showLog(const LiveTick &tick)
{
    if (tick.demoLogInstance != m_logPicker->currentText())
        return; // asked for before the picker changed
    if (tick.demoLogReset)
        m_logModel->clear();
    if (tick.demoLog.isEmpty())
        return;
    QScrollBar *bar = m_log->verticalScrollBar();
    const bool atBottom = bar->value() == bar->maximum();
    m_logModel->append(tick.demoLog);
    if (atBottom)
        m_log->scrollToBottom();
}

void DemoPanel::updateCards(const LiveTick &tick)
{
    QStringList names;
    for (const DemoFleet::Instance &instance : tick.demoInstances) {
        names.append(instance.name);
        DemoInstanceCard *card = m_cards.value(instance.name);
        if (card && card->peer() != nginx::joinHostPort(instance.address.toString(), instance.port).toLatin1()) {
            delete card; // a new fleet reused the name for another address
            card = nullptr;
        }
        if (!card) {
            card = new DemoInstanceCard(m_engine, m_palette, instance, this);
            connect(card, &DemoInstanceCard::commandFailed, m_message, [this](const QString &message) {
                m_message->setText(message);
                m_message->show();
            });
            m_cardsLayout->addWidget(card);
            m_cards.insert(instance.name, card);
        }
        card->update(instance);
    }
    for (auto it = m_cards.begin(); it != m_cards.end();) {
        if (names.contains(it.key())) {
            ++it;
            continue;
        }
        delete it.value();
        it = m_cards.erase(it);
    }
    m_empty->setVisible(m_cards.isEmpty());
    if (QStringList(names) != m_pickerNames) {
        m_pickerNames = names;
        const QString current = m_logPicker->currentText();
        const QSignalBlocker blocker(m_logPicker);
        m_logPicker->clear();
        m_logPicker->addItems(names);
        m_logPicker->setCurrentIndex(std::max<int>(0, int(names.indexOf(current))));
        if (m_logPicker->currentText() != current) {
            m_logModel->clear();
            emit followedLogChanged(followedLog());
        }
    }
}

// Loopback servers of the configuration with no instance: a real app of the user's may listen
// there, so an instance is started only when asked.
void DemoPanel::updateExternal(const LiveTick &tick)
{
    QStringList external;
    for (const UpstreamConfig &upstream : tick.config.upstreams) {
        for (const UpstreamServer &server : upstream.servers) {
            if (!isLoopbackHost(server.host))
                continue;
            const QString host = server.host == "localhost"_L1 ? u"127.0.0.1"_s : server.host;
            const QString hostPort = nginx::joinHostPort(host, server.port);
            const bool demo = std::any_of(tick.demoInstances.cbegin(), tick.demoInstances.cend(), [&](const auto &i) {
                return i.port == server.port && i.address == QHostAddress(host);
            });
            if (!demo && !external.contains(hostPort))
                external.append(hostPort);
        }
    }
    if (external == m_externalServers)
        return;
    m_externalServers = external;
    while (QLayoutItem *item = m_externalLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString &hostPort : std::as_const(external)) {
        auto *row = new QWidget(m_external);
        auto *rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(6, 0, 0, 0);
        auto *label = new QLabel(tr("%1 external").arg(hostPort), row);
        label->setToolTip(tr("Not a built-in demo instance: whatever listens on %1 answers").arg(hostPort));
        auto *start = new QPushButton(tr("Start demo"), row);
        start->setToolTip(tr("Run a built-in demo web app on %1").arg(hostPort));
        connect(start, &QPushButton::clicked, this, [this, hostPort] { startInstanceFor(hostPort); });
        rowLayout->addWidget(label, 1);
        rowLayout->addWidget(start);
        m_externalLayout->addWidget(row);
    }
}

void DemoPanel::startInstanceFor(const QString &hostPort)
{
    DemoFleet *fleet = m_engine.demoInstances();
    const auto split = nginx::splitHostPort(hostPort);
    QString error = tr("the demo instances are not running");
    if (fleet && split && fleet->startInstance(QHostAddress(split->host), split->port, &error)) {
        m_message->hide();
        return;
    }
    m_message->setText(tr("No demo instance on %1: %2").arg(hostPort, error));
    m_message->show();
}

} // namespace lbscope
