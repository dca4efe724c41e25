#include "http/requestmethod.h"

#include <array>

namespace lbscope {

namespace {

struct NamedMethod
{
    QByteArrayView name;
    RequestMethod method;
};

constexpr std::array<NamedMethod, 10> namedMethods = {{
    {"GET", RequestMethod::Get},
    {"HEAD", RequestMethod::Head},
    {"POST", RequestMethod::Post},
    {"PUT", RequestMethod::Put},
    {"DELETE", RequestMethod::Delete},
    {"OPTIONS", RequestMethod::Options},
    {"PATCH", RequestMethod::Patch},
    {"LOCK", RequestMethod::Lock},
    {"TRACE", RequestMethod::Trace},
    {"CONNECT", RequestMethod::Connect},
}};

} // namespace

RequestMethod classifyRequestMethod(QByteArrayView token)
{
    // Methods are case-sensitive (RFC 9110 9.1): "get" is not GET.
    for (const NamedMethod &named : namedMethods) {
        if (named.name == token)
            return named.method;
    }
    return RequestMethod::Other;
}

QByteArrayView requestMethodName(RequestMethod method)
{
    for (const NamedMethod &named : namedMethods) {
        if (named.method == method)
            return named.name;
    }
    return {};
}

} // namespace lbscope
