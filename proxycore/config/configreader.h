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
    QString toString() const;

    friend bool operator==(const ConfigMessage &, const ConfigMessage &) = default;
};

struct ConfigReadResult
{
    std::optional<ProxyConfig> config; // empty when error is set: nothing is half-applied
    QList<ConfigMessage> warnings;
    std::optional<ConfigMessage> error;

    bool ok() const { return config.has_value(); }
    // Skipped directives that make this file behave otherwise than in nginx.
    qsizetype responseChangingWarnings() const;
};

class ConfigReader
{
public:
    static ConfigReadResult readFile(const QString &path);
    // fileName is only used in messages and SourceLocation::file.
    static ConfigReadResult readText(const QByteArray &text, const QString &fileName);
};

} // namespace lbscope
