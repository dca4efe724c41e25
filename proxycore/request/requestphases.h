#pragma once

// A request's way through nginx's phases up to its content: the server's rewrites, the choice
// of a location (with client_max_body_size and the trailing-slash 301), the location's
// rewrites (back to find-location when they change the URI, at most ten times), realip and
// access; and error_page's internal redirects back into them. It decides and ClientConnection
// carries the decision out: reads the body and proxies, or writes the answer. One per
// connection, cleared for each request.

#include "http/headers.h"
#include "rewrite/rewritestate.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <optional>

namespace lbscope {

class ClientAddress;
class InputBuffer;
class MessageParser;
class RewriteScript;
struct CompiledHeader;
struct ErrorPage;
struct Listener;
struct ResolvedLocation;
struct RewriteOutcome;
struct Route;
struct VirtualServer;

// What the phases decided for the request.
struct PhaseVerdict
{
    enum class Action {
        Content,      // the location's content handler: proxy_pass
        Error,        // status, answered by an error_page or the built-in page (403, 404, return CODE)
        BodyTooLarge, // 413 from client_max_body_size, before the body is read
        Page,         // nginx's own page, never an error_page's (redirects, the URI-change limit's 500)
        Text,         // return CODE "text"
        Close,        // return 444: closed without an answer
    };
    // When the connection closes after the answer.
    enum class Close {
        IfBodyUnread,    // when the body can be neither used nor discarded
        Always,          // a request nginx will not read on from
        AsReplacedError, // an error_page's own answer: as the error it replaced would have
    };

    Action action = Action::Content;
    int status = 0;
    QByteArray text; // Text: the body; Page: the Location field's value, or empty for none
    Close close = Close::IfBodyUnread;
};

// How much of its keep-alive allowance the connection has used, for the location's limits.
struct ConnectionUse
{
    int requestsServed = 0;        // this request included
    QElapsedTimer connectionClock; // started at accept, for keepalive_time
};

class RequestPhases
{
public:
    // context: the request's variables as the connection sees them, this object's state included.
    RequestPhases(const MessageParser &request, const InputBuffer &input, ClientAddress &client,
                  const RequestContextSource &context);
    Q_DISABLE_COPY_MOVE(RequestPhases)

    // A new request, whose head checkRequestHead() accepted: its server, and the phases from
    // the server's rewrites on; 400 for a target that does not normalize (http/requesturi.h).
    PhaseVerdict start(const Listener &listener, const RequestFacts &facts, ConnectionUse use);
    // The error_page that takes status where the request now is, or null.
    const ErrorPage *errorPageFor(int status) const;
    // Follows page, which errorPageFor(status) gave: a redirect, or the phases again for the
    // page's URI or named location. bodyDiscarded: the body will not be read, so
    // client_max_body_size no longer applies.
    PhaseVerdict followErrorPage(const ErrorPage &page, int status, bool bodyDiscarded);
    void clear();

    const VirtualServer *server() const { return m_server; }
    const Route *route() const { return m_route; }
    // The location's settings, or the server's when no location takes the request.
    const ResolvedLocation &settings() const;
    const QList<CompiledHeader> &addHeaders() const;
    const RewriteState &rewrite() const { return m_rewrite; }
    // An error page's GET (HEAD for HEAD); empty: the client's method.
    QByteArrayView redirectMethod() const { return m_redirectMethod; }
    bool followingErrorPage() const { return m_errorPage != nullptr; }
    // The status the client gets for an upstream's answer: an error page's =code replaces it.
    int finalStatus(int upstreamStatus) const;
    // The location's keepalive_requests, keepalive_time and keepalive_timeout 0 (nginx's
    // ngx_http_update_location_config): false once any location the request passed says close.
    bool keepAliveAllowed() const { return m_keepAliveAllowed; }
    // How long the connection may stay idle after this request: its location's keepalive_timeout.
    qint64 keepaliveTimeoutMs() const { return m_keepaliveTimeoutMs; }

private:
    PhaseVerdict serverRewriteThenFindLocation(bool bodyDiscarded);
    PhaseVerdict findLocation(const Route *named, bool bodyDiscarded);
    PhaseVerdict access();
    std::optional<PhaseVerdict> runRewrite(const RewriteScript &script);
    PhaseVerdict answer(const RewriteOutcome &outcome) const;
    void updateLocationConfig();
    bool bodyTooLarge(bool bodyDiscarded) const;

    const MessageParser &m_request;
    const InputBuffer &m_input;
    ClientAddress &m_client;
    const RequestContextSource &m_context;

    const VirtualServer *m_server = nullptr;
    const Route *m_route = nullptr;
    RewriteState m_rewrite; // $uri, $args, captures and variables as the rewrite module left them
    ConnectionUse m_use;
    bool m_keepAliveAllowed = true;
    qint64 m_keepaliveTimeoutMs = 0;
    // error_page in progress: the page and the status that led to it.
    const ErrorPage *m_errorPage = nullptr;
    int m_errorStatus = 0;
    QByteArray m_redirectMethod;
};

} // namespace lbscope
