#pragma once

// One demo instance in the Demo instances dock: colour and name, address, state, Stop/Start,
// the delay and error-rate sliders and the request count. Commands go straight to the fleet,
// whose calls are thread-safe and do not wait for the instance's thread (start does, briefly).

#include "demo/demofleet.h"

#include <QFrame>

class QLabel;
class QPushButton;
class QSlider;

namespace lbscope {

class BackendPalette;
class Engine;

class DemoInstanceCard final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoInstanceCard)

public:
    DemoInstanceCard(Engine &engine, BackendPalette *palette, const DemoFleet::Instance &instance,
                     QWidget *parent = nullptr);

    void update(const DemoFleet::Instance &instance);
    QByteArray peer() const { return m_peer; }
    QPushButton *stopButton() const { return m_stop; }
    QSlider *delaySlider() const { return m_delay; }
    QSlider *errorSlider() const { return m_errors; }

signals:
    void commandFailed(const QString &message);
    void backendActivated(const QByteArray &peer);

private:
    void toggleRunning();
    void applyDelay(int value);
    void applyErrorRate(int percent);
    DemoFleet *fleet() const;

    Engine &m_engine;
    QString m_name;
    QByteArray m_peer;
    bool m_crashed = false;
    QLabel *m_swatch;
    QLabel *m_title;
    QLabel *m_state;
    QPushButton *m_stop;
    QSlider *m_delay;
    QLabel *m_delayValue;
    QSlider *m_errors;
    QLabel *m_errorValue;
    QLabel *m_requests;
};

} // namespace lbscope
