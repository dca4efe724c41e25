#include "demo/demopanel.h"

#include "backendpalette.h"
#include "config/nginxvalues.h"
#include "demo/demoinstancecard.h"
#include "demo/demolineindex.h"
#include "livetick.h"
#include "proxy/engine.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int LogLines = 500;

bool isLoopbackHost(const QString &host)
{
    return host == "localhost"_L1 || QHostAddress(host).isLoopback();
}

} // namespace

DemoPanel::DemoPanel(Engine &engine, BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_palette(palette)
    , m_lines(std::make_unique<DemoLineIndex>())
    , m_cardsLayout(new QVBoxLayout)
    , m_external(new QWidget(this))
    , m_externalLayout(new QVBoxLayout(m_external))
    , m_empty(new QLabel(tr("No demo instances."), this))
    , m_logPicker(new QComboBox(this))
    , m_log(new QPlainTextEdit(this))
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
    m_log->setReadOnly(true);
    m_log->setMinimumWidth(120); // long log lines scroll; they must not widen the dock
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(LogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setToolTip(tr("What the instance received, one line per request in nginx's combined format"));
    layout->addWidget(m_log, 1);
    connect(m_logPicker, &QComboBox::currentIndexChanged, this, [this] {
        m_log->clear();
        m_log->appendPlainText(m_recent.value(m_logPicker->currentText()).join(u'\n'));
    });
}

DemoPanel::~DemoPanel() = default;

void DemoPanel::handleTick(const LiveTick &tick)
{
    if (tick.demoRestarted) {
        m_lines->clear();
        m_recent.clear();
        m_log->clear();
    }
    updateCards(tick);
    if (tick.configChanged || tick.demoRestarted || tick.sequence == 1)
        updateExternal(tick);

    QHash<QString, QByteArray> peers;
    for (const DemoFleet::Instance &instance : tick.demoInstances)
        peers.insert(instance.name, nginx::joinHostPort(instance.address.toString(), instance.port).toLatin1());
    const QString shown = m_logPicker->currentText();
    for (const LiveTick::DemoLogBatch &batch : tick.demoLogs) {
        const QByteArray peer = peers.value(batch.instance);
        QStringList &recent = m_recent[batch.instance];
        QStringList fresh;
        for (const DemoLogEntry &entry : batch.entries) {
            m_lines->add(peer, entry);
            fresh.append(entry.line);
        }
        recent += fresh;
        if (recent.size() > LogLines)
            recent.remove(0, recent.size() - LogLines);
        if (batch.instance == shown) {
            QScrollBar *bar = m_log->verticalScrollBar();
            const bool atBottom = bar->value() == bar->maximum();
            m_log->appendPlainText(fresh.mid(std::max<qsizetype>(0, fresh.size() - LogLines)).join(u'\n'));
            if (atBottom)
                bar->setValue(bar->maximum());
        }
    }
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
        m_log->clear();
        m_log->appendPlainText(m_recent.value(m_logPicker->currentText()).join(u'\n'));
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
