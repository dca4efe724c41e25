#pragma once

// What the rewrite module changes on a request as its scripts run: $uri and $args, the
// captures of the last regular expression that matched, and the variables `set` gave
// values to. One per connection, cleared for each request.

#include "variables/requestcontext.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QVarLengthArray>

namespace lbscope {

struct RewriteState
{
    QByteArray uri;            // $uri, decoded
    QByteArray args;           // $args
    bool uriChanged = false;   // since the location was chosen: look for one again
    bool rewritten = false;    // since the request arrived: the upstream gets uri and args
    int uriChanges = 0;        // nginx stops at 10: "rewrite or internal redirection cycle"
    QByteArray captureSubject; // what the last match ran on; the captures point into it
    QVarLengthArray<QByteArrayView, 10> captures;
    QList<std::pair<QByteArray, QByteArray>> variables;

    void start(QByteArrayView target);
    void clear();
    void setVariable(const QByteArray &name, const QByteArray &value);
    // A successful match's $1..$9 and named captures (a rewrite's, an if's, a server_name's).
    void keepCaptures(const QRegularExpression &regex, const QRegularExpressionMatch &match, const QByteArray &subject);
    // The request's context with this state's view of it.
    void applyTo(RequestContext &context) const;
    // uri escaped as nginx sends it upstream, and its args.
    QByteArray upstreamTarget() const;
};

} // namespace lbscope
