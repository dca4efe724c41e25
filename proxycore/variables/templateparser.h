#pragma once

// The one reader of "$name" and "${name}" in configuration strings. nginx has two: the
// script compiler (proxy_set_header, add_header, hash, ...) and log_format's own, which differ
// in what they call an error and in what "$1" means; both are here, as a dialect.

#include "variables/variable.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

enum class TemplateDialect {
    Script,    // "$1".."$9" are captures; a lone '$' is "invalid variable name"
    LogFormat, // "$1" is an unknown variable; a lone '$' is "invalid parameter"
};

struct TemplatePart
{
    Variable variable = Variable::Literal;
    QByteArray text; // the literal, or the NAME of a prefixed variable
    int capture = 0; // 1..9 for Variable::Capture
    // log_format only: written by nginx's log module itself (exact lower-case names of the
    // time, status, byte and length values), so never escaped and never "-".
    bool logModule = false;
};

// Parts in order, adjacent literals merged; nullopt with *error in nginx's words:
// unknown "x" variable, invalid variable name, invalid parameter "$...", the closing bracket
// in "x" variable is missing. Variables LB Scope alone has are taken in log_format only.
// userVariables: the names `set` defines anywhere in the configuration (lower case), which nginx
// knows as variables wherever they are used.
std::optional<QList<TemplatePart>> parseTemplate(const QString &text, TemplateDialect dialect, QString *error,
                                                 const QStringList *userVariables = nullptr);

} // namespace lbscope
