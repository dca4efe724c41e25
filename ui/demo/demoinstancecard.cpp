#include "demo/demoinstancecard.h"

#include "backendpalette.h"
#include "config/nginxvalues.h"
#include "proxy/engine.h"

#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int MaxDelayMs = 2000;

} // namespace

DemoInstanceCard::DemoInstanceCard(Engine &engine, BackendPalette *palette, const DemoFleet::Instance &instance,
                                   QWidget *parent)
    : QFrame(parent)
    , m_engine(engine)
    , m_name(instance.name)
    , m_peer(nginx::joinHostPort(instance.address.toString(), instance.port).toLatin1())
    , m_swatch(new QLabel(this))
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_stop(new QPushButton(this))
    , m_delay(new QSlider(Qt::Horizontal, this))
    , m_delayValue(new QLabel(this))
    , m_errors(new QSlider(Qt::Horizontal, this))
    , m_errorValue(new QLabel(this))
    , m_requests(new QLabel(this))
{
    setFrameShape(QFrame::StyledPanel);
    const QColor color = palette->colorFor(m_peer);
    m_swatch->setText(QString::number(palette->numberFor(m_peer)));
    m_swatch->setAlignment(Qt::AlignCenter);
    m_swatch->setFixedWidth(fontMetrics().height() + 8);
    m_swatch->setStyleSheet(u"background: %1; color: %2; font-weight: bold; border-radius: 3px;"_s.arg(
        color.name(), BackendPalette::textColorOn(color).name()));
    m_title->setText(u"<b>%1</b>"_s.arg(QString::fromLatin1(m_peer)));
    m_title->setToolTip(tr("The built-in demo web app %1, listening on %2").arg(m_name, QString::fromLatin1(m_peer)));

    m_stop->setToolTip(tr("Stop: the instance dies as a crashed service does (open connections reset, the port "
                          "refuses). Start: it listens again on the same port."));
    connect(m_stop, &QPushButton::clicked, this, &DemoInstanceCard::toggleRunning);

    m_delay->setRange(0, MaxDelayMs);
    m_delay->setSingleStep(10);
    m_delay->setPageStep(100);
    m_delay->setValue(instance.delayMs);
    m_delay->setToolTip(tr("How long the instance waits before it answers each request: make it the slow one"));
    m_delay->setAccessibleName(tr("Delay of %1").arg(m_name));
    connect(m_delay, &QSlider::valueChanged, this, &DemoInstanceCard::applyDelay);
    m_errors->setRange(0, 100);
    m_errors->setPageStep(10);
    m_errors->setValue(int(instance.errorRate * 100 + 0.5));
    m_errors->setToolTip(tr("The share of requests the instance answers with 500 Internal Server Error"));
    m_errors->setAccessibleName(tr("Error rate of %1").arg(m_name));
    connect(m_errors, &QSlider::valueChanged, this, &DemoInstanceCard::applyErrorRate);
    const int valueWidth = fontMetrics().horizontalAdvance(u"2000 ms"_s) + 4;
    m_delayValue->setMinimumWidth(valueWidth);
    m_errorValue->setMinimumWidth(valueWidth);
    m_requests->setToolTip(tr("Requests this instance has answered"));

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setVerticalSpacing(2);
    layout->addWidget(m_swatch, 0, 0);
    layout->addWidget(m_title, 0, 1, 1, 3);
    auto *delayLabel = new QLabel(tr("Delay"), this);
    delayLabel->setBuddy(m_delay);
    layout->addWidget(delayLabel, 1, 0, 1, 2);
    layout->addWidget(m_delay, 1, 2);
    layout->addWidget(m_delayValue, 1, 3);
    auto *errorLabel = new QLabel(tr("Errors"), this);
    errorLabel->setBuddy(m_errors);
    layout->addWidget(errorLabel, 2, 0, 1, 2);
    layout->addWidget(m_errors, 2, 2);
    layout->addWidget(m_errorValue, 2, 3);
    layout->addWidget(m_state, 3, 0, 1, 3);
    layout->addWidget(m_stop, 3, 3);
    layout->addWidget(m_requests, 0, 3, Qt::AlignRight);
    layout->setColumnStretch(2, 1);
    update(instance);
}

DemoFleet *DemoInstanceCard::fleet() const
{
    return m_engine.demoInstances();
}

void DemoInstanceCard::update(const DemoFleet::Instance &instance)
{
    m_crashed = instance.crashed;
    m_stop->setText(m_crashed ? tr("Start") : tr("Stop"));
    m_state->setText(m_crashed ? tr("<b style='color:#d55e00'>stopped</b>: refuses connections")
                               : tr("%1 running").arg(m_name));
    m_requests->setText(tr("%L1 req").arg(instance.requests));
    if (!m_delay->isSliderDown() && m_delay->value() != instance.delayMs) {
        const QSignalBlocker blocker(m_delay);
        m_delay->setValue(instance.delayMs);
    }
    m_delayValue->setText(tr("%1 ms").arg(m_delay->value()));
    m_errorValue->setText(tr("%1 %").arg(m_errors->value()));
}

void DemoInstanceCard::toggleRunning()
{
    DemoFleet *demo = fleet();
    if (!demo)
        return;
    QString error;
    const bool ok = m_crashed ? demo->restartInstance(m_name, &error) : demo->stopInstance(m_name, &error);
    if (!ok) {
        emit commandFailed(error);
        return;
    }
    m_crashed = !m_crashed;
    m_stop->setText(m_crashed ? tr("Start") : tr("Stop"));
}

void DemoInstanceCard::applyDelay(int value)
{
    m_delayValue->setText(tr("%1 ms").arg(value));
    if (DemoFleet *demo = fleet())
        demo->setDelayMs(m_name, value);
}

void DemoInstanceCard::applyErrorRate(int percent)
{
    m_errorValue->setText(tr("%1 %").arg(percent));
    if (DemoFleet *demo = fleet())
        demo->setErrorRate(m_name, percent / 100.0);
}

} // namespace lbscope
