#include "variables/logformattemplate.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

std::optional<LogFormatTemplate> LogFormatTemplate::compile(QStringView escape, const QString &text, QString *error,
                                                            const QStringList *userVariables)
{
    LogFormatTemplate result;
    if (escape == "json"_L1) {
        result.m_escape = Escape::Json;
    } else if (escape == "none"_L1) {
        result.m_escape = Escape::None;
    } else if (!escape.isEmpty() && escape != "default"_L1) {
        *error = u"unknown log format escaping \"%1\""_s.arg(escape);
        return std::nullopt;
    }
    std::optional<QList<TemplatePart>> parts = parseTemplate(text, TemplateDialect::LogFormat, error, userVariables);
    if (!parts)
        return std::nullopt;
    result.m_parts = std::move(*parts);
    return result;
}

bool LogFormatTemplate::uses(Variable variable) const
{
    return std::any_of(m_parts.cbegin(), m_parts.cend(),
                       [&](const TemplatePart &part) { return part.variable == variable; });
}

} // namespace lbscope
