#include "methodcomparisonview.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"
#include "config/nginxvalues.h"
#include "traffic/trafficdistributionview.h"
#include "upstream/inlinemessage.h"

#include <QComboBox>
#include <QEvent>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString millis(double ms)
{
    return ms < 10.0 ? QString::number(ms, 'f', 1) : QString::number(std::llround(ms));
}

QHostAddress hostAddress(const QString &host)
{
    return host.compare("localhost"_L1, Qt::CaseInsensitive) == 0 ? QHostAddress(QHostAddress::LocalHost)
                                                                  : QHostAddress(host);
}

} // namespace

// {n} makes every path unique, {rand} gives hash $request_uri something to spread.
const QString MethodComparisonView::PathTemplate = u"/photo/{n}/{rand:1-1000}"_s;

QList<MethodChoice> MethodComparisonView::methodChoices()
{
    const auto make = [](BalancingMethod method, const QString &key = {}, bool consistent = false, bool two = false) {
        MethodChoice choice;
        choice.method = method;
        choice.hashKey = key;
        choice.hashConsistent = consistent;
        choice.randomTwo = two;
        return choice;
    };
    return {
        make(BalancingMethod::RoundRobin),
        make(BalancingMethod::LeastConn),
        make(BalancingMethod::IpHash),
        make(BalancingMethod::Hash, u"$request_uri"_s),
        make(BalancingMethod::Hash, u"$request_uri"_s, true),
        make(BalancingMethod::Random),
        make(BalancingMethod::Random, {}, false, true),
    };
}

MethodComparisonView::MethodComparisonView(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
{
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(buildControls());
    m_message = new InlineMessage(content);
    m_message->setObjectName(u"comparisonMessage"_s);
    layout->addWidget(m_message);
    // The sentence first: on a projector it is what the class reads, and it must not scroll away.
    m_conclusion = new QLabel(content);
    m_conclusion->setObjectName(u"conclusion"_s);
    m_conclusion->setWordWrap(true);
    m_conclusion->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_conclusion);
    auto *sides = new QHBoxLayout;
    sides->addWidget(buildSide(0), 1);
    sides->addWidget(buildSide(1), 1);
    layout->addLayout(sides);
    m_sameTraffic = new QLabel(content);
    m_sameTraffic->setObjectName(u"sameTraffic"_s);
    m_sameTraffic->setWordWrap(true);
    layout->addWidget(m_sameTraffic);
    m_poolLabel = new QLabel(content);
    m_poolLabel->setObjectName(u"poolLabel"_s);
    m_poolLabel->setWordWrap(true);
    m_poolLabel->setForegroundRole(QPalette::PlaceholderText); // follows the palette, high contrast too
    layout->addWidget(m_poolLabel);
    layout->addStretch(1);

    // In presentation mode the larger text may not fit the tab's height: scroll, never clip.
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    m_poll.setInterval(PollIntervalMs);
    connect(&m_poll, &QTimer::timeout, this, &MethodComparisonView::updateFigures);
    connect(&m_comparison, &MethodComparison::finished, this, &MethodComparisonView::handleFinished);
    updateServers();
    updateControls();
    updateFigures();
    applyFonts();
}

MethodComparisonView::~MethodComparisonView() = default;

void MethodComparisonView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // This view's font follows the application's (presentation mode scales it); the figures
    // keep their size relative to it.
    if (event->type() == QEvent::FontChange)
        applyFonts();
}

void MethodComparisonView::applyFonts()
{
    const auto scaled = [this](qreal factor, bool bold) {
        return ApplicationFontFollower::scaled(factor, bold)(font());
    };
    for (const Side &side : m_sides) {
        side.heading->setFont(scaled(1.4, true));
        side.latency->setFont(scaled(1.3, false));
    }
    m_conclusion->setFont(scaled(1.3, true));
}

