#include "config/rewriteconfig.h"

#include <QRegularExpression>

namespace lbscope {

bool operator==(const RewriteStatement &a, const RewriteStatement &b)
{
    return a.kind == b.kind && a.code == b.code && a.text == b.text && a.pattern == b.pattern && a.flag == b.flag &&
           a.variable == b.variable && a.condition == b.condition && a.source == b.source &&
           std::equal(a.body.cbegin(), a.body.cend(), b.body.cbegin(), b.body.cend());
}

void collectUserVariables(const QList<RewriteStatement> &statements, QStringList *names)
{
    const auto addNamedGroups = [names](const QString &pattern) {
        const QStringList groups = QRegularExpression(pattern).namedCaptureGroups();
        for (const QString &group : groups) {
            if (!group.isEmpty() && !names->contains(group.toLower()))
                names->append(group.toLower());
        }
    };
    for (const RewriteStatement &statement : statements) {
        if (statement.kind == RewriteStatement::Kind::Set && !names->contains(statement.variable))
            names->append(statement.variable);
        if (statement.kind == RewriteStatement::Kind::Rewrite)
            addNamedGroups(statement.pattern);
        if (statement.kind == RewriteStatement::Kind::If) {
            if (statement.condition.kind != RewriteCondition::Kind::Equal &&
                statement.condition.kind != RewriteCondition::Kind::NotEqual)
                addNamedGroups(statement.condition.value);
            collectUserVariables(statement.body, names);
        }
    }
}

} // namespace lbscope
