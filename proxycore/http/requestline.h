#pragma once

// The request line, read as nginx 1.22 reads it, before libhttp-parser sees the head: the
// method is any token of upper-case letters, '_' and '-' (libhttp-parser knows a fixed list),
// spaces between the parts may be several, the version may be followed by spaces and its
// numbers may have two digits, and an absolute-form target ("http://host/path") is split into
// its authority and its path (RFC 9112 3.2.2). Incremental: bytes may come one at a time; all
// it keeps are offsets into the caller's buffer.

#include "http/httplimits.h"
#include "http/requestmethod.h"

#include <QByteArrayView>

namespace lbscope {

class RequestLineReader
{
public:
    enum class Result {
        NeedMore,
        Complete, // the line and its line end are consumed
        Invalid,  // see failure()
    };

    void reset() { *this = RequestLineReader(); }
    // Reads base[offset, offset + length); *consumed gets how many bytes belong to the line.
    Result read(const char *base, qsizetype offset, qsizetype length, qsizetype *consumed);

    HttpFailure failure() const { return m_failure; }
    qsizetype methodOffset() const { return m_methodOffset; }
    qsizetype methodLength() const { return m_methodLength; }
    RequestMethod method() const { return m_method; }
    // The target as routed: the path of an absolute-form, else the target as sent.
    qsizetype targetOffset() const { return m_targetOffset; }
    qsizetype targetLength() const { return m_targetLength; }
    // The request-target as sent: an absolute-form whole, scheme and all ($request).
    qsizetype sentTargetOffset() const { return m_sentTargetOffset; }
    // host[:port] of an absolute-form target; empty otherwise.
    qsizetype authorityOffset() const { return m_authorityOffset; }
    qsizetype authorityLength() const { return m_authorityLength; }
    int versionMajor() const { return m_major; }
    int versionMinor() const { return m_minor; }

private:
    enum class State : quint8 {
        Start,
        Method,
        SpacesBeforeTarget,
        Scheme,
        SchemeSlash,
        SchemeSlashSlash,
        Authority,
        Path,
        SpacesBeforeVersion,
        VersionName,
        Major,
        Minor,
        SpacesAfterVersion,
        AlmostDone,
        NoVersionAlmostDone, // a CR after the target: HTTP/0.9 if an LF follows
    };

    Result invalid(HttpFailure failure = HttpFailure::BadRequest);

    State m_state = State::Start;
    HttpFailure m_failure = HttpFailure::None;
    RequestMethod m_method = RequestMethod::Other;
    qsizetype m_methodOffset = 0;
    qsizetype m_methodLength = 0;
    qsizetype m_targetOffset = 0;
    qsizetype m_targetLength = 0;
    qsizetype m_sentTargetOffset = 0;
    qsizetype m_authorityOffset = 0;
    qsizetype m_authorityLength = 0;
    int m_versionNameRead = 0; // of "HTTP/"
    int m_major = 0;
    int m_minor = 0;
    int m_digits = 0;
};

} // namespace lbscope
