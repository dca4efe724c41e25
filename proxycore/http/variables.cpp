#include "http/variables.h"

#include "http/headers.h"
#include "http/uri.h"

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

QByteArrayView requestTarget(const RequestContext &context)
{
    return context.request->target().in(context.base);
}

void appendHeaderValues(const RequestContext &context, QByteArrayView name, QByteArray &out)
{
    bool first = true;
    for (const HeaderSpan &header : context.request->headers()) {
        if (!headerMatchesVariable(header.name.in(context.base), name))
            continue;
        if (!first)
            out.append(", ");
        out.append(trimmed(header.value.in(context.base)));
        first = false;
    }
}

void appendHost(const RequestContext &context, QByteArray &out)
{
    const HeaderSpan *host = findHeader(*context.request, context.base, "host");
    appendHostName(out, host ? trimmed(host->value.in(context.base)) : context.serverName);
}

} // namespace

std::optional<ValueTemplate> ValueTemplate::compile(const QString &text, QString *error)
{
    ValueTemplate result;
    QString literal;
    auto flushLiteral = [&] {
        if (!literal.isEmpty())
            result.m_parts.append({Variable::Literal, literal.toUtf8()});
        literal.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != u'$' || i + 1 >= text.size()) {
            literal.append(text[i]);
            continue;
        }
        qsizetype start = i + 1;
        qsizetype end = start;
        const bool braced = text[start] == u'{';
        if (braced)
            end = ++start;
        while (end < text.size() && isNameChar(text[end]))
            ++end;
        if (braced && (end >= text.size() || text[end] != u'}')) {
            *error = u"the closing bracket in \"%1\" variable is missing"_s.arg(text.mid(start, end - start));
            return std::nullopt;
        }
        const QStringView name = QStringView(text).sliced(start, end - start);
        if (name.isEmpty()) {
            *error = u"invalid variable name in \"%1\""_s.arg(text);
            return std::nullopt;
        }
        auto part = variableNamed(name);
        if (!part) {
            *error = u"unknown \"%1\" variable"_s.arg(name);
            return std::nullopt;
        }
        flushLiteral();
        result.m_parts.append(*part);
        i = braced ? end : end - 1;
    }
    flushLiteral();
    return result;
}

std::optional<ValueTemplate::Part> ValueTemplate::variableNamed(QStringView name)
{
    static const QList<std::pair<QLatin1StringView, Variable>> fixed = {
        {"host"_L1, Variable::Host},
        {"remote_addr"_L1, Variable::RemoteAddr},
        {"remote_port"_L1, Variable::RemotePort},
        {"realip_remote_addr"_L1, Variable::RealipRemoteAddr},
        {"realip_remote_port"_L1, Variable::RealipRemotePort},
        {"server_addr"_L1, Variable::ServerAddr},
        {"server_port"_L1, Variable::ServerPort},
        {"proxy_add_x_forwarded_for"_L1, Variable::ProxyAddXForwardedFor},
        {"proxy_host"_L1, Variable::ProxyHost},
        {"scheme"_L1, Variable::Scheme},
        {"request_method"_L1, Variable::RequestMethod},
        {"request_uri"_L1, Variable::RequestUri},
        {"uri"_L1, Variable::Uri},
        {"document_uri"_L1, Variable::Uri},
        {"args"_L1, Variable::Args},
        {"query_string"_L1, Variable::Args},
        {"is_args"_L1, Variable::IsArgs},
        {"upstream_addr"_L1, Variable::UpstreamAddr},
        {"upstream_status"_L1, Variable::UpstreamStatus},
        {"upstream_response_time"_L1, Variable::UpstreamResponseTime},
    };
    // nginx looks variables up without regard to case, as log_format does (logformat.cpp).
    for (const auto &[known, variable] : fixed) {
        if (name.compare(known, Qt::CaseInsensitive) == 0)
            return Part{variable, {}};
    }
    if (name.startsWith("arg_"_L1, Qt::CaseInsensitive) && name.size() > 4)
        return Part{Variable::Arg, name.sliced(4).toLatin1()};
    if (name.startsWith("http_"_L1, Qt::CaseInsensitive) && name.size() > 5)
        return Part{Variable::Http, name.sliced(5).toLatin1().toLower()};
    return std::nullopt;
}

bool ValueTemplate::isConstant() const
{
    return std::all_of(m_parts.cbegin(), m_parts.cend(),
                       [](const Part &part) { return part.variable == Variable::Literal; });
}

void ValueTemplate::appendTo(const RequestContext &context, QByteArray &out) const
{
    for (const Part &part : m_parts)
        appendVariable(part, context, out);
}

QByteArray ValueTemplate::evaluate(const RequestContext &context) const
{
    QByteArray out;
    appendTo(context, out);
    return out;
}

void ValueTemplate::appendVariable(const Part &part, const RequestContext &context, QByteArray &out)
{
    switch (part.variable) {
    case Variable::Literal:
        out.append(part.text);
        break;
    case Variable::Host:
        appendHost(context, out);
        break;
    case Variable::RemoteAddr:
        out.append(context.remoteAddr);
        break;
    case Variable::RemotePort:
        out.append(context.remotePort);
        break;
    case Variable::RealipRemoteAddr:
        out.append(context.realipRemoteAddr);
        break;
    case Variable::RealipRemotePort:
        out.append(context.realipRemotePort);
        break;
    case Variable::ServerAddr:
        out.append(context.serverAddr);
        break;
    case Variable::ServerPort:
        out.append(context.serverPort);
        break;
    case Variable::ProxyAddXForwardedFor: {
        const auto before = out.size();
        appendHeaderValues(context, "x_forwarded_for", out);
        if (out.size() != before)
            out.append(", ");
        out.append(context.remoteAddr);
        break;
    }
    case Variable::ProxyHost:
        out.append(context.proxyHost);
        break;
    case Variable::Scheme:
        out.append("http");
        break;
    case Variable::RequestMethod:
        out.append(http_method_str(context.request->method()));
        break;
    case Variable::RequestUri:
        out.append(requestTarget(context));
        break;
    case Variable::Uri:
        out.append(QByteArray::fromPercentEncoding(pathOf(requestTarget(context)).toByteArray()));
        break;
    case Variable::Args:
        out.append(queryOf(requestTarget(context)));
        break;
    case Variable::IsArgs:
        if (requestTarget(context).contains('?'))
            out.append('?');
        break;
    case Variable::Arg:
        out.append(argumentOf(queryOf(requestTarget(context)), part.text));
        break;
    case Variable::Http:
        appendHeaderValues(context, part.text, out);
        break;
    case Variable::UpstreamAddr:
        out.append(context.upstreamAddr);
        break;
    case Variable::UpstreamStatus:
        out.append(context.upstreamStatus);
        break;
    case Variable::UpstreamResponseTime:
        out.append(context.upstreamResponseTime);
        break;
    }
}

} // namespace lbscope
