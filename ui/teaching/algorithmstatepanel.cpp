#include "teaching/algorithmstatepanel.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"
#include "balancing/peer.h"
#include "logs/decisionexplainer.h"
#include "teaching/hashview.h"
#include "teaching/iphashview.h"
#include "teaching/leastconnview.h"
#include "teaching/randomview.h"
#include "teaching/weightedroundrobinview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString methodTitle(const Decision &decision)
{
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        return AlgorithmStatePanel::tr("round robin (smooth weighted)");
    case BalancingMethod::LeastConn:
        return AlgorithmStatePanel::tr("least_conn");
    case BalancingMethod::IpHash:
        return AlgorithmStatePanel::tr("ip_hash");
    case BalancingMethod::Hash:
        return decision.consistent ? AlgorithmStatePanel::tr("hash ... consistent") : AlgorithmStatePanel::tr("hash");
    case BalancingMethod::Random:
        return decision.randomTwo ? AlgorithmStatePanel::tr("random two") : AlgorithmStatePanel::tr("random");
    }
    return {};
}

// Where the last attempt went: the last entry of $upstream_addr.
QByteArray lastAddress(const QByteArray &upstreamAddr)
{
    const qsizetype comma = upstreamAddr.lastIndexOf(", ");
    return comma < 0 ? upstreamAddr : upstreamAddr.mid(comma + 2);
}

} // namespace

