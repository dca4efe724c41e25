#include "proxy/upstreamerrormessage.h"

using namespace Qt::StringLiterals;

namespace lbscope {

QString upstreamErrorMessage(QStringView what, const UpstreamErrorFacts &facts)
{
    QString text = what.toString() + ", client: "_L1 + QString::fromLatin1(facts.client) + ", server: "_L1 +
                   QString::fromUtf8(facts.server) + ", request: \""_L1 + QString::fromUtf8(facts.requestLine) +
                   "\", upstream: \""_L1 + QString::fromUtf8(facts.upstream) + u'"';
    if (facts.hasHost)
        text += ", host: \""_L1 + QString::fromUtf8(facts.host) + u'"';
    if (facts.hasReferrer)
        text += ", referrer: \""_L1 + QString::fromUtf8(facts.referrer) + u'"';
    return text;
}

} // namespace lbscope
