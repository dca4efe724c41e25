#include "rewrite/rewritestate.h"

#include "http/requesturi.h"

#include <QRegularExpression>

#include <algorithm>

namespace lbscope {

bool RewriteState::start(QByteArrayView target)
{
    clear();
    const QByteArrayView origin = originForm(target);
    args = targetArgs(origin).toByteArray();
    return normalizeUriPath(targetPath(origin), &uri);
}

void RewriteState::clear()
{
    captures.clear();
    captureSubject.clear(); // first: it may share uri's bytes, and uri keeps its capacity
    uri.resize(0);
    args.clear();
    uriChanged = false;
    rewritten = false;
    uriChanges = 0;
    variables.clear();
}

void RewriteState::keepCaptures(const QRegularExpressionMatch &match, const QByteArray &subject,
                                const QList<QByteArray> &groupVariables)
{
    captureSubject = subject;
    captures.clear();
    const QByteArrayView bytes = captureSubject;
    for (int i = 1; i <= std::min(9, match.lastCapturedIndex()); ++i) {
        const qsizetype start = match.capturedStart(i);
        captures.append(start < 0 ? QByteArrayView() : bytes.sliced(start, match.capturedLength(i)));
    }
    for (qsizetype i = 1; i < groupVariables.size(); ++i) {
        if (!groupVariables[i].isEmpty())
            setVariable(groupVariables[i], match.captured(int(i)).toLatin1());
    }
}

void RewriteState::setVariable(const QByteArray &name, const QByteArray &value)
{
    for (auto &[variable, current] : variables) {
        if (variable == name) {
            current = value;
            return;
        }
    }
    variables.append({name, value});
}

void RewriteState::applyTo(RequestContext &context) const
{
    if (rewritten) {
        context.rewrittenUri = &uri;
        context.rewrittenArgs = &args;
    }
    context.captures = captures.constData();
    context.captureCount = int(captures.size());
    context.userVariables = &variables;
}

QByteArray RewriteState::upstreamTarget() const
{
    // ngx_escape_uri's NGX_ESCAPE_URI: controls, space, '"', '#', '%', '?' and bytes above 0x7e.
    QByteArray target = uri.toPercentEncoding("!$&'()*+,-./:;=@[]_~{}|\\^`<>", "\"#%?");
    if (!args.isEmpty())
        target += '?' + args;
    return target;
}

QList<QByteArray> captureVariables(const QRegularExpression &regex)
{
    QList<QByteArray> names;
    const QStringList groups = regex.namedCaptureGroups();
    for (const QString &group : groups)
        names.append(group.toLower().toUtf8());
    return names;
}

} // namespace lbscope
