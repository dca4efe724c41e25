#include "http/requestfields.h"

#include <algorithm>

namespace lbscope {

namespace {

bool isIgnoredName(QByteArrayView name)
{
    return std::any_of(name.begin(), name.end(), [](char c) {
        return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
    });
}

// libhttp-parser starts a value after any spaces and tabs and keeps its trailing ones; nginx
// skips spaces only and drops trailing spaces.
void trimAsNginx(HeaderSpan &header, const char *base)
{
    Span &value = header.value;
    if (value.isEmpty())
        return;
    const qsizetype colon = header.name.offset + header.name.length;
    qsizetype begin = value.offset;
    while (begin > colon + 1 && (base[begin - 1] == ' ' || base[begin - 1] == '\t'))
        --begin;
    qsizetype end = value.offset + value.length;
    while (begin < end && base[begin] == ' ')
        ++begin;
    while (end > begin && base[end - 1] == ' ')
        --end;
    value = Span{begin, end - begin};
}

} // namespace

bool isRefusedFieldName(QByteArrayView name)
{
    return name.isEmpty() || std::any_of(name.begin(), name.end(), [](char c) {
               const auto byte = static_cast<unsigned char>(c);
               return byte <= 0x20 || byte == 0x7f;
           });
}

bool applyNginxFieldRules(QList<HeaderSpan> &headers, const char *base)
{
    for (const HeaderSpan &header : std::as_const(headers)) {
        if (isRefusedFieldName(header.name.in(base)))
            return false;
    }
    headers.removeIf([base](const HeaderSpan &header) { return isIgnoredName(header.name.in(base)); });
    for (HeaderSpan &header : headers)
        trimAsNginx(header, base);
    return true;
}

} // namespace lbscope
