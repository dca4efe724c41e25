#include "http/requestline.h"

namespace lbscope {

namespace {

constexpr bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isSchemeCharacter(char c)
{
    return isLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.';
}

// Bytes that end or break a target: whitespace, controls, DEL (RFC 9112 3.2: no whitespace in
// a request-target; NUL anywhere is invalid).
constexpr bool isTargetBreak(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
}

constexpr char versionName[] = "HTTP/";

} // namespace

RequestLineReader::Result RequestLineReader::invalid(HttpFailure failure)
{
    m_failure = failure;
    m_methodLength = 0;
    m_targetLength = 0;
    m_authorityLength = 0;
    return Result::Invalid;
}

RequestLineReader::Result RequestLineReader::read(const char *base, qsizetype offset, qsizetype length,
                                                  qsizetype *consumed)
{
    for (qsizetype i = 0; i < length; ++i) {
        const qsizetype at = offset + i;
        const char c = base[at];
        *consumed = i + 1;
        switch (m_state) {
        case State::Start:
            // Empty lines before a request are skipped (RFC 9112 2.2), as nginx does.
            if (c == '\r' || c == '\n')
                break;
            if (!isMethodCharacter(c))
                return invalid();
            m_methodOffset = at;
            m_state = State::Method;
            break;
        case State::Method:
            if (c == ' ') {
                m_methodLength = at - m_methodOffset;
                m_method = classifyRequestMethod(QByteArrayView(base + m_methodOffset, m_methodLength));
                m_state = State::SpacesBeforeTarget;
            } else if (!isMethodCharacter(c)) {
                return invalid();
            }
            break;
        case State::SpacesBeforeTarget:
            if (c == ' ')
                break;
            m_sentTargetOffset = at;
            if (c == '/') {
                m_targetOffset = at;
                m_state = State::Path;
            } else if (isLetter(c)) {
                m_state = State::Scheme; // absolute-form; "*" and authority-form are refused, as by nginx
            } else {
                return invalid();
            }
            break;
        case State::Scheme:
            if (c == ':')
                m_state = State::SchemeSlash;
            else if (!isSchemeCharacter(c))
                return invalid();
            break;
        case State::SchemeSlash:
            if (c != '/')
                return invalid();
            m_state = State::SchemeSlashSlash;
            break;
        case State::SchemeSlashSlash:
            if (c != '/')
                return invalid();
            m_authorityOffset = at + 1;
            m_state = State::Authority;
            break;
        case State::Authority:
            if (c == '/' && at > m_authorityOffset) {
                m_authorityLength = at - m_authorityOffset;
                m_targetOffset = at;
                m_state = State::Path;
            } else if (c == '/' || c == '?' || c == '#' || c == '\\' || isTargetBreak(c)) {
                return invalid(); // no authority, or no path to route by
            }
            break;
        case State::Path:
            if (c == ' ') {
                m_targetLength = at - m_targetOffset;
                m_state = State::SpacesBeforeVersion;
            } else if (c == '\r') {
                m_state = State::NoVersionAlmostDone;
            } else if (c == '\n') {
                return invalid(HttpFailure::VersionNotSupported); // HTTP/0.9
            } else if (isTargetBreak(c)) {
                return invalid();
            }
            break;
        case State::SpacesBeforeVersion:
            if (c == ' ')
                break;
            if (c == '\r') {
                m_state = State::NoVersionAlmostDone;
                break;
            }
            if (c == '\n')
                return invalid(HttpFailure::VersionNotSupported);
            if (c != 'H')
                return invalid();
            m_versionNameRead = 1;
            m_state = State::VersionName;
            break;
        case State::VersionName:
            if (c != versionName[m_versionNameRead])
                return invalid();
            if (++m_versionNameRead == int(sizeof(versionName) - 1))
                m_state = State::Major;
            break;
        case State::Major:
            // No leading zero; a major other than 1 is refused once the head is in (505).
            if (c == '.' && m_major > 0) {
                m_state = State::Minor;
                break;
            }
            if (!isDigit(c) || (m_major == 0 && c == '0'))
                return invalid();
            m_major = m_major * 10 + (c - '0');
            if (m_major > 99)
                return invalid();
            break;
        case State::Minor:
            if (isDigit(c)) {
                m_minor = m_minor * 10 + (c - '0');
                ++m_digits;
                if (m_minor > 99)
                    return invalid();
                break;
            }
            if (m_digits == 0)
                return invalid();
            [[fallthrough]];
        case State::SpacesAfterVersion:
            if (c == ' ') {
                m_state = State::SpacesAfterVersion;
            } else if (c == '\r') {
                m_state = State::AlmostDone;
            } else if (c == '\n') {
                return Result::Complete; // a bare LF ends a line too (RFC 9112 2.2)
            } else {
                return invalid();
            }
            break;
        case State::NoVersionAlmostDone:
            return invalid(c == '\n' ? HttpFailure::VersionNotSupported : HttpFailure::BadRequest);
        case State::AlmostDone:
            if (c != '\n')
                return invalid(); // a bare CR (RFC 9112 2.2)
            return Result::Complete;
        }
    }
    return Result::NeedMore;
}

} // namespace lbscope
