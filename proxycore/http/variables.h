#pragma once

// nginx variables in header values ("$host", "X-$remote_addr", "${arg_id}x"): a template is
// compiled once when the configuration loads and evaluated per request by appending to a
// reused buffer.

#include "http/messageparser.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace lbscope {

// What a variable can read while a request is in flight. Pointers stay owned by the
// connection; everything is valid for the duration of one evaluate() call.
struct RequestContext
{
    const char *base = nullptr; // the buffer the request head's spans point into
    const MessageParser *request = nullptr;
    QByteArrayView remoteAddr;
    QByteArrayView remotePort;
    QByteArrayView realipRemoteAddr; // the connection's peer, before realip
    QByteArrayView realipRemotePort;
    QByteArrayView serverAddr;
    QByteArrayView serverPort;
    QByteArrayView proxyHost;    // host[:port] of proxy_pass, or the upstream name
    QByteArrayView serverName;   // first server_name, for $host without a Host header
    QByteArrayView upstreamAddr; // "a, b" as far as known
    QByteArrayView upstreamStatus;
    QByteArrayView upstreamResponseTime;
};

class ValueTemplate
{
public:
    // Returns nullopt with *error set for an unknown variable or a bad "${" form.
    static std::optional<ValueTemplate> compile(const QString &text, QString *error);

    bool isEmpty() const { return m_parts.isEmpty(); }
    bool isConstant() const;
    void appendTo(const RequestContext &context, QByteArray &out) const;
    QByteArray evaluate(const RequestContext &context) const;

private:
    enum class Variable {
        Literal,
        Host,
        RemoteAddr,
        RemotePort,
        RealipRemoteAddr,
        RealipRemotePort,
        ServerAddr,
        ServerPort,
        ProxyAddXForwardedFor,
        ProxyHost,
        Scheme,
        RequestMethod,
        RequestUri,
        Uri,
        Args,
        IsArgs,
        Arg,  // $arg_NAME
        Http, // $http_NAME
        UpstreamAddr,
        UpstreamStatus,
        UpstreamResponseTime,
    };
    struct Part
    {
        Variable variable = Variable::Literal;
        QByteArray text; // the literal, or the NAME of $arg_NAME / $http_NAME
    };
    static std::optional<Part> variableNamed(QStringView name);
    static void appendVariable(const Part &part, const RequestContext &context, QByteArray &out);

    QList<Part> m_parts;
};

} // namespace lbscope
