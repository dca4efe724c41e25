#include "http/requesthost.h"

namespace lbscope {

std::optional<QByteArray> validateHost(QByteArrayView host)
{
    enum class State {
        Usual,
        Literal, // inside "[...]"
        Rest,    // the port, not part of the name
    };
    State state = State::Usual;
    qsizetype dot = -2; // where the last '.' was; two dots in a row are refused
    qsizetype length = host.size();
    for (qsizetype i = 0; i < host.size(); ++i) {
        const char c = host[i];
        switch (c) {
        case '.':
            if (dot == i - 1)
                return std::nullopt;
            dot = i;
            break;
        case ':':
            if (state == State::Usual) {
                length = i;
                state = State::Rest;
            }
            break;
        case '[':
            if (i == 0)
                state = State::Literal;
            break;
        case ']':
            if (state == State::Literal) {
                length = i + 1;
                state = State::Rest;
            }
            break;
        case '/':
        case '\\':
            return std::nullopt; // a path separator
        default:
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
                return std::nullopt; // a space or a control byte, NUL included
            break;
        }
    }
    if (dot == length - 1)
        --length;
    if (length <= 0)
        return std::nullopt;
    return host.first(length).toByteArray().toLower();
}

} // namespace lbscope
