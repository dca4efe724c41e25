#pragma once

// The host a request names, as nginx 1.22 takes it: from an absolute-form target
// ("GET http://other.example/ HTTP/1.1") before the Host header, checked by nginx's rules
// (ngx_http_validate_host): lower case, without the port and a trailing dot. A host nginx
// declines ("a..b", "a/b", ".", an empty one) makes the request a 400.

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace lbscope {

// nullopt: nginx answers 400.
std::optional<QByteArray> validateHost(QByteArrayView host);

} // namespace lbscope
