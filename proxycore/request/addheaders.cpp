#include "request/addheaders.h"

#include "proxy/routing.h"

namespace lbscope {

namespace {

// nginx adds add_header fields only to these statuses unless "always" is given.
bool addHeaderApplies(int status)
{
    switch (status) {
    case 200:
    case 201:
    case 204:
    case 206:
    case 301:
    case 302:
    case 303:
    case 304:
    case 307:
    case 308:
        return true;
    default:
        return false;
    }
}

} // namespace

void appendAddHeaders(QByteArray &head, const QList<CompiledHeader> &headers, int status, const RequestContext &context)
{
    const bool applies = addHeaderApplies(status);
    for (const CompiledHeader &header : headers) {
        if (!applies && !header.always)
            continue;
        const qsizetype mark = head.size();
        head.append(header.name);
        head.append(": ");
        const qsizetype valueStart = head.size();
        header.value.appendTo(context, head);
        if (head.size() == valueStart)
            head.truncate(mark);
        else
            head.append("\r\n");
    }
}

} // namespace lbscope