QWidget *MethodComparisonView::buildControls()
{
    // Three short rows, each as wide as it needs: with presentation mode's larger font the tab
    // still fits beside the docks at 1280x720.
    auto *controls = new QWidget(this);
    auto *rows = new QVBoxLayout(controls);
    rows->setContentsMargins(0, 0, 0, 0);
    const auto newRow = [rows] {
        auto *row = new QHBoxLayout;
        rows->addLayout(row);
        return row;
    };
    const auto place = [controls](QHBoxLayout *row, const QString &text, QWidget *field) {
        auto *label = new QLabel(text, controls);
        label->setBuddy(field);
        row->addWidget(label);
        row->addWidget(field);
    };
    const auto spin = [controls](const QString &name, int low, int high, int value, const QString &toolTip) {
        auto *box = new QSpinBox(controls);
        box->setObjectName(name);
        box->setRange(low, high);
        box->setValue(value);
        box->setToolTip(toolTip);
        box->setAccelerated(true);
        return box;
    };

    QHBoxLayout *methods = newRow();
    const QList<MethodChoice> choices = methodChoices();
    const QString methodLabels[] = {tr("Method &1:"), tr("Method &2:")};
    for (int i = 0; i < MethodComparison::Sides; ++i) {
        auto *box = new QComboBox(controls);
        box->setObjectName(u"method%1"_s.arg(i + 1));
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(14); // "hash $request_uri consistent" shows in full in the list
        for (const MethodChoice &choice : choices)
            box->addItem(choice.text());
        box->setCurrentIndex(i == 0 ? 0 : 1); // round robin against least_conn
        box->setToolTip(tr("The balancing method this side's copy of the pool runs"));
        connect(box, &QComboBox::currentIndexChanged, this, &MethodComparisonView::updateFigures);
        place(methods, methodLabels[i], box);
        if (i == 0)
            methods->addWidget(new QLabel(tr("against"), controls));
        m_sides[std::size_t(i)].method = box;
    }
    methods->addStretch(1);

    QHBoxLayout *slow = newRow();
    m_slowServer = new QComboBox(controls);
    m_slowServer->setObjectName(u"slowServer"_s);
    m_slowServer->setToolTip(tr("One server whose copies answer late, on both sides alike; the other copies keep "
                                "the main demo instances' delay and error rate"));
    m_slowDelay = spin(u"slowDelay"_s, 1, 10'000, DefaultSlowDelayMs, tr("How late the slow server's copies answer"));
    m_slowDelay->setSuffix(tr(" ms"));
    place(slow, tr("Slow &server:"), m_slowServer);
    place(slow, tr("Dela&y:"), m_slowDelay);
    m_concurrency = spin(u"concurrency"_s, 1, 256, DefaultConcurrency,
                         tr("Requests in flight at once per side. least_conn needs more than one to see a "
                            "difference: with one at a time every server is always idle."));
    m_clients =
        spin(u"clients"_s, 0, 1000, 0, tr("Simulated client addresses (127.x.y.1), for ip_hash; 0: one client"));
    m_clients->setSpecialValueText(tr("one"));
    place(slow, tr("Co&ncurrency:"), m_concurrency);
    place(slow, tr("Cl&ients:"), m_clients);
    slow->addStretch(1);

    QHBoxLayout *amount = newRow();
    m_requests = spin(u"requests"_s, 1, 100'000, DefaultRequests, tr("How many requests each side gets"));
    m_rate = spin(u"rate"_s, 0, 10'000, 0,
                  tr("Requests per second; \"as fast as possible\" sends them as fast as the concurrency allows"));
    m_rate->setSpecialValueText(tr("as fast as possible"));
    m_rate->setSuffix(tr(" /s"));
    m_duration = spin(u"duration"_s, 1, 600, 10, tr("How long a steady rate runs"));
    m_duration->setSuffix(tr(" s"));
    place(amount, tr("Re&quests:"), m_requests);
    place(amount, tr("Rat&e:"), m_rate);
    place(amount, tr("D&uration:"), m_duration);
    amount->addStretch(1);
    m_start = new QPushButton(tr("Start &both"), controls);
    m_start->setObjectName(u"startComparison"_s);
    m_stop = new QPushButton(tr("Stop both"), controls);
    m_stop->setObjectName(u"stopComparison"_s);
    m_stop->setToolTip(tr("Stop both runs; the copies are stopped and their ports closed"));
    amount->addWidget(m_start);
    amount->addWidget(m_stop);
    connect(m_start, &QPushButton::clicked, this, &MethodComparisonView::start);
    connect(m_stop, &QPushButton::clicked, this, &MethodComparisonView::stop);

    connect(m_rate, &QSpinBox::valueChanged, this, &MethodComparisonView::updateControls);
    connect(m_slowServer, &QComboBox::currentIndexChanged, this, &MethodComparisonView::updateControls);
    return controls;
}

QWidget *MethodComparisonView::buildSide(int index)
{
    Side &side = m_sides[std::size_t(index)];
    side.box = new QGroupBox(this);
    side.box->setObjectName(u"side%1"_s.arg(index + 1));
    auto *layout = new QVBoxLayout(side.box);
    auto *heading = new QLabel(side.box);
    heading->setObjectName(u"heading"_s);
    layout->addWidget(heading);
    side.distribution = new TrafficDistributionView(m_palette, side.box);
    side.distribution->setToolTip(tr("Requests this side's proxy sent to each server, as its own counters say"));
    layout->addWidget(side.distribution);
    side.latency = new QLabel(side.box);
    side.latency->setObjectName(u"latency"_s);
    side.latency->setWordWrap(true); // two lines rather than a side too wide for a projector
    side.latency->setToolTip(tr("Request time at this side's proxy over the run: median, 99th percentile, slowest"));
    layout->addWidget(side.latency);
    side.heading = heading;
    side.progress = new QLabel(side.box);
    side.progress->setObjectName(u"progress"_s);
    layout->addWidget(side.progress);
    return side.box;
}

void MethodComparisonView::handleTick(const LiveTick &tick)
{
    if (tick.configChanged || tick.demoRestarted || m_pool.upstreams.isEmpty()) {
        m_pool = tick.config;
        updateServers();
    }
    m_demoInstances = tick.demoInstances;
    const QString upstream = m_pool.upstreams.isEmpty() ? QString() : m_pool.upstreams.first().name;
    m_mainPeers.clear();
    for (const UpstreamSnapshot &snapshot : tick.stats.upstreams) {
        if (snapshot.name == upstream)
            m_mainPeers = snapshot.peers;
    }
}

void MethodComparisonView::updateServers()
{
    QStringList servers;
    QString upstream;
    if (!m_pool.upstreams.isEmpty()) {
        upstream = m_pool.upstreams.first().name;
        for (const UpstreamServer &server : m_pool.upstreams.first().servers)
            servers.append(server.address);
    }
    if (servers != m_servers) {
        const QString chosen = m_slowServer->currentIndex() > 0 ? m_slowServer->currentText() : QString();
        const bool first = m_servers.isEmpty();
        const QSignalBlocker blocker(m_slowServer);
        m_slowServer->clear();
        m_slowServer->addItem(tr("none"), -1);
        for (qsizetype i = 0; i < servers.size(); ++i)
            m_slowServer->addItem(servers[i], int(i));
        // The lesson by default: the last server is the slow one.
        const int found = m_slowServer->findText(chosen);
        m_slowServer->setCurrentIndex(found > 0 ? found : (first || !chosen.isEmpty() ? int(servers.size()) : 0));
        m_servers = servers;
    }
    m_poolLabel->setText(
        upstream.isEmpty()
            ? tr("The running configuration has no upstream to compare.")
            : tr("Each side runs a private copy of upstream %1 (same servers and weights, on demo instances of its "
                 "own); the running proxy is not touched.")
                  .arg(upstream));
    updateControls();
}

void MethodComparisonView::updateControls()
{
    const bool running = m_comparison.isRunning();
    const bool steady = m_rate->value() > 0;
    for (const Side &side : m_sides)
        side.method->setEnabled(!running);
    for (QWidget *field : {static_cast<QWidget *>(m_rate), static_cast<QWidget *>(m_concurrency),
                           static_cast<QWidget *>(m_clients), static_cast<QWidget *>(m_slowServer)})
        field->setEnabled(!running);
    m_requests->setEnabled(!running && !steady);
    m_duration->setEnabled(!running && steady);
    m_slowDelay->setEnabled(!running && m_slowServer->currentData().toInt() >= 0);
    m_start->setEnabled(!running && !m_servers.isEmpty());
    m_start->setToolTip(m_servers.isEmpty() ? tr("The running configuration has no upstream servers to copy")
                                            : tr("Run two copies of the pool, one per method, on the same requests"));
    m_stop->setEnabled(running);
}

ComparisonSetup MethodComparisonView::setup() const
{
    ComparisonSetup setup;
    setup.pool = m_pool;
    const QList<MethodChoice> choices = methodChoices();
    for (int i = 0; i < MethodComparison::Sides; ++i)
        setup.methods[std::size_t(i)] = choices.value(m_sides[std::size_t(i)].method->currentIndex());
    if (!m_pool.upstreams.isEmpty()) {
        for (const UpstreamServer &server : m_pool.upstreams.first().servers) {
            DemoKnobs knobs;
            const QHostAddress address = hostAddress(server.host);
            for (const DemoFleet::Instance &instance : m_demoInstances) {
                if (instance.address == address && instance.port == server.port) {
                    knobs = {instance.delayMs, instance.errorRate, instance.crashed};
                    break;
                }
            }
            setup.knobs.append(knobs);
        }
    }
    const int slow = m_slowServer->currentData().toInt();
    if (slow >= 0 && slow < setup.knobs.size())
        setup.knobs[slow].delayMs = m_slowDelay->value();

    TrafficPlan &plan = setup.plan;
    plan.pathTemplate = PathTemplate;
    plan.concurrency = m_concurrency->value();
    plan.simulatedClients = m_clients->value();
    if (m_rate->value() > 0) {
        // A fixed count at the rate rather than a duration: both sides then get exactly the
        // same requests even if one of them falls behind.
        plan.mode = TrafficPlan::Mode::Rate;
        plan.rate = m_rate->value();
        plan.count = quint64(m_rate->value()) * quint64(m_duration->value());
    } else {
        plan.mode = TrafficPlan::Mode::Burst;
        plan.count = quint64(m_requests->value());
    }
    return setup;
}

void MethodComparisonView::start()
{
    if (m_comparison.isRunning())
        return;
    QString error;
    if (!m_comparison.start(setup(), &error)) {
        m_message->showMessage(tr("The comparison did not start: %1").arg(error));
        return;
    }
    m_message->hide();
    m_haveRun = true;
    m_poll.start();
    updateControls();
    updateFigures();
}

void MethodComparisonView::stop()
{
    m_comparison.stop(); // finished() comes before this returns
}

void MethodComparisonView::handleFinished()
{
    m_poll.stop();
    updateControls();
    updateFigures();
}

QByteArray MethodComparisonView::mainPeer(int server) const
{
    const QString address = m_servers.value(server);
    for (const PeerSnapshot &peer : m_mainPeers) {
        if (peer.server == address)
            return peer.peer;
    }
    if (!m_pool.upstreams.isEmpty() && server < m_pool.upstreams.first().servers.size()) {
        const UpstreamServer &config = m_pool.upstreams.first().servers[server];
        return nginx::joinHostPort(config.host, config.port).toLatin1();
    }
    return address.toLatin1();
}

void MethodComparisonView::updateFigures()
{
    const bool running = m_comparison.isRunning();
    const std::array<ComparisonSide, 2> sides = {m_comparison.side(0), m_comparison.side(1)};
    const QList<MethodChoice> choices = methodChoices();
    for (int i = 0; i < MethodComparison::Sides; ++i) {
        const Side &view = m_sides[std::size_t(i)];
        const ComparisonSide &side = sides[std::size_t(i)];
        const QString method = m_haveRun ? side.method.text() : choices.value(view.method->currentIndex()).text();
        view.heading->setText(method);
        QList<BackendShare> shares;
        for (qsizetype b = 0; b < side.backends.size(); ++b) {
            const ComparisonBackend &backend = side.backends[b];
            BackendShare share;
            // In the main pool's colour: the copy's instance stands for that server.
            share.backend = QString::fromLatin1(m_servers.value(b) == backend.server ? mainPeer(int(b))
                                                                                     : backend.server.toLatin1());
            share.count = backend.counts.requests;
            share.sharePercent = backend.sharePercent;
            share.failures = backend.counts.failures;
            shares.append(share);
        }
        if (side.peerRequests() == 0)
            shares.clear();
        view.distribution->setShares(shares);
        if (side.requestTime.count == 0) {
            view.latency->setText(tr("p50 \u2013   p99 \u2013   max \u2013"));
        } else {
            view.latency->setText(tr("p50 %1 ms   p99 %2 ms   max %3 ms")
                                      .arg(millis(side.requestTime.p50Ms), millis(side.requestTime.p99Ms),
                                           millis(side.requestTime.maxMs)));
        }
        const TrafficProgress &progress = side.progress;
        QString text;
        if (!m_haveRun) {
            text = tr("Not run yet");
        } else {
            text = tr("%L1 of %L2 answered").arg(progress.done).arg(progress.targetTotal);
            if (running && progress.inFlight > 0)
                text += tr(", %L1 in flight").arg(progress.inFlight);
            if (progress.failed > 0)
                text += tr(", %L1 failed").arg(progress.failed);
            if (progress.cancelled > 0)
                text += tr(", %L1 cancelled").arg(progress.cancelled);
        }
        view.progress->setText(text);
    }
    m_conclusion->setText(conclusion(sides, !running));
    m_sameTraffic->setText(trafficText(sides, !running));
}

QString MethodComparisonView::conclusion(const std::array<ComparisonSide, 2> &sides, bool over) const
{
    if (!m_haveRun)
        return tr("Pick two methods and press Start both: each gets its own copy of the pool and the same requests.");
    if (sides[0].peerRequests() == 0 && sides[1].peerRequests() == 0)
        return over ? tr("No request reached a server.") : tr("Starting\u2026");
    const ComparisonVerdict verdict = ComparisonVerdict::of(sides[0], sides[1], false);
    const QString names[] = {sides[0].method.text(), sides[1].method.text()};
    const QString p99[] = {millis(verdict.p99Ms[0]), millis(verdict.p99Ms[1])};
    const QString prefix = over ? QString() : tr("So far: ");
    if (verdict.slowServer < 0)
        return prefix + tr("p99 %1 ms with %2, %3 ms with %4.").arg(p99[0], names[0], p99[1], names[1]);
    const QString server = sides[0].backends[verdict.slowServer].server;
    const quint64 left = verdict.slowRequests[0];
    const quint64 right = verdict.slowRequests[1];
    if (left == right) {
        return prefix +
               tr("both sent the slow %1 %L2 requests; p99 %3 ms vs %4 ms.").arg(server).arg(left).arg(p99[0], p99[1]);
    }
    const int fewer = left < right ? 0 : 1;
    const int more = 1 - fewer;
    const quint64 low = std::min(left, right);
    const quint64 high = std::max(left, right);
    const auto percent = std::llround(100.0 * double(high - low) / double(high));
    return prefix + tr("%1 sent the slow %2 %3% fewer requests than %4 (%L5 vs %L6); p99 %7 ms vs %8 ms.")
                        .arg(names[fewer], server)
                        .arg(percent)
                        .arg(names[more])
                        .arg(low)
                        .arg(high)
                        .arg(p99[fewer], p99[more]);
}

QString MethodComparisonView::trafficText(const std::array<ComparisonSide, 2> &sides, bool over) const
{
    if (!m_haveRun)
        return {};
    if (!over) {
        return tr("Both copies get the same %L1 requests: one plan, one random seed for the paths, started together.")
            .arg(sides[0].progress.targetTotal);
    }
    const quint64 total = sides[0].progress.targetTotal;
    if (sides[0].progress.done != total || sides[1].progress.done != total) {
        return tr("Stopped or cut short: %1 answered %L2 and %3 %L4 of %L5 requests.")
            .arg(sides[0].method.text())
            .arg(sides[0].progress.done)
            .arg(sides[1].method.text())
            .arg(sides[1].progress.done)
            .arg(total);
    }
    const ComparisonVerdict verdict = ComparisonVerdict::of(sides[0], sides[1], true);
    if (!verdict.sameTraffic)
        return tr("Both copies answered the same %L1 requests (too many to compare path by path).").arg(total);
    if (*verdict.sameTraffic) {
        return tr("\u2714 Same traffic: both copies' instances received the same %L1 requests, path for path.")
            .arg(sides[0].receivedPaths.size());
    }
    return tr("\u2718 The copies' instances received different requests (%L1 and %L2 paths).")
        .arg(sides[0].receivedPaths.size())
        .arg(sides[1].receivedPaths.size());
}

} // namespace lbscope
