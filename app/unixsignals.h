#pragma once

// Turns POSIX signals into Qt signals through a self-pipe, the only safe way to leave a signal
// handler for the event loop. By default SIGINT, SIGTERM and SIGHUP; the proxy also takes
// nginx's SIGQUIT and SIGUSR1. Each arrives with the id of the process that sent it (0 when
// the kernel or a terminal did), which nginx names in its error log.

#include <QList>
#include <QObject>

#include <csignal>

class QSocketNotifier;

class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    UnixSignals(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void received(int signalNumber, qint64 senderPid); // every signal caught
    void terminationRequested(int signalNumber);       // SIGINT, SIGTERM
    void reloadRequested();                            // SIGHUP

private:
    void handleActivated();

    QList<int> m_signalNumbers;
    QSocketNotifier *m_notifier = nullptr;
};
