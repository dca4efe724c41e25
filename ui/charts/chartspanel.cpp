#include "charts/chartspanel.h"

#include "charts/distributionchart.h"
#include "charts/latencychart.h"
#include "charts/ratechart.h"
#include "charts/statuschart.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace lbscope {

namespace {

constexpr std::array<int, 3> WindowChoices = {60, 300, 900};

} // namespace

ChartsPanel::ChartsPanel(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_distribution(new DistributionChart(palette, this))
    , m_rate(new RateChart(palette, this))
    , m_latency(new LatencyChart(palette, this))
    , m_status(new StatusChart(palette, this))
    , m_window(new QComboBox(this))
    , m_upstreamLabel(new QLabel(tr("&Upstream:"), this))
    , m_upstreams(new QComboBox(this))
    , m_reset(new QPushButton(tr("&Reset counters"), this))
{
    m_window->addItem(tr("last 1 minute"), WindowChoices[0]);
    m_window->addItem(tr("last 5 minutes"), WindowChoices[1]);
    m_window->addItem(tr("last 15 minutes"), WindowChoices[2]);
    m_window->setToolTip(tr("How far back the requests/s and latency charts look"));
    auto *windowLabel = new QLabel(tr("&Window:"), this);
    windowLabel->setBuddy(m_window);

    m_upstreamLabel->setBuddy(m_upstreams);
    m_upstreams->setToolTip(tr("The upstream whose backends the charts show"));
    m_upstreams->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_upstreamLabel->setVisible(false);
    m_upstreams->setVisible(false);

    m_reset->setToolTip(tr("Set every request, response and latency counter back to zero"));

    m_bar = new QHBoxLayout;
    m_bar->addWidget(windowLabel);
    m_bar->addWidget(m_window);
    m_bar->addSpacing(12);
    m_bar->addWidget(m_upstreamLabel);
    m_bar->addWidget(m_upstreams);
    m_bar->addStretch(1);
    m_bar->addWidget(m_reset);

    m_grid = new QGridLayout;
    m_grid->setSpacing(6);
    arrangeCharts(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(m_bar);
    layout->addLayout(m_grid, 1);

    setTabOrder(m_window, m_upstreams);
    setTabOrder(m_upstreams, m_reset);

    connect(m_window, &QComboBox::currentIndexChanged, this, &ChartsPanel::handleWindowPicked);
    connect(m_upstreams, &QComboBox::currentIndexChanged, this, &ChartsPanel::handleUpstreamPicked);
    connect(m_reset, &QPushButton::clicked, this, &ChartsPanel::resetRequested);
    connect(m_distribution, &DistributionChart::backendActivated, this, &ChartsPanel::backendActivated);
}

// Four in a row when the panel is wide and short (the servers above and the log below take the
// height at 1280x720), else two by two.
void ChartsPanel::arrangeCharts(bool inRow)
{
    m_inRow = inRow;
    const std::array<QWidget *, 4> charts = {m_distribution, m_rate, m_status, m_latency};
    for (QWidget *chart : charts)
        m_grid->removeWidget(chart);
    for (int i = 0; i < 4; ++i)
        m_grid->addWidget(charts[std::size_t(i)], inRow ? 0 : i / 2, inRow ? i : i % 2);
    for (int i = 0; i < 4; ++i) {
        m_grid->setColumnStretch(i, inRow || i < 2 ? 1 : 0);
        m_grid->setRowStretch(i, !inRow && i < 2 ? 1 : (inRow && i == 0 ? 1 : 0));
    }
}

void ChartsPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // 3.0, not 2.4: at 1280x720 the sequence strip above leaves the panel about 985x360, where two
    // rows of charts still read well and four in a row clip their axis labels.
    const bool inRow = width() > 3.0 * height();
    if (inRow != m_inRow)
        arrangeCharts(inRow);
}

void ChartsPanel::addToBar(QWidget *controls)
{
    // Before the stretch and Reset: controls that want the room get it, Reset stays on the right.
    m_bar->insertSpacing(m_bar->count() - 2, 12);
    m_bar->insertWidget(m_bar->count() - 2, controls, 1);
}

void ChartsPanel::setWindowSeconds(int seconds)
{
    int best = 0;
    for (int i = 1; i < int(WindowChoices.size()); ++i) {
        if (std::abs(WindowChoices[std::size_t(i)] - seconds) < std::abs(WindowChoices[std::size_t(best)] - seconds))
            best = i;
    }
    m_window->setCurrentIndex(best);
    handleWindowPicked(best);
}

int ChartsPanel::windowSeconds() const
{
    return m_rate->windowSeconds();
}

void ChartsPanel::handleWindowPicked(int index)
{
    const int seconds = m_window->itemData(index).toInt();
    if (seconds <= 0)
        return;
    m_rate->setWindowSeconds(seconds);
    m_latency->setWindowSeconds(seconds);
}

void ChartsPanel::setUpstream(const QString &name)
{
    if (name == m_upstream)
        return;
    m_upstream = name;
    m_distribution->setUpstream(name);
    m_rate->setUpstream(name);
    m_latency->setUpstream(name);
    m_status->setUpstream(name);
    const int index = m_upstreams->findText(name);
    if (index >= 0 && index != m_upstreams->currentIndex())
        m_upstreams->setCurrentIndex(index);
    emit upstreamChanged(name);
}

void ChartsPanel::handleUpstreamPicked(int index)
{
    if (index >= 0)
        setUpstream(m_upstreams->itemText(index));
}

void ChartsPanel::updateUpstreamPicker(const ProxyConfig &config)
{
    QStringList names;
    for (const UpstreamConfig &upstream : config.upstreams)
        names.append(upstream.name);
    QStringList shown;
    for (int i = 0; i < m_upstreams->count(); ++i)
        shown.append(m_upstreams->itemText(i));
    if (names != shown) {
        const QSignalBlocker blocker(m_upstreams);
        m_upstreams->clear();
        m_upstreams->addItems(names);
        m_upstreams->setCurrentIndex(std::max(0, int(names.indexOf(m_upstream))));
    }
    const bool several = names.size() > 1;
    m_upstreamLabel->setVisible(several);
    m_upstreams->setVisible(several);
    // The shown upstream went away with an edit: show the first one.
    if (!m_upstream.isEmpty() && !names.contains(m_upstream))
        setUpstream(names.value(0));
}

void ChartsPanel::handleTick(const LiveTick &tick)
{
    if (tick.configChanged)
        updateUpstreamPicker(tick.config);
    m_distribution->handleTick(tick);
    m_rate->handleTick(tick);
    m_latency->handleTick(tick);
    m_status->handleTick(tick);
}

} // namespace lbscope
