#pragma once

// A request's method is any token nginx accepts; the few the proxy decides by (HEAD has no
// response body, POST, LOCK and PATCH are not retried, TRACE and CONNECT are refused) are
// named here, so code asks "is it HEAD" without comparing text each time.

#include <QByteArrayView>

namespace lbscope {

enum class RequestMethod : quint8 {
    Other, // a token of no special meaning: PROPFIND, PURGE, M-SEARCH, FOO
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Lock,
    Trace,
    Connect,
};

// nginx 1.22 reads a method as upper-case letters, '_' and '-' and answers 400 to anything
// else (RFC 9110's token also allows lower case and digits; nginx does not).
constexpr bool isMethodCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

RequestMethod classifyRequestMethod(QByteArrayView token);
// The name of a known method as a static string (a record can keep it without a copy);
// empty for Other.
QByteArrayView requestMethodName(RequestMethod method);
// proxy_next_upstream non_idempotent: what nginx does not pass to another peer by default.
constexpr bool isNonIdempotent(RequestMethod method)
{
    return method == RequestMethod::Post || method == RequestMethod::Lock || method == RequestMethod::Patch;
}

} // namespace lbscope
