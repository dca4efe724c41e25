#include "variables/templateparser.h"

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// nginx's name characters, ASCII only.
bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_';
}

bool isLogModuleName(QStringView name)
{
    static const QLatin1StringView names[] = {"time_local"_L1,   "time_iso8601"_L1,    "msec"_L1,
                                              "request_time"_L1, "status"_L1,          "bytes_sent"_L1,
                                              "body_bytes_sent"_L1, "request_length"_L1};
    for (const QLatin1StringView known : names) {
        if (name == known) // case-sensitive: nginx compares these exactly
            return true;
    }
    return false;
}

void appendLiteral(QList<TemplatePart> &parts, QStringView text)
{
    if (text.isEmpty())
        return;
    if (!parts.isEmpty() && parts.back().variable == Variable::Literal) {
        parts.back().text.append(text.toUtf8());
        return;
    }
    parts.append({Variable::Literal, text.toUtf8(), 0, false});
}

} // namespace

std::optional<QList<TemplatePart>> parseTemplate(const QString &text, TemplateDialect dialect, QString *error,
                                                 const QStringList *userVariables)
{
    const bool script = dialect == TemplateDialect::Script;
    QList<TemplatePart> parts;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] != u'$') {
            const qsizetype next = text.indexOf(u'$', i);
            const qsizetype end = next < 0 ? text.size() : next;
            appendLiteral(parts, QStringView(text).sliced(i, end - i));
            i = end;
            continue;
        }
        const qsizetype dollar = i++;
        if (script && i < text.size() && text[i] >= u'1' && text[i] <= u'9') {
            parts.append({Variable::Capture, {}, text[i].unicode() - u'0', false});
            ++i;
            continue;
        }
        const bool braced = i < text.size() && text[i] == u'{';
        if (braced)
            ++i;
        const qsizetype nameStart = i;
        while (i < text.size() && isNameChar(text[i]))
            ++i;
        const QStringView name = QStringView(text).sliced(nameStart, i - nameStart);
        if (name.isEmpty()) {
            *error = script ? u"invalid variable name"_s : u"invalid parameter \"%1\""_s.arg(text.mid(dollar));
            return std::nullopt;
        }
        if (braced) {
            if (i >= text.size() || text[i] != u'}') {
                *error = u"the closing bracket in \"%1\" variable is missing"_s.arg(name);
                return std::nullopt;
            }
            ++i;
        }
        std::optional<VariableRef> variable = findVariable(name);
        if (!variable && userVariables && userVariables->contains(name.toString().toLower()))
            variable = VariableRef{Variable::User, name.toUtf8().toLower()};
        if (!variable || (script && isOwnVariable(variable->variable))) {
            *error = u"unknown \"%1\" variable"_s.arg(name);
            return std::nullopt;
        }
        parts.append({variable->variable, std::move(variable->argument), 0, !script && isLogModuleName(name)});
    }
    return parts;
}

} // namespace lbscope
