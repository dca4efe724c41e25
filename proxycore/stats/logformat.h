#pragma once

// nginx's log_format applied to access records: compiled once per format, then one call per
// record gives the line nginx would write for the same request (without the newline).

#include "config/proxyconfig.h"
#include "stats/accesslog.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace lbscope {

// The record's decisions, one per attempt, joined by "; then " ($lbscope_decision).
QByteArray describeDecisions(const AccessRecord &record);

class LogFormatter
{
public:
    enum class Escape {
        Default, // '"', '\' and bytes outside 32..126 as \xXX; an empty variable as "-"
        Json,    // JSON string content; an empty variable as nothing
        None,    // bytes as they are; an empty variable as nothing
    };

    // Errors are worded as nginx words them: unknown "x" variable, unknown log format
    // escaping "x", invalid parameter "$", the closing bracket in "x" variable is missing.
    static std::optional<LogFormatter> compile(const LogFormat &format, QString *error);
    // nginx's predefined format.
    static const LogFormatter &combined();
    // Variables only LB Scope has ($lbscope_decision): nginx needs them defined elsewhere.
    static QStringList ownVariables();
    // $time_local and $time_iso8601 are formatted once a second per thread, so a change of
    // the TZ variable shows from the next second on; after this call, from the next record.
    static void timeZoneChanged();

    Escape escape() const { return m_escape; }
    QByteArray format(const AccessRecord &record) const;
    void appendTo(const AccessRecord &record, QByteArray &out) const;

private:
    enum class Variable {
        Literal,
        // Written by nginx's log module itself: never escaped, never "-".
        TimeLocal,
        TimeIso8601,
        Msec,
        Status,
        BytesSent,
        BodyBytesSent,
        RequestTime,
        // Ordinary variables: escaped, "-" when empty (default escaping).
        RemoteAddr,
        RemotePort,
        RealipRemoteAddr,
        RealipRemotePort,
        RemoteUser,
        Request,
        RequestMethod,
        RequestUri,
        Uri,
        Args,
        IsArgs,
        Scheme,
        ServerProtocol,
        Host,
        HttpHost,
        HttpReferer,
        HttpUserAgent,
        HttpXForwardedFor,
        HttpHeader, // any other $http_NAME: the name is the part's literal
        Arg,        // $arg_NAME
        UpstreamAddr,
        UpstreamStatus,
        UpstreamConnectTime,
        UpstreamHeaderTime,
        UpstreamResponseTime,
        LbscopeDecision,
    };
    struct Part
    {
        Variable variable = Variable::Literal;
        QByteArray literal; // the text, or NAME for $http_NAME and $arg_NAME
    };

    static std::optional<Part> variableNamed(QStringView name);
    static bool isLogModuleValue(Variable variable);
    static void appendLogModuleValue(Variable variable, const AccessRecord &record, QByteArray &out);
    static void appendValue(const Part &part, const AccessRecord &record, QByteArray &out);
    bool parse(const QString &text, QString *error);
    void appendPart(Part part);
    void appendEscaped(QByteArrayView value, bool emptyIsFound, QByteArray &out) const;

    QList<Part> m_parts;
    Escape m_escape = Escape::Default;
};

} // namespace lbscope
