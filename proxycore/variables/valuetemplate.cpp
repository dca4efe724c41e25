#include "variables/valuetemplate.h"

#include "variables/variableevaluator.h"

namespace lbscope {

std::optional<ValueTemplate> ValueTemplate::compile(const QString &text, QString *error,
                                                    const QStringList *userVariables)
{
    std::optional<QList<TemplatePart>> parts = parseTemplate(text, TemplateDialect::Script, error, userVariables);
    if (!parts)
        return std::nullopt;
    ValueTemplate result;
    result.m_parts = std::move(*parts);
    return result;
}

void ValueTemplate::appendTo(const RequestContext &context, QByteArray &out) const
{
    for (const TemplatePart &part : m_parts)
        appendVariable(part, context, out);
}

QByteArray ValueTemplate::evaluate(const RequestContext &context) const
{
    QByteArray out;
    appendTo(context, out);
    return out;
}

} // namespace lbscope
