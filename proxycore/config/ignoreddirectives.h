#pragma once

// nginx directives outside LB Scope's subset whose absence changes what a request gets: a
// file that uses them runs here, but not as it runs in nginx, so the warning says what would
// differ. Directives that only tune nginx itself (sendfile, worker_connections, ...) are not
// listed: skipping them changes nothing a client can see.

#include <QString>
#include <QStringList>

namespace lbscope {

// What nginx would do that LB Scope does not, for a skipped directive with these arguments;
// empty when skipping it changes nothing a client sees (or its arguments switch it off).
QString ignoredDirectiveEffect(const QString &name, const QStringList &args);

// The same for a skipped parameter of `listen` (ssl, http2, proxy_protocol).
QString ignoredListenParameterEffect(const QString &parameter);

} // namespace lbscope
