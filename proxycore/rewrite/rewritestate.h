#pragma once

// What the rewrite module changes on a request as its scripts run: $uri and $args, the
// captures of the last regular expression that matched, and the variables `set` gave
// values to. One per connection, cleared for each request.

#include "variables/requestcontext.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QVarLengthArray>

class QRegularExpression;
class QRegularExpressionMatch;

namespace lbscope {

struct RewriteState
{
    QByteArray uri;            // $uri, normalized (http/requesturi.h)
    QByteArray args;           // $args
    bool uriChanged = false;   // since the location was chosen: look for one again
    bool rewritten = false;    // since the request arrived: the upstream gets uri and args
    int uriChanges = 0;        // location passes that changed it, and internal redirects: nginx stops at 10
    QByteArray captureSubject; // what the last match ran on; the captures point into it
    QVarLengthArray<QByteArrayView, 10> captures;
    QList<std::pair<QByteArray, QByteArray>> variables;

    // $uri and $args from the request target; false when nginx would answer 400 (http/requesturi.h).
    bool start(QByteArrayView target);
    void clear();
    void setVariable(const QByteArray &name, const QByteArray &value);
    // $1..$9 and the named captures of a successful match on subject (a rewrite's, an if's or
    // a location's regular expression), replacing the last ones. groupVariables: the
    // regular expression's captureVariables(), read once when it was compiled.
    void keepCaptures(const QRegularExpressionMatch &match, const QByteArray &subject,
                      const QList<QByteArray> &groupVariables);
    // The request's context with this state's view of it.
    void applyTo(RequestContext &context) const;
    // uri escaped as nginx sends it upstream, and its args.
    QByteArray upstreamTarget() const;
};

// The variable each capture group sets, by group number: its name in lower case, or empty for
// an unnamed group (index 0, the whole match, included).
QList<QByteArray> captureVariables(const QRegularExpression &regex);

} // namespace lbscope
