#include "request/requestphases.h"

#include "http/inputbuffer.h"
#include "http/messageparser.h"
#include "proxy/responseheadfilter.h"
#include "proxy/routing.h"
#include "realip/clientaddress.h"

namespace lbscope {

namespace {

constexpr int maxUriChanges = 10; // nginx's NGX_HTTP_MAX_URI_CHANGES

PhaseVerdict verdict(PhaseVerdict::Action action, int status = 0, QByteArray text = {},
                     PhaseVerdict::Close close = PhaseVerdict::Close::IfBodyUnread)
{
    return {action, status, std::move(text), close};
}

PhaseVerdict page(int status, QByteArray location = {}, PhaseVerdict::Close close = PhaseVerdict::Close::IfBodyUnread)
{
    return verdict(PhaseVerdict::Action::Page, status, std::move(location), close);
}

// "rewrite or internal redirection cycle while processing ..."
PhaseVerdict cycle(PhaseVerdict::Close close)
{
    return page(500, {}, close);
}

} // namespace

RequestPhases::RequestPhases(const MessageParser &request, const InputBuffer &input, ClientAddress &client,
                             const RequestContextSource &context)
    : m_request(request)
    , m_input(input)
    , m_client(client)
    , m_context(context)
{
}

PhaseVerdict RequestPhases::start(const Listener &listener, const RequestFacts &facts, ConnectionUse use)
{
    const char *base = m_input.base();
    if (!m_rewrite.start(m_request.target().in(base))) // a ".." above the root, a NUL, a broken %-escape
        return verdict(PhaseVerdict::Action::Error, 400, {}, PhaseVerdict::Close::Always);
    m_use = use;
    ServerNameMatch nameMatch;
    m_server = &listener.serverFor(facts.serverHost, &nameMatch);
    m_client.applyRealIp(m_server->realIp, m_request, base); // nginx's post-read phase
    // Until a location is found the server's limits hold: its own return is kept alive
    // whatever they say, as nginx does.
    m_keepaliveTimeoutMs = m_server->settings.keepaliveTimeoutMs;
    if (nameMatch.match) // a regex server_name's captures are variables in its server
        m_rewrite.keepCaptures(*nameMatch.match, facts.serverHost, captureVariables(*nameMatch.regex));
    return serverRewriteThenFindLocation(false);
}

const ErrorPage *RequestPhases::errorPageFor(int status) const
{
    if (!m_server || (m_errorPage && !settings().recursiveErrorPages))
        return nullptr;
    return (m_route ? m_route->errorPages : m_server->errorPages).find(status);
}

// The page's URI (as GET, without the body) or named location goes through the phases
// again, or the client is redirected to it.
PhaseVerdict RequestPhases::followErrorPage(const ErrorPage &page, int status, bool bodyDiscarded)
{
    constexpr PhaseVerdict::Close asError = PhaseVerdict::Close::AsReplacedError;
    m_errorPage = &page;
    m_errorStatus = status;
    if (page.target == ErrorPage::Target::Redirect)
        return lbscope::page(page.redirectStatus(), page.uri.evaluate(m_context.requestContext()), asError);
    // An internal redirect is a URI change as a rewrite's is: one limit for both, as nginx's.
    if (++m_rewrite.uriChanges > maxUriChanges)
        return cycle(asError);
    if (page.target == ErrorPage::Target::Named) {
        // The same method and URI, in the named location.
        const Route *named = m_server->namedLocation(page.name);
        if (!named)
            return lbscope::page(500, {}, asError); // nginx: "could not find named location"
        return findLocation(named, bodyDiscarded);
    }
    const QByteArray target = page.uri.evaluate(m_context.requestContext());
    m_redirectMethod = m_request.method() == RequestMethod::Head ? "HEAD" : "GET";
    // The page's URI goes through the phases again as a rewritten one does.
    QList<std::pair<QByteArray, QByteArray>> variables = std::move(m_rewrite.variables);
    const int changes = m_rewrite.uriChanges;
    m_rewrite.start(target);
    m_rewrite.variables = std::move(variables);
    m_rewrite.uriChanges = changes;
    m_rewrite.rewritten = true;
    // nginx restarts an internally redirected request at the server's rewrite phase.
    return serverRewriteThenFindLocation(bodyDiscarded);
}

void RequestPhases::clear()
{
    m_server = nullptr;
    m_route = nullptr;
    m_rewrite.clear();
    m_keepAliveAllowed = true;
    m_errorPage = nullptr;
    m_errorStatus = 0;
    m_redirectMethod.clear();
}

const ResolvedLocation &RequestPhases::settings() const
{
    return m_route ? m_route->settings : m_server->settings;
}

const QList<CompiledHeader> &RequestPhases::addHeaders() const
{
    static const QList<CompiledHeader> none;
    return m_route ? m_route->addHeaders : m_server ? m_server->addHeaders : none;
}

int RequestPhases::finalStatus(int upstreamStatus) const
{
    return m_errorPage ? m_errorPage->finalStatus(m_errorStatus, upstreamStatus) : upstreamStatus;
}

PhaseVerdict RequestPhases::serverRewriteThenFindLocation(bool bodyDiscarded)
{
    if (std::optional<PhaseVerdict> answered = runRewrite(m_server->rewrite))
        return *std::move(answered);
    return findLocation(nullptr, bodyDiscarded);
}

// nginx's find-location and rewrite phases: a location's rewrite that changes the URI sends
// the request to find its location again. A named location (error_page @name) is entered as
// it is, at its rewrite phase.
PhaseVerdict RequestPhases::findLocation(const Route *named, bool bodyDiscarded)
{
    for (;;) {
        const bool enteredByName = named != nullptr;
        bool autoRedirect = false;
        if (named) {
            m_route = std::exchange(named, nullptr);
        } else {
            const FoundLocation found = m_server->findLocation(m_rewrite.uri, &m_rewrite);
            m_route = found.route;
            autoRedirect = found.redirect;
        }
        m_rewrite.uriChanged = false;
        updateLocationConfig();
        // Before the location's rewrites and its trailing-slash redirect, as nginx's
        // find-config phase answers.
        if (!enteredByName && bodyTooLarge(bodyDiscarded))
            return verdict(PhaseVerdict::Action::BodyTooLarge, 413, {}, PhaseVerdict::Close::Always);
        if (autoRedirect)
            return page(301,
                        absoluteRedirect(m_context.requestContext(), autoRedirectTarget(*m_route, m_rewrite.args)));
        if (!m_route)
            break;
        if (std::optional<PhaseVerdict> answered = runRewrite(m_route->rewrite))
            return *std::move(answered);
        if (!m_rewrite.uriChanged)
            break;
        // One change per pass through a location's rewrites, however many rewrote it; the
        // server's own rewrites do not count (nginx's post-rewrite phase follows the location's).
        if (++m_rewrite.uriChanges > maxUriChanges)
            return cycle(PhaseVerdict::Close::IfBodyUnread);
    }
    return access();
}

// nginx's preaccess phase (the location's realip) and access phase, then the content handler:
// here only proxy_pass, so a location without it, or no location, is a 404.
PhaseVerdict RequestPhases::access()
{
    if (m_route)
        m_client.applyRealIp(m_route->realIp, m_request, m_input.base());
    if (!(m_route ? m_route->access : m_server->access).allows(m_client.address()))
        return verdict(PhaseVerdict::Action::Error, 403);
    if (!m_route || !m_route->proxies())
        return verdict(PhaseVerdict::Action::Error, 404);
    return verdict(PhaseVerdict::Action::Content);
}

// The rewrite module's directives; a verdict when they answered the request.
std::optional<PhaseVerdict> RequestPhases::runRewrite(const RewriteScript &script)
{
    if (script.isEmpty())
        return std::nullopt;
    const RewriteOutcome outcome = script.run(m_rewrite, m_context.requestContext());
    if (outcome.action != RewriteOutcome::Action::Respond)
        return std::nullopt;
    return answer(outcome);
}

// return, or a rewrite that redirects: nginx answers itself.
PhaseVerdict RequestPhases::answer(const RewriteOutcome &outcome) const
{
    if (outcome.status == 444)
        return verdict(PhaseVerdict::Action::Close, 444);
    if (outcome.redirect) {
        const QByteArray &location = outcome.text;
        return page(outcome.status,
                    location.startsWith('/') ? absoluteRedirect(m_context.requestContext(), location) : location);
    }
    if (outcome.text.isEmpty() && outcome.status >= 300)
        return verdict(PhaseVerdict::Action::Error, outcome.status); // the built-in page, or an error_page
    return verdict(PhaseVerdict::Action::Text, outcome.status, outcome.text);
}

// The location found (or the server's settings, when none is) decides whether the connection
// is kept after this request, and for how long it may then stay idle: nginx's
// ngx_http_update_location_config, on every pass through find-location.
void RequestPhases::updateLocationConfig()
{
    const ResolvedLocation &limits = settings();
    if (limits.keepaliveTimeoutMs == 0 || m_use.requestsServed >= limits.keepaliveRequests ||
        m_use.connectionClock.elapsed() > limits.keepaliveTimeMs) // keepalive_time
        m_keepAliveAllowed = false;
    m_keepaliveTimeoutMs = limits.keepaliveTimeoutMs;
}

// client_max_body_size against Content-Length.
bool RequestPhases::bodyTooLarge(bool bodyDiscarded) const
{
    const qint64 limit = settings().clientMaxBodySize;
    return !bodyDiscarded && limit > 0 && m_request.contentLength().value_or(0) > quint64(limit);
}

} // namespace lbscope
