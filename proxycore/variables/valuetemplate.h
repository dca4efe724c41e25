#pragma once

// A value with nginx variables ("$host", "X-$remote_addr", "${arg_id}x") for proxy_set_header,
// add_header and hash: compiled once when the configuration loads and evaluated per request by
// appending to a reused buffer.

#include "variables/requestcontext.h"
#include "variables/templateparser.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

class ValueTemplate
{
public:
    // nullopt with *error set (nginx's words) for an unknown variable or a malformed one.
    static std::optional<ValueTemplate> compile(const QString &text, QString *error,
                                                const QStringList *userVariables = nullptr);

    bool isEmpty() const { return m_parts.isEmpty(); }
    void appendTo(const RequestContext &context, QByteArray &out) const;
    QByteArray evaluate(const RequestContext &context) const;

private:
    QList<TemplatePart> m_parts;
};

} // namespace lbscope
