#pragma once

// nginx's error_log levels, most severe first, numbered as nginx numbers them: a log at a level
// takes the messages of that level and every more severe one.

#include <QLatin1StringView>
#include <QStringView>

#include <optional>

namespace lbscope {

enum class ErrorLogLevel {
    Emerg = 1,
    Alert,
    Crit,
    Error,
    Warn,
    Notice,
    Info,
    Debug,
};

// "emerg" .. "debug"; nginx's debug_core, debug_http ... count as debug.
std::optional<ErrorLogLevel> parseErrorLogLevel(QStringView name);
QLatin1StringView errorLogLevelName(ErrorLogLevel level);

} // namespace lbscope