AlgorithmStatePanel::AlgorithmStatePanel(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
    , m_method(new QLabel(this))
    , m_header(new QLabel(this))
    , m_worker(new QLabel(this))
    , m_sentence(new QLabel(this))
    , m_skips(new QLabel(this))
    , m_newest(new QPushButton(tr("&Newest"), this))
    , m_step(new QPushButton(tr("S&tep  (Space)"), this))
    , m_history(new QListWidget(this))
    , m_views(new QStackedWidget(this))
    , m_roundRobin(new WeightedRoundRobinView(palette, this))
    , m_leastConn(new LeastConnView(palette, this))
    , m_ipHash(new IpHashView(palette, this))
    , m_hash(new HashView(palette, this))
    , m_random(new RandomView(palette, this))
{
    setObjectName(u"algorithmStatePanel"_s);
    m_method->setObjectName(u"stateMethod"_s);
    m_header->setObjectName(u"pickHeader"_s);
    m_worker->setObjectName(u"stateWorker"_s);
    m_sentence->setObjectName(u"stepSentence"_s);
    m_skips->setObjectName(u"stateSkips"_s);
    m_step->setObjectName(u"stepButton"_s);
    m_newest->setObjectName(u"newestPick"_s);
    m_history->setObjectName(u"pickHistory"_s);
    ApplicationFontFollower::follow(m_method, ApplicationFontFollower::scaled(1.15, true));
    ApplicationFontFollower::follow(m_sentence, ApplicationFontFollower::scaled(1.6, true));
    m_sentence->setWordWrap(true);
    m_sentence->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sentence->setAccessibleName(tr("Why this server"));
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_skips->setWordWrap(true);
    m_skips->hide();
    m_worker->setWordWrap(true);
    m_step->setToolTip(tr("Send exactly one request and show how the balancer chose (Space)"));
    m_newest->setToolTip(tr("Follow each new pick again"));
    m_history->setAccessibleName(tr("Recent picks, newest first"));
    m_history->setToolTip(tr("Recent picks, newest first: choose one to see the state it was picked in"));
    m_history->setUniformItemSizes(true);
    connect(m_step, &QPushButton::clicked, this, &AlgorithmStatePanel::stepRequested);
    connect(m_newest, &QPushButton::clicked, this, &AlgorithmStatePanel::followNewest);
    connect(m_history, &QListWidget::itemSelectionChanged, this, &AlgorithmStatePanel::handleHistoryClicked);

    auto *placeholder = new QLabel(tr("Send a request (Space) to see how the balancer picks its server."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    m_views->addWidget(placeholder);
    m_allViews = {m_roundRobin, m_leastConn, m_ipHash, m_hash, m_random};
    for (MethodStateView *view : std::as_const(m_allViews))
        m_views->addWidget(view);

    auto *top = new QHBoxLayout;
    auto *titles = new QVBoxLayout;
    titles->addWidget(m_method);
    titles->addWidget(m_header);
    top->addLayout(titles, 1);
    top->addWidget(m_newest);
    top->addWidget(m_step);
    auto *body = new QHBoxLayout;
    body->addWidget(m_views, 4);
    auto *side = new QVBoxLayout;
    auto *historyTitle = new QLabel(tr("Recent &picks"), this);
    historyTitle->setBuddy(m_history);
    side->addWidget(historyTitle);
    side->addWidget(m_history, 1);
    side->addWidget(m_worker);
    body->addLayout(side, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addLayout(top);
    layout->addWidget(m_sentence);
    layout->addWidget(m_skips);
    layout->addLayout(body, 1);
    m_method->setText(tr("Algorithm state"));
    m_sentence->setText(tr("Waiting for the first request."));
}

QList<quint64> AlgorithmStatePanel::historyIds() const
{
    QList<quint64> ids;
    for (const StatePick &pick : m_picks)
        ids.append(pick.id);
    return ids;
}

const StatePick *AlgorithmStatePanel::find(quint64 id) const
{
    for (auto it = m_picks.crbegin(); it != m_picks.crend(); ++it) {
        if (it->id == id)
            return &*it;
    }
    return nullptr;
}

const StatePick *AlgorithmStatePanel::shownPick() const
{
    return m_shownId ? find(m_shownId) : nullptr;
}

MethodStateView *AlgorithmStatePanel::viewFor(const Decision &decision) const
{
    if (decision.roundRobinFallback)
        return m_roundRobin;
    switch (decision.method) {
    case BalancingMethod::RoundRobin:
        return m_roundRobin;
    case BalancingMethod::LeastConn:
        return m_leastConn;
    case BalancingMethod::IpHash:
        return m_ipHash;
    case BalancingMethod::Hash:
        return m_hash;
    case BalancingMethod::Random:
        return m_random;
    }
    return m_roundRobin;
}

void AlgorithmStatePanel::handleTick(const LiveTick &tick)
{
    bool added = false;
    for (const AccessRecord &record : tick.records) {
        if (record.decisions.isEmpty() || record.upstream.isEmpty())
            continue;
        if (record.upstream != m_upstream) {
            clear();
            m_upstream = record.upstream;
        }
        StatePick pick;
        pick.id = record.id;
        pick.worker = record.worker;
        pick.client = record.clientAddress;
        pick.method = record.method;
        pick.uri = record.uri;
        pick.upstream = record.upstream;
        pick.upstreamAddr = record.upstreamAddr;
        pick.status = record.status;
        pick.attempts = int(record.decisions.size());
        pick.decision = record.decisions.last();
        // The state of the worker that served it; one state when the upstream shares a zone.
        for (const BalancerStateSnapshot &state : tick.balancerStates) {
            if (state.upstream == record.upstream && (state.worker == record.worker || state.worker < 0)) {
                pick.state = state;
                pick.hasState = true;
                break;
            }
        }
        for (MethodStateView *view : std::as_const(m_allViews))
            view->notePick(pick);
        m_picks.push_back(std::move(pick));
        if (m_picks.size() > HistoryCapacity)
            m_picks.pop_front();
        added = true;
    }
    if (tick.configChanged)
        m_workerCount = std::max(1, tick.config.workerProcesses);
    if (!added)
        return;
    if (m_stepMode)
        m_follow = true; // each step shows its own pick
    if (!isVisible()) {
        m_dirty = true;
        return;
    }
    refreshHistory();
    if (m_follow || !find(m_shownId))
        display(m_picks.back());
}

void AlgorithmStatePanel::refreshHistory()
{
    m_dirty = false;
    const QSignalBlocker blocker(m_history);
    const quint64 newestListed = m_history->count() ? m_history->item(0)->data(Qt::UserRole).toULongLong() : 0;
    const quint64 oldestHeld = m_picks.empty() ? 0 : m_picks.front().id;
    // Drop what fell out of the ring, then put the new picks on top.
    for (int row = m_history->count() - 1; row >= 0; --row) {
        if (m_history->item(row)->data(Qt::UserRole).toULongLong() >= oldestHeld)
            break;
        delete m_history->takeItem(row);
    }
    int row = 0;
    for (auto it = m_picks.crbegin(); it != m_picks.crend() && it->id > newestListed; ++it) {
        const StatePick &pick = *it;
        const QByteArray name = pick.pickedName();
        // "#9  -> 1  GET /photos/7": the request and the backend's number, as the strip shows it.
        auto *item =
            new QListWidgetItem(tr("#%1  \u2192 %2  %3")
                                    .arg(pick.id)
                                    .arg(name.isEmpty() ? tr("none") : QString::number(m_palette->numberFor(name)))
                                    .arg(QString::fromLatin1(pick.uri.left(40))));
        item->setData(Qt::UserRole, pick.id);
        item->setToolTip(tr("%1 %2 from %3 -> %4")
                             .arg(QString::fromLatin1(pick.method), QString::fromLatin1(pick.uri),
                                  QString::fromLatin1(pick.client), QString::fromLatin1(pick.upstreamAddr)));
        if (!name.isEmpty()) {
            const QColor colour = m_palette->colorFor(name);
            item->setIcon([&] {
                QPixmap swatch(12, 12);
                swatch.fill(colour);
                return QIcon(swatch);
            }());
        }
        m_history->insertItem(row++, item);
    }
    while (m_history->count() > HistoryCapacity)
        delete m_history->takeItem(m_history->count() - 1);
}

void AlgorithmStatePanel::display(const StatePick &pick)
{
    m_shownId = pick.id;
    const Decision &decision = pick.decision;
    MethodStateView *view = viewFor(decision);
    m_views->setCurrentWidget(view);
    view->showPick(pick);
    m_method->setText(tr("Method: %1 - upstream %2").arg(methodTitle(decision), pick.upstream));
    QString header =
        tr("Request #%1 from %2: %3 %4")
            .arg(pick.id)
            .arg(QString::fromLatin1(pick.client), QString::fromLatin1(pick.method), QString::fromLatin1(pick.uri));
    if (pick.attempts > 1)
        header += tr(" (attempt %1 of %1: the earlier ones failed)").arg(pick.attempts);
    if (!m_follow)
        header += tr("  [an earlier pick]");
    m_header->setText(header);
    const PeerNames none;
    m_sentence->setText(DecisionExplainer(decision, none, pick.client, lastAddress(pick.upstreamAddr)).summary());
    fitSentence();
    // Skipped peers and backups, said once more in full: the tables mark them too.
    QStringList skips;
    const QStringList sentences = DecisionExplainer(decision, none, pick.client).sentences();
    for (const QString &line : sentences) {
        if (line != sentences.constLast())
            skips.append(line);
    }
    m_skips->setText(skips.join(u' '));
    m_skips->setVisible(!skips.isEmpty());
    if (pick.worker < 0 || m_workerCount < 2)
        m_worker->setText({});
    else if (pick.hasState && pick.state.worker < 0)
        m_worker->setText(tr("Worker %1 of %2 served it; the workers share one balancer state (zone).")
                              .arg(pick.worker + 1)
                              .arg(m_workerCount));
    else
        m_worker->setText(tr("Worker %1 of %2 served it; each worker keeps its own balancer state, this is "
                             "worker %1's.")
                              .arg(pick.worker + 1)
                              .arg(m_workerCount));
    m_newest->setEnabled(!m_follow);
    const QSignalBlocker blocker(m_history);
    for (int row = 0; row < m_history->count(); ++row) {
        QListWidgetItem *item = m_history->item(row);
        if (item->data(Qt::UserRole).toULongLong() == pick.id) {
            m_history->setCurrentItem(item);
            break;
        }
    }
}

bool AlgorithmStatePanel::showRecord(quint64 id)
{
    if (m_dirty)
        refreshHistory();
    const StatePick *pick = find(id);
    if (!pick)
        return false;
    m_follow = !m_picks.empty() && id == m_picks.back().id;
    display(*pick);
    return true;
}

void AlgorithmStatePanel::followNewest()
{
    m_follow = true;
    if (m_dirty)
        refreshHistory();
    if (!m_picks.empty())
        display(m_picks.back());
}

void AlgorithmStatePanel::handleHistoryClicked()
{
    const QListWidgetItem *item = m_history->currentItem();
    if (item)
        showRecord(item->data(Qt::UserRole).toULongLong());
}

void AlgorithmStatePanel::setStepMode(bool on)
{
    m_stepMode = on;
    if (on)
        followNewest();
    QFont font = m_step->font();
    font.setBold(on);
    m_step->setFont(font);
}

void AlgorithmStatePanel::clear()
{
    m_picks.clear();
    m_history->clear();
    m_shownId = 0;
    m_follow = true;
    m_dirty = false;
    for (MethodStateView *view : std::as_const(m_allViews))
        view->reset();
    m_views->setCurrentIndex(0);
    m_header->clear();
    m_skips->hide();
    m_worker->clear();
    m_method->setText(tr("Algorithm state"));
    m_sentence->setText(tr("Waiting for the first request."));
    m_newest->setEnabled(false);
}

// A wrapped label gets only one line from the box layout of a window resized from outside;
// its height for the width it has says how many it needs.
void AlgorithmStatePanel::fitSentence()
{
    const int width = m_sentence->width() > 0 ? m_sentence->width() : this->width();
    m_sentence->setMinimumHeight(m_sentence->heightForWidth(std::max(width, 200)));
}

void AlgorithmStatePanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitSentence();
}

void AlgorithmStatePanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_dirty)
        return;
    refreshHistory();
    if (!m_picks.empty())
        display(m_follow || !find(m_shownId) ? m_picks.back() : *find(m_shownId));
}

} // namespace lbscope
