#include "config/servername.h"

#include <QRegularExpression>
#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// nginx reads "$hostname" as the machine's name.
QString resolvedName(const QString &written)
{
    if (written.compare("$hostname"_L1, Qt::CaseInsensitive) == 0)
        return QSysInfo::machineHostName().toLower();
    return written;
}

} // namespace

ServerName ServerName::parse(const QString &written)
{
    const QString name = resolvedName(written);
    if (name.startsWith(u'~'))
        return {Kind::Regex, name.mid(1)};
    const QString lower = name.toLower();
    if (lower.size() > 1 && lower.startsWith(u'.'))
        return {Kind::DotWildcard, lower.mid(1)};
    if (lower.size() > 2 && lower.startsWith("*."_L1))
        return {Kind::LeadingWildcard, lower.mid(2)};
    if (lower.size() > 2 && lower.endsWith(".*"_L1))
        return {Kind::TrailingWildcard, lower.chopped(2)};
    return {Kind::Exact, lower};
}

bool ServerName::isValidHashKey(const QString &written)
{
    if (written.startsWith(u'~'))
        return true;
    if (written.count(u'*') > 1 || written.contains(".."_L1) || written.contains(QChar(0)))
        return false;
    const ServerName name = parse(written);
    return name.kind != Kind::Exact || !name.key.contains(u'*');
}

QString ServerName::variableValue(const QStringList &names)
{
    if (names.isEmpty())
        return {};
    const QString first = resolvedName(names.first());
    if (first.startsWith(u'~'))
        return first;
    if (first.size() > 1 && first.startsWith(u'.'))
        return first.mid(1).toLower();
    return first.toLower();
}

void ServerName::collectCaptureNames(const QStringList &names, QStringList *variables)
{
    for (const QString &written : names) {
        const ServerName name = parse(written);
        if (name.kind != Kind::Regex)
            continue;
        const QStringList groups = QRegularExpression(name.key).namedCaptureGroups();
        for (const QString &group : groups) {
            if (!group.isEmpty() && !variables->contains(group.toLower()))
                variables->append(group.toLower());
        }
    }
}

} // namespace lbscope
