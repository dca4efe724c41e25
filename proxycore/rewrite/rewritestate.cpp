#include "rewrite/rewritestate.h"

#include <algorithm>

namespace lbscope {

void RewriteState::start(QByteArrayView target)
{
    clear();
    const qsizetype query = target.indexOf('?');
    uri = QByteArray::fromPercentEncoding(target.first(query < 0 ? target.size() : query).toByteArray());
    if (query >= 0)
        args = target.sliced(query + 1).toByteArray();
}

void RewriteState::clear()
{
    uri.clear();
    args.clear();
    uriChanged = false;
    rewritten = false;
    uriChanges = 0;
    captureSubject.clear();
    captures.clear();
    variables.clear();
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

void RewriteState::keepCaptures(const QRegularExpression &regex, const QRegularExpressionMatch &match,
                                const QByteArray &subject)
{
    captureSubject = subject;
    captures.clear();
    const QByteArrayView bytes = captureSubject;
    for (int i = 1; i <= std::min(9, match.lastCapturedIndex()); ++i) {
        const qsizetype start = match.capturedStart(i);
        captures.append(start < 0 ? QByteArrayView() : bytes.sliced(start, match.capturedLength(i)));
    }
    const QStringList names = regex.namedCaptureGroups();
    for (int i = 1; i < names.size(); ++i) {
        if (!names[i].isEmpty())
            setVariable(names[i].toLower().toUtf8(), match.captured(i).toLatin1());
    }
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

} // namespace lbscope
