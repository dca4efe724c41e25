#pragma once

// A log_format compiled: its parts and its escaping. Pure text work, so the configuration
// reader can check a format and the writer (stats/logformat.h) can apply it, neither needing
// the other.

#include "variables/templateparser.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace lbscope {

class LogFormatTemplate
{
public:
    enum class Escape {
        Default, // '"', '\' and bytes outside 32..126 as \xXX; a variable not found as "-"
        Json,    // JSON string content; a variable not found as nothing
        None,    // bytes as they are; a variable not found as nothing
    };

    // escape is the value of "escape=" (empty: default). Errors are worded as nginx words
    // them: unknown "x" variable, unknown log format escaping "x", invalid parameter "$",
    // the closing bracket in "x" variable is missing. userVariables: the names `set` defines.
    static std::optional<LogFormatTemplate> compile(QStringView escape, const QString &text, QString *error,
                                                    const QStringList *userVariables = nullptr);

    Escape escape() const { return m_escape; }
    const QList<TemplatePart> &parts() const { return m_parts; }
    bool uses(Variable variable) const;

private:
    QList<TemplatePart> m_parts;
    Escape m_escape = Escape::Default;
};

} // namespace lbscope
