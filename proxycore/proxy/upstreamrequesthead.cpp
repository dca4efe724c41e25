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
    if (!method.isEmpty())
        head.append(method); // an error page's GET
    else if (route.method)
        route.method->appendTo(context, head); // empty too, as nginx sends it
    else
        head.append(request.methodText().in(base));
    head.append(' ');
    head.append(!target.isEmpty() ? target : uri.isEmpty() ? request.target().in(base) : uri);
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
    QByteArray setBody;
    BodyFraming bodyFraming = framing;
    quint64 length = bodyLength;
    if (route.body) {
        setBody = route.body->evaluate(context);
        bodyFraming = BodyFraming::Length;
        length = quint64(setBody.size());
    }
    // In nginx the length is a proxy_set_header default: one set explicitly (often "") wins.
    const bool lengthSet = std::any_of(route.upstreamHeaders.cbegin(), route.upstreamHeaders.cend(),
                                       [](const CompiledHeader &h) { return equalsIgnoreCase(h.name, "content-length"); });
    switch (bodyFraming) {
    case BodyFraming::None:
        break;
    case BodyFraming::Length:
        if (lengthSet)
            break;
        head.append("Content-Length: ");
        head.append(QByteArray::number(length));
        head.append("\r\n");
        break;
    case BodyFraming::Chunked:
        head.append("Transfer-Encoding: chunked\r\n");
        break;
    }
    static const QList<HeaderSpan> none;
    const QList<HeaderSpan> &clientHeaders = route.settings.proxyPassRequestHeaders ? request.headers() : none;
    for (const HeaderSpan &header : clientHeaders) {
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
    head.append(setBody);
    if (head.capacity() - head.size() > 64)
        head.squeeze(); // the hint was far off: the access record should not keep the slack
    return result;
}

} // namespace lbscope
