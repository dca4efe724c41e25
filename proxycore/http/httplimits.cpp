#include "http/httplimits.h"

namespace lbscope {

int statusForFailure(HttpFailure failure)
{
    switch (failure) {
    case HttpFailure::None:
        return 200;
    case HttpFailure::BadRequest:
        return 400;
    case HttpFailure::MethodNotAllowed:
        return 405;
    case HttpFailure::LengthRequired:
        return 411;
    case HttpFailure::BodyTooLarge:
        return 413;
    case HttpFailure::UriTooLong:
        return 414;
    case HttpFailure::HeaderTooLarge:
        return 431;
    case HttpFailure::NotImplemented:
        return 501;
    case HttpFailure::VersionNotSupported:
        return 505;
    case HttpFailure::UpstreamInvalid:
        return 502;
    }
    return 500;
}

} // namespace lbscope
