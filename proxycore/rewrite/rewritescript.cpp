#include "rewrite/rewritescript.h"

#include "config/nginxvalues.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString where(const SourceLocation &source)
{
    return source.file + u':' + QString::number(source.line) + u": "_s;
}

bool isRedirectCode(int code)
{
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

// nginx's PCRE works on bytes: Latin-1 keeps every byte one character, so offsets match.
QRegularExpressionMatch matchBytes(const QRegularExpression &regex, const QByteArray &subject)
{
    return regex.match(QString::fromLatin1(subject));
}

void keepCaptures(const QList<QByteArray> &groupVariables, const QRegularExpressionMatch &match,
                  const QByteArray &subject, RewriteState &state, RequestContext &context)
{
    state.keepCaptures(match, subject, groupVariables);
    state.applyTo(context);
}

} // namespace

std::optional<RewriteScript> RewriteScript::compile(const QList<RewriteStatement> &statements,
                                                    const QStringList &userVariables, QString *error)
{
    RewriteScript script;
    for (const RewriteStatement &statement : statements) {
        std::optional<Step> step = compileStep(statement, userVariables, error);
        if (!step)
            return std::nullopt;
        script.m_steps.push_back(std::move(*step));
    }
    return script;
}

std::optional<RewriteScript::Step> RewriteScript::compileStep(const RewriteStatement &statement,
                                                              const QStringList &userVariables, QString *error)
{
    Step step;
    step.kind = statement.kind;
    step.flag = statement.flag;
    step.code = statement.code;
    const auto compileValue = [&](const QString &text, ValueTemplate *out) {
        QString message;
        std::optional<ValueTemplate> value = ValueTemplate::compile(text, &message, &userVariables);
        if (!value) {
            *error = where(statement.source) + message;
            return false;
        }
        *out = std::move(*value);
        return true;
    };
    switch (statement.kind) {
    case RewriteStatement::Kind::Return:
        step.hasText = !statement.text.isEmpty() || isRedirectCode(statement.code);
        if (!compileValue(statement.text, &step.value))
            return std::nullopt;
        break;
    case RewriteStatement::Kind::Rewrite: {
        QString replacement = statement.text;
        step.redirectTo = nginx::isRedirectUrl(replacement);
        if (replacement.endsWith(u'?')) {
            replacement.chop(1); // a last '?' drops the request's own arguments
            step.appendArgs = false;
        }
        step.regex = QRegularExpression(statement.pattern);
        step.groupVariables = captureVariables(step.regex);
        if (!compileValue(replacement, &step.value))
            return std::nullopt;
        break;
    }
    case RewriteStatement::Kind::Set:
        step.variable = statement.variable.toUtf8();
        if (!compileValue(statement.text, &step.value))
            return std::nullopt;
        break;
    case RewriteStatement::Kind::Break:
        break;
    case RewriteStatement::Kind::If: {
        const RewriteCondition &condition = statement.condition;
        step.condition = condition.kind;
        using Kind = RewriteCondition::Kind;
        if (condition.kind == Kind::FileExists)
            step.fileTest = condition.op;
        if (!compileValue(condition.subject, &step.subject))
            return std::nullopt;
        if (condition.kind == Kind::Equal || condition.kind == Kind::NotEqual) {
            if (!compileValue(condition.value, &step.value))
                return std::nullopt;
        } else if (condition.kind != Kind::Variable && condition.kind != Kind::FileExists) {
            const bool caseless = condition.kind == Kind::MatchNoCase || condition.kind == Kind::NoMatchNoCase;
            step.regex = QRegularExpression(condition.value, caseless ? QRegularExpression::CaseInsensitiveOption
                                                                      : QRegularExpression::NoPatternOption);
            step.groupVariables = captureVariables(step.regex);
        }
        for (const RewriteStatement &inner : statement.body) {
            std::optional<Step> compiled = compileStep(inner, userVariables, error);
            if (!compiled)
                return std::nullopt;
            step.body.push_back(std::move(*compiled));
        }
        break;
    }
    }
    return step;
}

RewriteOutcome RewriteScript::run(RewriteState &state, RequestContext context) const
{
    state.applyTo(context);
    return runSteps(m_steps, state, context);
}

