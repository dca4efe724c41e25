#pragma once

// nginx's $uri and $args from a request target, as ngx_http_parse_complex_uri makes them
// (merge_slashes on): the path up to "?" or "#", %XX decoded, "//" merged, "." and ".."
// segments resolved. A ".." above the root, a decoded NUL or a broken %-escape make the
// request a bad one (400). Location matching, the rewrite module, $uri and a proxy_pass URI
// part all start from this one path.

#include <QByteArray>
#include <QByteArrayView>

namespace lbscope {

// "http://example.com/a?b" (a request in absolute form) -> "/a?b"; an origin-form target as is.
QByteArrayView originForm(QByteArrayView target);

// The path part: "/a/b?x#f" -> "/a/b", "/a#f?x" -> "/a".
QByteArrayView targetPath(QByteArrayView target);
// The arguments: "/a?x=1#f" -> "x=1"; none after a "#".
QByteArrayView targetArgs(QByteArrayView target);

// The normalized path of a target's path into *out (its capacity reused); false for a path
// nginx answers 400. *quoted: the path had a %-escape (nginx escapes what it passes on only then).
bool normalizeUriPath(QByteArrayView path, QByteArray *out, bool *quoted = nullptr);

} // namespace lbscope
