#pragma once

// The rewrite module's directives as the file wrote them (return, rewrite, set, break, if),
// in order: a server's run before its location is found, a location's after. Compiled by
// rewrite/rewritescript.h.

#include "config/sourcelocation.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace lbscope {

// `if (CONDITION) { ... }`
struct RewriteCondition
{
    enum class Kind {
        Variable,   // if ($var): neither empty nor "0"
        Equal,      // =
        NotEqual,   // !=
        Match,      // ~
        MatchNoCase, // ~*
        NoMatch,     // !~
        NoMatchNoCase, // !~*
        FileExists,     // -f, -d, -e, -x and their ! forms: kept as written in op
    };

    Kind kind = Kind::Variable;
    QString subject; // "$request_method", or the path of a file test
    QString op;      // as written: "=", "~*", "!-f"
    QString value;   // what it is compared with, or the regular expression

    friend bool operator==(const RewriteCondition &, const RewriteCondition &) = default;
};

struct RewriteStatement
{
    enum class Kind {
        Return,  // return CODE [TEXT|URL] | return URL
        Rewrite, // rewrite REGEX REPLACEMENT [FLAG]
        Set,     // set $NAME VALUE
        Break,
        If,
    };
    enum class Flag {
        None,
        Last,
        Break,
        Redirect,
        Permanent
    };

    Kind kind = Kind::Return;
    int code = 0;          // return; 0 with a URL alone (302)
    QString text;          // return's text or URL; rewrite's replacement; set's value
    QString pattern;       // rewrite's regular expression
    Flag flag = Flag::None; // rewrite
    QString variable;       // set, without '$'
    RewriteCondition condition;    // if
    QList<RewriteStatement> body; // if
    SourceLocation source;

    // Written out: a defaulted one cannot see through QList<RewriteStatement>, incomplete here.
    friend bool operator==(const RewriteStatement &a, const RewriteStatement &b);
};

// The names `set` (and named captures) define anywhere in these statements, lower case: nginx
// knows them as variables wherever they are used, before or after.
void collectUserVariables(const QList<RewriteStatement> &statements, QStringList *names);

} // namespace lbscope