RewriteOutcome RewriteScript::runSteps(const std::vector<Step> &steps, RewriteState &state, RequestContext &context)
{
    for (const Step &step : steps) {
        switch (step.kind) {
        case RewriteStatement::Kind::Return: {
            RewriteOutcome outcome{RewriteOutcome::Action::Respond, step.code, {}, false};
            if (step.hasText) {
                outcome.text = step.value.evaluate(context);
                outcome.redirect = isRedirectCode(step.code);
            }
            return outcome;
        }
        case RewriteStatement::Kind::Rewrite: {
            bool matched = false;
            const RewriteOutcome outcome = rewrite(step, state, context, &matched);
            if (outcome.action != RewriteOutcome::Action::Continue)
                return outcome;
            break;
        }
        case RewriteStatement::Kind::Set:
            state.setVariable(step.variable, step.value.evaluate(context));
            break;
        case RewriteStatement::Kind::Break:
            state.uriChanged = false;
            return {RewriteOutcome::Action::Break, 0, {}, false};
        case RewriteStatement::Kind::If:
            if (holds(step, state, context)) {
                const RewriteOutcome outcome = runSteps(step.body, state, context);
                if (outcome.action != RewriteOutcome::Action::Continue)
                    return outcome;
            }
            break;
        }
    }
    return {};
}

// rewrite REGEX REPLACEMENT [FLAG], as ngx_http_script_regex_start_code and _end_code do it.
RewriteOutcome RewriteScript::rewrite(const Step &step, RewriteState &state, RequestContext &context, bool *matched)
{
    const QRegularExpressionMatch match = matchBytes(step.regex, state.uri);
    *matched = match.hasMatch();
    if (!*matched)
        return {};
    keepCaptures(step.groupVariables, match, state.uri, state, context);
    QByteArray replaced = step.value.evaluate(context);
    const bool redirect = step.redirectTo || step.flag == RewriteStatement::Flag::Redirect ||
                          step.flag == RewriteStatement::Flag::Permanent;
    if (redirect) {
        if (step.appendArgs && !state.args.isEmpty())
            replaced += (replaced.contains('?') ? '&' : '?') + state.args;
        const int status = step.flag == RewriteStatement::Flag::Permanent ? 301 : 302;
        return {RewriteOutcome::Action::Respond, status, replaced, true};
    }
    const qsizetype query = replaced.indexOf('?');
    if (query >= 0) {
        QByteArray args = replaced.mid(query + 1);
        if (step.appendArgs && !state.args.isEmpty())
            args += '&' + state.args;
        state.args = args;
        replaced.truncate(query);
    } else if (!step.appendArgs) {
        state.args.clear();
    }
    state.uri = replaced;
    state.rewritten = true;
    state.uriChanged = true;
    state.applyTo(context);
    switch (step.flag) {
    case RewriteStatement::Flag::Last:
        return {RewriteOutcome::Action::Last, 0, {}, false};
    case RewriteStatement::Flag::Break:
        state.uriChanged = false;
        return {RewriteOutcome::Action::Break, 0, {}, false};
    default:
        return {};
    }
}

bool RewriteScript::holds(const Step &step, RewriteState &state, RequestContext &context)
{
    using Kind = RewriteCondition::Kind;
    const QByteArray subject = step.subject.evaluate(context);
    switch (step.condition) {
    case Kind::Variable:
        return !subject.isEmpty() && subject != "0";
    case Kind::Equal:
        return subject == step.value.evaluate(context);
    case Kind::NotEqual:
        return subject != step.value.evaluate(context);
    case Kind::Match:
    case Kind::MatchNoCase: {
        const QRegularExpressionMatch match = matchBytes(step.regex, subject);
        if (!match.hasMatch())
            return false;
        keepCaptures(step.groupVariables, match, subject, state, context);
        return true;
    }
    case Kind::NoMatch:
    case Kind::NoMatchNoCase:
        return !matchBytes(step.regex, subject).hasMatch();
    case Kind::FileExists: {
        const bool negated = step.fileTest.startsWith(u'!');
        const QChar test = step.fileTest.back();
        const QFileInfo file(QString::fromUtf8(subject));
        bool result = false;
        if (test == u'f')
            result = file.isFile();
        else if (test == u'd')
            result = file.isDir();
        else if (test == u'e')
            result = file.exists();
        else
            result = file.isExecutable();
        return negated ? !result : result;
    }
    }
    return false;
}

} // namespace lbscope
