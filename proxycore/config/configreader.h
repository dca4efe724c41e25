#pragma once

// Reads the nginx configuration subset LB Scope understands into a ProxyConfig.
// Directives outside the subset are skipped with a warning; anything nginx itself would
// reject stops the read with one error, worded as nginx words it, at FILE:LINE:COLUMN.

#include "proxyconfig.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

struct ConfigMessage
{
    enum class Severity {
        Warning,
        Error
    };

    Severity severity = Severity::Error;
    SourceLocation where; // line 0: the message is about the file as a whole
    QString text;
    // A skipped directive without which requests get something other than nginx would give.
    bool changesResponses = false;

    // Errors: "FILE:LINE:COLUMN: text"; warnings, as nginx prints them: "FILE:LINE: text".
    // A message about -g's directives: "text in command line", as nginx words it.
    QString toString() const;
    // As nginx writes it to its error log: "text in FILE:LINE".
    QString toNginxString() const;

    friend bool operator==(const ConfigMessage &, const ConfigMessage &) = default;
};

// SourceLocation::file of the directives given with -g, as nginx names them in messages.
inline constexpr QLatin1StringView CommandLineSource("command line");

// A file as it was read, for nginx -T's dump.
struct ConfigFileText
{
    QString path; // as nginx names it: the prefix joined with the name, nothing cleaned
    QByteArray text;
};

struct ConfigReadOptions
{
    // nginx's -p: relative access_log, error_log and pid paths count from it (ProxyConfig::prefix).
    QString prefix;
    // nginx's -g: main-level directives read before the file, as nginx reads them.
    QString globalDirectives;
};

struct ConfigReadResult
{
    std::optional<ProxyConfig> config; // empty when error is set: nothing is half-applied
    QList<ConfigMessage> warnings;
    std::optional<ConfigMessage> error;
    QList<ConfigFileText> files; // every file read, the main one first

    bool ok() const { return config.has_value(); }
    // Skipped directives that make this file behave otherwise than in nginx.
    qsizetype responseChangingWarnings() const;
};

class ConfigReader
{
public:
    static ConfigReadResult readFile(const QString &path, const ConfigReadOptions &options = {});
    // fileName is only used in messages and SourceLocation::file.
    static ConfigReadResult readText(const QByteArray &text, const QString &fileName,
                                     const ConfigReadOptions &options = {});
};

} // namespace lbscope
