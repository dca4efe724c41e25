#pragma once

// Turns SIGINT, SIGTERM and SIGHUP into Qt signals through a self-pipe, the only safe way
// to leave a POSIX signal handler for the event loop.

#include <QObject>

class QSocketNotifier;

class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void terminationRequested(int signalNumber); // SIGINT, SIGTERM
    void reloadRequested();                      // SIGHUP

private:
    void handleActivated();

    QSocketNotifier *m_notifier = nullptr;
};
