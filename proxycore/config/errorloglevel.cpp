#include "errorloglevel.h"

#include <iterator>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr QLatin1StringView levelNames[] = {"emerg"_L1, "alert"_L1,  "crit"_L1, "error"_L1,
                                            "warn"_L1,  "notice"_L1, "info"_L1, "debug"_L1};

// The debug masks of a build --with-debug, as Debian's nginx is.
constexpr QLatin1StringView debugNames[] = {"debug_core"_L1, "debug_alloc"_L1, "debug_mutex"_L1, "debug_event"_L1,
                                            "debug_http"_L1, "debug_mail"_L1,  "debug_stream"_L1};

} // namespace

std::optional<ErrorLogLevel> parseErrorLogLevel(QStringView name)
{
    for (std::size_t i = 0; i < std::size(levelNames); ++i) {
        if (name == levelNames[i])
            return static_cast<ErrorLogLevel>(i + 1);
    }
    for (QLatin1StringView debug : debugNames) {
        if (name == debug)
            return ErrorLogLevel::Debug;
    }
    return std::nullopt;
}

QLatin1StringView errorLogLevelName(ErrorLogLevel level)
{
    return levelNames[static_cast<int>(level) - 1];
}

} // namespace lbscope
