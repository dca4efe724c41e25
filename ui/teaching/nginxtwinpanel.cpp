#include "teaching/nginxtwinpanel.h"

#include "elidedlabel.h"
#include "errortextcolor.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// nginx -t says what is wrong on its first line ("nginx: [emerg] ... in FILE:LINE"); the lines
// after it ("configuration file ... test failed") add nothing a class needs.
QString firstLine(const QString &text)
{
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (line.contains("[emerg]"_L1) || line.contains("[alert]"_L1) || line.contains("[crit]"_L1))
            return line.trimmed();
    }
    return lines.value(0).trimmed();
}

// nginx's log line as a record the strip can draw: the sequence number is its id.
AccessRecord stripRecord(const NginxTwinRecord &record)
{
    AccessRecord cell;
    cell.id = record.sequence;
    cell.status = record.status;
    cell.upstreamAddr = record.upstreamAddr;
    cell.upstreamStatus = record.upstreamStatus;
    return cell;
}

} // namespace

NginxTwinPanel::NginxTwinPanel(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_toggle(new QAction(tr("Compare with Real &nginx"), this))
    , m_controls(new QWidget(this))
    , m_button(new QToolButton(m_controls))
    , m_status(new ElidedLabel(m_controls))
    , m_differences(new QLabel(m_controls))
    , m_strip(new SequenceStrip(palette, this))
{
    setObjectName(u"nginxTwinPanel"_s);
    m_toggle->setObjectName(u"nginxTwinToggle"_s);
    m_toggle->setCheckable(true);
    m_toggle->setStatusTip(tr("Run this configuration in a real nginx too, send it the same requests and show "
                              "its picks under LB Scope's"));
    connect(m_toggle, &QAction::toggled, this, &NginxTwinPanel::setOn);

    m_button->setObjectName(u"nginxTwinButton"_s);
    m_button->setDefaultAction(m_toggle);
    m_button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_button->setText(tr("Compare with real nginx"));
    m_status->setObjectName(u"nginxTwinStatus"_s);
    // One line that never widens the window; a longer message is whole in the tooltip.
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_differences->setObjectName(u"nginxTwinDifferences"_s);
    QFont bold = m_differences->font();
    bold.setBold(true);
    m_differences->setFont(bold);

    m_strip->setObjectName(u"nginxSequenceStrip"_s);
    m_strip->setAccessibleName(tr("Sequence of nginx's picks"));
    m_strip->setExplainsDecisions(false);
    m_strip->setCaption(tr("The real nginx, same requests (\u2260: it picked another backend than LB Scope)"));
    m_strip->hide();
    connect(m_strip, &SequenceStrip::backendActivated, this, &NginxTwinPanel::backendActivated);
    connect(m_strip, &SequenceStrip::recordActivated, this, [this](quint64 sequence) {
        if (const quint64 id = m_comparison.lbscopeRecordId(sequence))
            emit recordActivated(id);
    });

    auto *row = new QHBoxLayout(m_controls);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(8);
    row->addWidget(m_button);
    // The count first: it is what a class looks for; the status may wrap beside it.
    row->addWidget(m_differences);
    row->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_controls);
    layout->addWidget(m_strip);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    connect(&m_twin, &NginxTwin::statusChanged, this, &NginxTwinPanel::handleStatusChanged);
    connect(&m_generator, &TrafficGenerator::finished, this, &NginxTwinPanel::handleMirrorFinished);
    handleStatusChanged();
}

NginxTwinPanel::~NginxTwinPanel()
{
    disconnect(&m_generator, nullptr, this, nullptr);
    disconnect(&m_twin, nullptr, this, nullptr);
    m_generator.stop();
    m_twin.stop();
}

bool NginxTwinPanel::isOn() const
{
    return m_toggle->isChecked();
}

QString NginxTwinPanel::statusText() const
{
    return m_status->text();
}

QString NginxTwinPanel::differencesText() const
{
    return m_differences->text();
}

void NginxTwinPanel::setChecked(bool checked)
{
    const QSignalBlocker blocker(m_toggle);
    m_toggle->setChecked(checked);
}

void NginxTwinPanel::setOn(bool on)
{
    setChecked(on);
    if (on == m_twin.isActive() && !(on && !m_config))
        return;
    if (!on) {
        m_startWhenConfigured = false;
        m_queuedSingles.clear();
        m_generator.stop();
        m_twin.stop();
        clear();
        m_strip->hide();
        emit toggled(false);
        return;
    }
    if (!m_config) { // before the first tick: start once the configuration is known
        m_startWhenConfigured = true;
        return;
    }
    m_twin.start(*m_config);
    if (!m_twin.isActive())
        return; // not installed, or no prefix: handleStatusChanged() said why
    clear();
    m_strip->show();
    emit toggled(true);
}

void NginxTwinPanel::clear()
{
    m_comparison.clear();
    m_strip->clear();
    updateSummary();
}

