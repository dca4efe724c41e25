#include "http/requesturi.h"

namespace lbscope {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// "/" and "." sequences that need the segment pass; a plain path is taken as it is.
bool needsSegments(QByteArrayView path)
{
    for (qsizetype i = 0; i + 1 < path.size(); ++i) {
        if (path[i] == '/' && (path[i + 1] == '/' || path[i + 1] == '.'))
            return true;
    }
    return false;
}

// Merges "//", drops "." and takes ".." back one segment, in place. The output is kept as
// "/seg/seg/" while it grows, so a segment starts after the last '/'.
bool resolveSegments(QByteArray *path)
{
    const QByteArray decoded = *path;
    QByteArray &out = *path;
    out.resize(1); // "/"
    out[0] = '/';
    bool trailingSlash = false;
    qsizetype start = decoded.startsWith('/') ? 1 : 0;
    while (start <= decoded.size()) {
        qsizetype end = decoded.indexOf('/', start);
        if (end < 0)
            end = decoded.size();
        const QByteArrayView segment = QByteArrayView(decoded).sliced(start, end - start);
        trailingSlash = segment.isEmpty() || segment == "." || segment == "..";
        if (segment == "..") {
            if (out.size() == 1)
                return false; // above the root
            out.chop(1);
            out.truncate(out.lastIndexOf('/') + 1);
        } else if (!trailingSlash) {
            out.append(segment);
            out.append('/');
        }
        start = end + 1;
    }
    if (!trailingSlash && out.size() > 1)
        out.chop(1);
    return true;
}

} // namespace

QByteArrayView originForm(QByteArrayView target)
{
    if (target.startsWith('/'))
        return target;
    const qsizetype scheme = target.indexOf("://");
    if (scheme < 0)
        return target;
    const qsizetype path = target.indexOf('/', scheme + 3);
    return path < 0 ? QByteArrayView("/") : target.sliced(path);
}

QByteArrayView targetPath(QByteArrayView target)
{
    for (qsizetype i = 0; i < target.size(); ++i) {
        if (target[i] == '?' || target[i] == '#')
            return target.first(i);
    }
    return target;
}

QByteArrayView targetArgs(QByteArrayView target)
{
    const QByteArrayView path = targetPath(target);
    if (path.size() == target.size() || target[path.size()] != '?')
        return {};
    const QByteArrayView rest = target.sliced(path.size() + 1);
    const qsizetype fragment = rest.indexOf('#');
    return fragment < 0 ? rest : rest.first(fragment);
}

bool normalizeUriPath(QByteArrayView path, QByteArray *out, bool *quoted)
{
    out->resize(0);
    out->reserve(path.size());
    bool escaped = false;
    for (qsizetype i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            out->append(path[i]);
            continue;
        }
        if (i + 2 >= path.size())
            return false; // "%" or "%X" at the end
        const int first = hexValue(path[i + 1]);
        const int second = hexValue(path[i + 2]);
        if (first < 0 || second < 0)
            return false;
        const char byte = char(first * 16 + second);
        if (byte == '\0')
            return false;
        out->append(byte);
        escaped = true;
        i += 2;
    }
    if (quoted)
        *quoted = escaped;
    return !needsSegments(*out) || resolveSegments(out);
}

} // namespace lbscope
