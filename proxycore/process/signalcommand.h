#pragma once

// nginx -s SIGNAL: the names nginx accepts, the POSIX signal each stands for, and sending it
// to the process a pid file names, with nginx's messages.

#include "config/errorloglevel.h"

#include <QString>

#include <optional>

namespace lbscope {

class SignalCommand final
{
public:
    // stop: SIGTERM, quit: SIGQUIT, reopen: SIGUSR1, reload: SIGHUP; anything else: none.
    static std::optional<int> signalNumber(const QString &name);
    // "SIGHUP" for 1 ...: nginx names the signal it received in its error log.
    static QString signalName(int signalNumber);

    struct Outcome
    {
        bool ok = false;
        ErrorLogLevel level = ErrorLogLevel::Error; // of message, when not ok
        QString message;
    };
    // Reads pidFile and sends the signal; the message is nginx's when either fails.
    static Outcome send(const QString &pidFile, int signalNumber);
};

} // namespace lbscope
