#include "proxy/upstreamrequesthead.h"

#include "http/headers.h"
#include "http/messageparser.h"
#include "variables/valuetemplate.h"
#include "proxy/routing.h"

#include <algorithm>

namespace lbscope {

UpstreamRequestHead::Result UpstreamRequestHead::build(const MessageParser &request, const char *base,
                                                       const Route &route, const RequestContext &context) const
{
    const bool http11 = route.settings.proxyHttpVersionMinor == 1;
    Result result;
    result.keepAlive = http11;

    // A fresh array sized from the last head: the connection sends it and the access record
    // keeps it, the same bytes.
    QByteArray &head = result.bytes;
    head.reserve(sizeHint > 0 ? sizeHint + 32 : 256);
    head.append(method.isEmpty() ? QByteArrayView(http_method_str(request.method())) : method);
    head.append(' ');
    head.append(target.isEmpty() ? request.target().in(base) : target);
    head.append(http11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (const CompiledHeader &header : route.upstreamHeaders) {
        const qsizetype mark = head.size();
        head.append(header.name);
        head.append(": ");
        const qsizetype valueStart = head.size();
        header.value.appendTo(context, head);
        if (head.size() == valueStart) {
            head.truncate(mark); // an empty value removes the header
            continue;
        }
        if (equalsIgnoreCase(header.name, "connection") &&
            equalsIgnoreCase(QByteArrayView(head).sliced(valueStart), "close"))
            result.keepAlive = false;
        head.append("\r\n");
    }
    switch (framing) {
    case BodyFraming::None:
        break;
    case BodyFraming::Length:
        head.append("Content-Length: ");
        head.append(QByteArray::number(bodyLength));
        head.append("\r\n");
        break;
    case BodyFraming::Chunked:
        head.append("Transfer-Encoding: chunked\r\n");
        break;
    }
    for (const HeaderSpan &header : request.headers()) {
        const QByteArrayView name = header.name.in(base);
        const bool replaced = std::any_of(route.replacedHeaders.cbegin(), route.replacedHeaders.cend(),
                                          [&](const QByteArray &lower) { return equalsIgnoreCase(lower, name); });
        if (replaced)
            continue;
        head.append(name);
        head.append(": ");
        head.append(header.value.in(base));
        head.append("\r\n");
    }
    head.append("\r\n");
    if (head.capacity() - head.size() > 64)
        head.squeeze(); // the hint was far off: the access record should not keep the slack
    return result;
}

} // namespace lbscope
