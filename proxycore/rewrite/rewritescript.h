#pragma once

// A server's or a location's rewrite module directives (return, rewrite, set, break, if),
// compiled once: regular expressions through QRegularExpression (PCRE2, as Debian's nginx),
// values as templates. run() executes them on a request as nginx's script engine does.

#include "config/rewriteconfig.h"
#include "rewrite/rewritestate.h"
#include "variables/valuetemplate.h"

#include <QList>
#include <QRegularExpression>

#include <memory>
#include <vector>
#include <optional>

namespace lbscope {

struct RewriteOutcome
{
    enum class Action {
        Continue, // the script ran to its end
        Break,    // break, or rewrite ... break: no more rewriting, stay in this location
        Last,     // rewrite ... last: find the location again now
        Respond,  // return, or a redirect: the request is answered with status (and text)
    };

    Action action = Action::Continue;
    int status = 0;
    QByteArray text;        // return's body, or the URL of a redirect
    bool redirect = false;  // text is a Location
};

class RewriteScript
{
public:
    // userVariables: every name `set` defines in the configuration. Errors as FILE:LINE: message.
    static std::optional<RewriteScript> compile(const QList<RewriteStatement> &statements,
                                                const QStringList &userVariables, QString *error);

    bool isEmpty() const { return m_steps.empty(); }
    // context is the request's; the state's view is applied to it as the script changes it.
    RewriteOutcome run(RewriteState &state, RequestContext context) const;

private:
    struct Step
    {
        RewriteStatement::Kind kind = RewriteStatement::Kind::Return;
        RewriteStatement::Flag flag = RewriteStatement::Flag::None;
        int code = 0;
        bool hasText = false;
        ValueTemplate value;       // return's text, the replacement, set's value, if's right side
        QRegularExpression regex;  // rewrite, and if's ~ forms
        QList<QByteArray> groupVariables; // the regex's captureVariables()
        bool redirectTo = false;   // the replacement is an http(s):// URL
        bool appendArgs = true;    // the replacement does not end with '?'
        QByteArray variable;       // set
        RewriteCondition::Kind condition = RewriteCondition::Kind::Variable;
        QString fileTest;          // -f, !-d, ...
        ValueTemplate subject;     // if's left side
        std::vector<Step> body;    // if
    };

    static std::optional<Step> compileStep(const RewriteStatement &statement, const QStringList &userVariables,
                                           QString *error);
    static RewriteOutcome runSteps(const std::vector<Step> &steps, RewriteState &state, RequestContext &context);
    static RewriteOutcome rewrite(const Step &step, RewriteState &state, RequestContext &context, bool *matched);
    static bool holds(const Step &step, RewriteState &state, RequestContext &context);

    std::vector<Step> m_steps;
};

} // namespace lbscope
