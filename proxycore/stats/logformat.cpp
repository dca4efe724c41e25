#include "stats/logformat.h"

#include "variables/variableevaluator.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr char hexDigits[] = "0123456789ABCDEF";

bool needsDefaultEscape(uchar c)
{
    return c < 0x20 || c == '"' || c == '\\' || c > 0x7e;
}

// Runs of bytes that need nothing are appended whole.
void appendDefaultEscaped(QByteArray &out, QByteArrayView value)
{
    qsizetype run = 0;
    for (qsizetype i = 0; i < value.size(); ++i) {
        const auto byte = static_cast<uchar>(value[i]);
        if (!needsDefaultEscape(byte))
            continue;
        out.append(value.sliced(run, i - run));
        const char escaped[] = {'\\', 'x', hexDigits[byte >> 4], hexDigits[byte & 0xf]};
        out.append(escaped, sizeof escaped);
        run = i + 1;
    }
    out.append(value.sliced(run));
}

// JSON string content: nginx leaves bytes from 0x7f up alone (UTF-8 passes through).
void appendJsonEscaped(QByteArray &out, QByteArrayView value)
{
    for (const char c : value) {
        const auto byte = static_cast<uchar>(c);
        if (byte >= 0x20) {
            if (c == '"' || c == '\\')
                out.append('\\');
            out.append(c);
            continue;
        }
        switch (c) {
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default:
            out.append("\\u00");
            out.append(hexDigits[byte >> 4]);
            out.append(hexDigits[byte & 0xf]);
        }
    }
}

} // namespace

QByteArray describeDecisions(const AccessRecord &record)
{
    QByteArray text;
    for (qsizetype i = 0; i < record.decisions.size(); ++i) {
        if (i > 0)
            text.append("; then ");
        text.append(record.decisions[i].describe());
    }
    return text;
}

RequestContext contextOf(const AccessRecord &record)
{
    RequestContext context;
    context.method = record.method;
    context.target = record.uri;
    context.versionMajor = record.versionMajor;
    context.versionMinor = record.versionMinor;
    context.requestHeaders = HeaderList::fromLines(record.requestHeaders);
    context.host = record.hostName;
    context.absoluteTarget = record.absoluteTarget;
    context.requestLength = record.requestLength;
    context.remoteAddr = record.clientAddress;
    context.remotePort = record.clientPort;
    context.realipRemoteAddr = record.peerAddress.isEmpty() ? record.clientAddress : record.peerAddress;
    context.realipRemotePort = record.peerAddress.isEmpty() ? record.clientPort : record.peerPort;
    context.serverAddr = record.serverAddress;
    context.serverPort = record.serverPort;
    context.connection = record.connection;
    context.connectionRequests = record.connectionRequests;
    context.serverName = record.firstServerName;
    context.upstreamAddr = record.upstreamAddr;
    context.upstreamStatus = record.upstreamStatus;
    context.upstreamConnectTime = record.upstreamConnectTime;
    context.upstreamHeaderTime = record.upstreamHeaderTime;
    context.upstreamResponseTime = record.upstreamResponseTime;
    context.upstreamBytesReceived = record.upstreamBytesReceived;
    context.upstreamBytesSent = record.upstreamBytesSent;
    context.upstreamHeaders = HeaderList::fromLines(record.upstreamHeaders);
    context.status = record.status;
    context.bytesSent = record.bytesSent;
    context.bodyBytesSent = std::max<qint64>(record.bodyBytesSent, 0);
    context.sentHeaders = HeaderList::fromLines(record.sentHeaders);
    context.keepAlive = false; // by the log phase nginx has let go of the request's keepalive flag
    context.requestTimeMs = record.requestTimeMs;
    context.timeMs = record.timeMs;
    if (record.rewritten) {
        context.rewrittenUri = &record.rewrittenUri;
        context.rewrittenArgs = &record.rewrittenArgs;
    }
    context.userVariables = &record.userVariables;
    return context;
}

std::optional<LogFormatter> LogFormatter::compile(const LogFormat &format, QString *error,
                                                  const QStringList *userVariables)
{
    std::optional<LogFormatTemplate> compiled =
        LogFormatTemplate::compile(format.escape, format.format, error, userVariables);
    if (!compiled)
        return std::nullopt;
    LogFormatter formatter;
    formatter.m_template = std::move(*compiled);
    return formatter;
}

const LogFormatter &LogFormatter::combined()
{
    static const LogFormatter formatter = [] {
        QString error;
        return *compile(combinedLogFormat(), &error);
    }();
    return formatter;
}

QByteArray LogFormatter::format(const AccessRecord &record) const
{
    QByteArray line;
    line.reserve(256);
    appendTo(record, line);
    return line;
}

void LogFormatter::appendTo(const AccessRecord &record, QByteArray &out) const
{
    const RequestContext context = contextOf(record);
    QByteArray value;
    for (const TemplatePart &part : m_template.parts()) {
        if (part.variable == Variable::Literal) {
            out.append(part.text);
        } else if (part.logModule) {
            appendVariable(part, context, out);
        } else if (part.variable == Variable::LbscopeDecision) {
            const QByteArray decisions = describeDecisions(record);
            appendEscaped(decisions, !decisions.isEmpty(), out);
        } else {
            value.truncate(0);
            const bool found = appendVariable(part, context, value);
            appendEscaped(value, found, out);
        }
    }
}

// A variable not found is "-" with the default escaping, nothing otherwise.
void LogFormatter::appendEscaped(QByteArrayView value, bool found, QByteArray &out) const
{
    switch (escape()) {
    case Escape::Default:
        if (!found)
            out.append('-');
        else
            appendDefaultEscaped(out, value);
        break;
    case Escape::Json:
        appendJsonEscaped(out, value);
        break;
    case Escape::None:
        out.append(value);
        break;
    }
}

} // namespace lbscope
