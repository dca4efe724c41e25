#include "http/headerlist.h"

#include "http/headers.h"

#include <algorithm>

namespace lbscope {

HeaderList HeaderList::fromLines(QByteArrayView lines)
{
    HeaderList list;
    list.m_lines = lines;
    return list;
}

QByteArray HeaderList::copyLines(const MessageParser &parser, const char *base)
{
    const QList<HeaderSpan> &headers = parser.headers();
    if (headers.isEmpty())
        return {};
    const qsizetype begin = headers.first().name.offset;
    const HeaderSpan &last = headers.last();
    const qsizetype end = std::max(last.name.offset + last.name.length, last.value.offset + last.value.length);
    return QByteArray(base + begin, end - begin);
}

bool HeaderList::appendFirst(QByteArrayView variableName, QByteArray &out) const
{
    bool found = false;
    forEach([&](QByteArrayView name, QByteArrayView value) {
        if (!headerMatchesVariable(name, variableName))
            return true;
        out.append(value);
        found = true;
        return false;
    });
    return found;
}

bool HeaderList::appendAll(QByteArrayView variableName, QByteArrayView separator, QByteArray &out) const
{
    bool found = false;
    forEach([&](QByteArrayView name, QByteArrayView value) {
        if (headerMatchesVariable(name, variableName)) {
            if (found)
                out.append(separator);
            out.append(value);
            found = true;
        }
        return true;
    });
    return found;
}

} // namespace lbscope