void NginxTwinPanel::handleStatusChanged()
{
    const NginxTwin::Status status = m_twin.status();
    bool error = false;
    QString text;
    QString toolTip;
    switch (status) {
    case NginxTwin::Status::Off:
        text = tr("Off: sends the same requests to a real nginx running this configuration and draws its picks "
                  "under these.");
        break;
    case NginxTwin::Status::NotInstalled:
        text = m_twin.errorText();
        error = true;
        break;
    case NginxTwin::Status::Starting:
        text = tr("Starting %1 on 127.0.0.1:%2...").arg(m_twin.binary()).arg(m_twin.port());
        break;
    case NginxTwin::Status::Running:
        if (!m_twin.errorText().isEmpty())
            toolTip = m_twin.errorText();
        text = m_twin.errorText().isEmpty()
                   ? tr("nginx on 127.0.0.1:%1 (pid %2) runs this configuration and gets the same requests.")
                         .arg(m_twin.port())
                         .arg(m_twin.processId())
                   : tr("nginx refused the edit and runs the previous configuration: %1")
                         .arg(firstLine(m_twin.errorText()));
        error = !m_twin.errorText().isEmpty();
        break;
    case NginxTwin::Status::Failed:
        text = tr("nginx did not run this configuration: %1").arg(firstLine(m_twin.errorText()));
        toolTip = m_twin.errorText();
        error = true;
        break;
    }
    m_status->setText(text);
    if (!toolTip.isEmpty())
        m_status->setToolTip(toolTip);
    QPalette pal = palette();
    if (error)
        pal.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_status->setPalette(pal);
    if (status == NginxTwin::Status::NotInstalled || status == NginxTwin::Status::Failed) {
        // The switch goes back off; the message stays until it is tried again.
        m_queuedSingles.clear();
        m_generator.stop();
        setChecked(false);
        m_strip->hide();
        emit toggled(false);
    }
    updateSummary();
}

void NginxTwinPanel::handleTick(const LiveTick &tick)
{
    if (tick.configChanged) {
        const bool edit = m_config.has_value();
        m_config = tick.config;
        if (std::exchange(m_startWhenConfigured, false)) {
            setOn(true);
        } else if (edit && m_twin.isActive()) {
            m_twin.applyConfig(tick.config);
            // From the edit on: LB Scope keeps what its balancer learned, a reloaded nginx starts afresh.
            m_comparison.clear();
        }
    }
    if (!m_twin.isActive())
        return;
    m_comparison.addLbscope(tick.records);
    const QList<NginxTwinRecord> records = m_twin.readRecords();
    if (!records.isEmpty()) {
        m_comparison.addNginx(records);
        QList<AccessRecord> cells;
        cells.reserve(records.size());
        for (const NginxTwinRecord &record : records)
            cells.append(stripRecord(record));
        m_strip->appendRecords(cells);
    }
    if (!tick.records.isEmpty() || !records.isEmpty())
        updateSummary();
}

void NginxTwinPanel::updateSummary()
{
    m_summary = m_comparison.summary();
    m_strip->setMarkedIds(m_summary.differingSequences);
    emit differencesChanged(m_summary.differingRecordIds);
    if (!m_twin.isActive()) {
        m_differences->clear();
        m_differences->setToolTip({});
        m_differences->hide();
        return;
    }
    QString text = m_summary.compared == 0
                       ? tr("No requests compared yet")
                       : tr("%1 differences in the last %2").arg(m_summary.differences).arg(m_summary.compared);
    QString tip = tr("Requests both proxies logged, paired by their X-LBScope-Seq header, compared by the backends "
                     "they went to (every attempt, in order); counted again after an edit of the configuration.");
    if (m_mirrorPlan && m_mirrorPlan->effectiveConcurrency() > 1) {
        text += tr(" (concurrency %1: the order can differ)").arg(m_mirrorPlan->effectiveConcurrency());
        tip += u' ' + tr("With more than one request at a time, requests can reach the two proxies in a different "
                         "order, so least_conn and round robin with retries may differ without either being wrong. "
                         "Set concurrency 1 for a strict comparison.");
    }
    m_differences->setText(text);
    m_differences->setToolTip(tip);
    m_differences->show();
}

void NginxTwinPanel::mirrorRun(const TrafficPlan &plan)
{
    if (m_twin.status() != NginxTwin::Status::Running)
        return;
    TrafficPlan mirror = plan;
    mirror.address = QHostAddress::LocalHost;
    mirror.port = m_twin.port();
    mirror.host = plan.hostHeader(); // the same Host header, not nginx's own address
    if (mirror.mode == TrafficPlan::Mode::Single && m_generator.isRunning() &&
        m_mirrorPlan->mode == TrafficPlan::Mode::Single) {
        if (m_queuedSingles.size() < MaxQueuedSingles)
            m_queuedSingles.append(mirror);
        return;
    }
    m_queuedSingles.clear();
    startMirror(mirror);
}

void NginxTwinPanel::startMirror(const TrafficPlan &plan)
{
    if (m_generator.isRunning())
        m_generator.stop();
    m_mirrorPlan = plan;
    QString error;
    if (!m_generator.start(plan, &error))
        m_status->setText(tr("Not sent to nginx: %1").arg(error));
}

void NginxTwinPanel::handleMirrorFinished()
{
    if (!m_queuedSingles.isEmpty())
        startMirror(m_queuedSingles.takeFirst());
}

void NginxTwinPanel::handleRunFinished()
{
    if (m_mirrorPlan && !m_mirrorPlan->totalRequests() && m_generator.isRunning())
        m_generator.stop();
}

} // namespace lbscope
