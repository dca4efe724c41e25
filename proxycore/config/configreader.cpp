#include "configreader.h"

#include "access/cidr.h"
#include "ignoreddirectives.h"
#include "nginxvalues.h"
#include "servername.h"
#include "variables/logformattemplate.h"
#include "variables/valuetemplate.h"
#include "variables/variable.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <glob.h>
#include <limits>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr qint64 maxInt = std::numeric_limits<int>::max();

// A whole number from minimum up to the largest int, as nginx's counts are.
std::optional<int> parseCount(QStringView text, qint64 minimum = 0)
{
    const std::optional<qint64> number = nginx::parseNumber(text);
    if (!number || *number < minimum || *number > maxInt)
        return std::nullopt;
    return static_cast<int>(*number);
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

// ---------------------------------------------------------------------------------------------
// Tokenizer: nginx's lexical rules. Words end at whitespace, ';' or '{' (but "${" stays in a
// variable); quotes only open a token at its start; '#' only starts a comment at a token's start.

struct Token
{
    QString text;
    SourceLocation where;
};

enum class StatementEnd {
    Semicolon,
    BlockStart,
    BlockEnd,
    EndOfFile
};

// One directive as the tokenizer delimits it, or a lone "}" or the end of the file.
struct Statement
{
    QList<Token> args; // args[0] is the directive's name
    StatementEnd end = StatementEnd::EndOfFile;
    SourceLocation endWhere;

    const Token &name() const { return args.front(); }
};

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n';
}

class Tokenizer
{
public:
    Tokenizer(const QString &text, const QString &file)
        : m_text(text)
        , m_file(file)
    {
    }

    // The next statement; false on a lexical error, described by error().
    bool next(Statement *statement);
    const ConfigMessage &error() const { return m_error; }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return m_text[m_pos]; }
    QChar take();
    SourceLocation here() const { return {m_file, m_line, m_column}; }
    bool fail(const SourceLocation &where, const QString &text);
    bool finishStatement(Statement *statement);
    void skipComment();
    void takeEscaped(QString *out);
    Token readWord();
    bool readQuoted(Token *token);
    bool checkAfterQuote();

    QString m_text;
    QString m_file;
    qsizetype m_pos = 0;
    int m_line = 1;
    int m_column = 1;
    ConfigMessage m_error;
};

QChar Tokenizer::take()
{
    const QChar c = m_text[m_pos++];
    if (c == u'\n') {
        ++m_line;
        m_column = 1;
    } else {
        ++m_column;
    }
    return c;
}

bool Tokenizer::fail(const SourceLocation &where, const QString &text)
{
    m_error = ConfigMessage{ConfigMessage::Severity::Error, where, text};
    return false;
}

bool Tokenizer::next(Statement *statement)
{
    statement->args.clear();
    for (;;) {
        if (atEnd()) {
            statement->end = StatementEnd::EndOfFile;
            statement->endWhere = here();
            if (statement->args.isEmpty())
                return true;
            return fail(here(), u"unexpected end of file, expecting \";\" or \"}\""_s);
        }
        const QChar c = peek();
        if (isSpace(c)) {
            take();
        } else if (c == u'#') {
            skipComment();
        } else if (c == u';' || c == u'{' || c == u'}') {
            return finishStatement(statement);
        } else if (c == u'"' || c == u'\'') {
            Token token;
            if (!readQuoted(&token))
                return fail(here(), u"unexpected end of file, expecting \";\" or \"}\""_s);
            statement->args.append(token);
            if (!checkAfterQuote())
                return false;
        } else {
            statement->args.append(readWord());
        }
    }
}

bool Tokenizer::finishStatement(Statement *statement)
{
    const SourceLocation where = here();
    const QChar c = take();
    statement->endWhere = where;
    if (c == u'}') {
        statement->end = StatementEnd::BlockEnd;
        return statement->args.isEmpty() || fail(where, u"unexpected \"}\""_s);
    }
    if (statement->args.isEmpty())
        return fail(where, u"unexpected \"%1\""_s.arg(c));
    statement->end = c == u';' ? StatementEnd::Semicolon : StatementEnd::BlockStart;
    return true;
}

void Tokenizer::skipComment()
{
    while (!atEnd() && take() != u'\n') {
    }
}

// At a backslash: nginx unescapes \" \' \\ \t \r \n and keeps any other pair as written.
void Tokenizer::takeEscaped(QString *out)
{
    take();
    if (atEnd()) {
        *out += u'\\';
        return;
    }
    const QChar c = take();
    switch (c.unicode()) {
    case u'"':
    case u'\'':
    case u'\\':
        *out += c;
        break;
    case u't':
        *out += u'\t';
        break;
    case u'r':
        *out += u'\r';
        break;
    case u'n':
        *out += u'\n';
        break;
    default:
        *out += u'\\';
        *out += c;
    }
}

Token Tokenizer::readWord()
{
    Token token{QString(), here()};
    bool afterDollar = false;
    while (!atEnd()) {
        const QChar c = peek();
        if (c == u'{' && afterDollar) {
            token.text += take();
            afterDollar = false;
            continue;
        }
        if (isSpace(c) || c == u';' || c == u'{')
            break;
        afterDollar = c == u'$';
        if (c == u'\\')
            takeEscaped(&token.text);
        else
            token.text += take();
    }
    return token;
}

bool Tokenizer::readQuoted(Token *token)
{
    token->where = here();
    const QChar quote = take();
    while (!atEnd()) {
        const QChar c = peek();
        if (c == quote) {
            take();
            return true;
        }
        if (c == u'\\')
            takeEscaped(&token->text);
        else
            token->text += take();
    }
    return false;
}

// A closing quote must be followed by a separator (or ')', for nginx's "if (...)").
bool Tokenizer::checkAfterQuote()
{
    if (atEnd())
        return true;
    const QChar c = peek();
    if (isSpace(c) || c == u';' || c == u'{' || c == u')')
        return true;
    return fail(here(), u"unexpected \"%1\""_s.arg(c));
}

// ---------------------------------------------------------------------------------------------
// Parser: the directives of the subset, in the contexts nginx allows them.

enum Context : quint32 {
    MainContext = 1u << 0,
    HttpContext = 1u << 1,
    UpstreamContext = 1u << 2,
    ServerContext = 1u << 3,
    LocationContext = 1u << 4,
    IfContext = 1u << 5, // if (...) { } in a server or location
};

// upstream and server blocks may also stand at the top of a file: LB Scope's own small files do.
constexpr quint32 HttpLevel = MainContext | HttpContext;
constexpr quint32 ServerLevel = HttpLevel | ServerContext;
constexpr quint32 AnyLevel = ServerLevel | LocationContext;
constexpr quint32 RewriteLevel = ServerContext | LocationContext | IfContext;
constexpr quint32 EveryContext = AnyLevel | UpstreamContext | IfContext;

QString upstreamAddressError(nginx::AddressError error, const QString &address)
{
    switch (error) {
    case nginx::AddressError::NoHost:
        return u"no host in upstream %1"_s.arg(quoted(address));
    case nginx::AddressError::InvalidIpv6:
        return u"invalid IPv6 address in upstream %1"_s.arg(quoted(address));
    case nginx::AddressError::InvalidPort:
        return u"invalid port in upstream %1"_s.arg(quoted(address));
    default:
        return u"invalid host in upstream %1"_s.arg(quoted(address));
    }
}

QString listenAddressError(nginx::AddressError error, const QString &address, QLatin1StringView directive)
{
    const QString suffix = u" in %1 of the %2 directive"_s.arg(quoted(address), quoted(directive));
    switch (error) {
    case nginx::AddressError::NoHost:
        return "no host"_L1 + suffix;
    case nginx::AddressError::InvalidIpv6:
        return "invalid IPv6 address"_L1 + suffix;
    case nginx::AddressError::InvalidPort:
        return "invalid port"_L1 + suffix;
    default:
        return "invalid host"_L1 + suffix;
    }
}

bool isIpLiteral(const QString &host)
{
    return !QHostAddress(host).isNull();
}

// "http://photos/v2/" and "http://photos?x" have one, "http://photos" has none.
bool hasUriPart(const QString &url)
{
    const QStringView rest = QStringView(url).sliced(url.indexOf("://"_L1) + 3);
    return std::any_of(rest.cbegin(), rest.cend(), [](QChar c) { return c == u'/' || c == u'?'; });
}

// Listen parameters nginx knows and LB Scope does not apply: flags and name=value prefixes.
bool isIgnoredListenParameter(const QString &parameter)
{
    static const QLatin1StringView flags[] = {"bind"_L1,  "deferred"_L1, "reuseport"_L1,     "ssl"_L1,
                                              "http2"_L1, "spdy"_L1,     "proxy_protocol"_L1};
    static const QLatin1StringView prefixes[] = {"backlog="_L1,  "rcvbuf="_L1,       "sndbuf="_L1, "accept_filter="_L1,
                                                 "ipv6only="_L1, "so_keepalive="_L1, "setfib="_L1, "fastopen="_L1};
    return std::any_of(std::begin(flags), std::end(flags), [&](auto f) { return parameter == f; }) ||
           std::any_of(std::begin(prefixes), std::end(prefixes), [&](auto p) { return parameter.startsWith(p); });
}

// "name=N" with N >= minimum that fits an int.
std::optional<int> intParameter(const QString &parameter, QLatin1StringView name, int minimum)
{
    const std::optional<qint64> value = nginx::parseNumber(QStringView(parameter).mid(name.size()));
    if (!value || *value < minimum || *value > maxInt)
        return std::nullopt;
    return static_cast<int>(*value);
}

// The arguments from `from` on, separated by spaces, quoted for nginx or as they were read.
QString joinedArguments(const Statement &statement, qsizetype from, bool quote)
{
    QStringList words;
    for (qsizetype i = from; i < statement.args.size(); ++i) {
        const QString &word = statement.args[i].text;
        words.append(quote ? nginx::quoteArgument(word) : word);
    }
    return words.join(u' ');
}

// nginx's words for a file it cannot open: open() "PATH" failed (2: No such file or directory).
QString openFailure(const QString &path, const QFile &file)
{
    // open(2) again for the errno, which QFile does not give.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    const int error = errno;
    if (fd >= 0)
        ::close(fd);
    const QString why =
        fd < 0 ? u"%1: %2"_s.arg(error).arg(QString::fromLocal8Bit(std::strerror(error))) : file.errorString();
    return u"open() %1 failed (%2)"_s.arg(quoted(path), why);
}

// Where nginx looks for an included file named relatively: the directory of the main file.
QString configurationPrefix(const QString &file)
{
    const qsizetype slash = file.lastIndexOf(u'/');
    if (slash >= 0)
        return file.first(slash + 1);
    return QDir::currentPath() + u'/';
}

// The address:port a listen names as nginx's messages spell it: a bare port is 0.0.0.0:PORT
// there (LB Scope binds it on loopback: routing.cpp, listenAddress).
QString nginxListenKey(const ListenAddress &listen)
{
    return nginx::joinHostPort(listen.host.isEmpty() ? u"0.0.0.0"_s : listen.host, listen.port);
}

// A proxy_pass naming a host without a port: it must name an upstream block, checked at the end
// because the block may come later in the file.
struct UpstreamReference
{
    QString name;
    SourceLocation where;
};

class Parser
{
public:
    Parser(const QString &text, const QString &file, const ConfigReadOptions &options)
        : m_tokenizer(text, file)
        , m_file(file)
        , m_confPrefix(configurationPrefix(file))
        , m_options(options)
    {
    }

    ConfigReadResult run();

private:
    struct Directive;
    using Handler = bool (Parser::*)(const Statement &, const Directive &);

    struct Directive
    {
        QLatin1StringView name;
        quint32 contexts;
        int minArgs;
        int maxArgs; // -1: no limit
        bool block;
        Handler handler;
        std::optional<qint64> ProxySettings::*int64Field = nullptr;
        std::optional<int> ProxySettings::*intField = nullptr;
        std::optional<bool> ProxySettings::*flagField = nullptr;
        std::optional<QString> ProxySettings::*pathField = nullptr; // also a template's field
    };
    static const Directive s_directives[];

    // nginx sets no limit; deeper than this is no configuration anyone writes.
    static constexpr int MaxBlockDepth = 64;
    // nginx has no check for a file that includes itself: it fails when it runs out of open
    // files. Deeper than this is an include loop.
    static constexpr int MaxIncludeDepth = 32;

    // wholeFile: the main file or an included one, which ends at its end and not at a "}".
    bool parseBlock(Context context, bool wholeFile = false);
    bool skipBlock();
    bool skipStatements(int open, bool wholeFile);
    bool handleInclude(const Statement &statement, const Directive &);
    bool skippedInclude(const Statement &statement, int open);
    bool includeFiles(const Statement &statement, const std::function<bool()> &parse);
    bool checkNamesPerAddress();
    bool tooDeep(const Statement &statement);
    bool dispatch(Context context, const Statement &statement);
    bool checkShape(const Statement &statement, const Directive &directive);
    bool ignore(const Statement &statement, const QString &what, const QString &reason = QString(),
                const QString &effect = QString());
    bool fail(const SourceLocation &where, const QString &text);
    void warn(const SourceLocation &where, const QString &text, const QString &effect = QString());
    bool duplicate(const Statement &statement);
    bool firstTime(QSet<QString> *seen, const Statement &statement);
    bool invalidValue(const Statement &statement, const Token &value);
    bool invalidParameter(const Token &parameter);
    ProxySettings &settings();
    bool checkUpstreamReferences();

    bool parseCommandLine();
    bool handleWorkerProcesses(const Statement &statement, const Directive &);
    bool handlePid(const Statement &statement, const Directive &);
    bool handleErrorLog(const Statement &statement, const Directive &);
    bool parseErrorLogLevels(const Statement &statement, ErrorLogLevel *level);
    bool handleMainFlag(const Statement &statement, const Directive &);
    bool handleEvents(const Statement &statement, const Directive &);
    bool handleHttp(const Statement &statement, const Directive &);
    bool handleAccessLog(const Statement &statement, const Directive &);
    bool checkAccessLogParameters(const Statement &statement);
    bool handleLogFormat(const Statement &statement, const Directive &);
    bool handleMap(const Statement &statement, const Directive &);
    bool handleStatusListen(const Statement &statement, const Directive &);

    bool handleUpstream(const Statement &statement, const Directive &);
    bool checkUpstreamServers(const UpstreamConfig &upstream);
    bool handleUpstreamServer(const Statement &statement, const Directive &);
    bool parseUpstreamAddress(const Token &address, UpstreamServer *server);
    bool handleServerParameter(const Token &parameter, UpstreamServer *server);
    bool setBackup(const Token &parameter, UpstreamServer *server);
    bool handleUpstreamKeepalive(const Statement &statement, const Directive &);
    bool handleUpstreamKeepaliveRequests(const Statement &statement, const Directive &);
    bool handleUpstreamKeepaliveTimeout(const Statement &statement, const Directive &);
    bool setUpstreamTime(const Statement &statement, qint64 UpstreamConfig::*field);
    bool handleLeastConn(const Statement &statement, const Directive &);
    bool handleIpHash(const Statement &statement, const Directive &);
    bool handleHash(const Statement &statement, const Directive &);
    bool handleRandom(const Statement &statement, const Directive &);
    bool handleZone(const Statement &statement, const Directive &);
    void setMethod(const Statement &statement, BalancingMethod method);

    bool handleServer(const Statement &statement, const Directive &);
    bool handleListen(const Statement &statement, const Directive &);
    bool parseListenAddress(const Token &address, ListenAddress *listen, QLatin1StringView directive);
    bool handleListenParameter(const Token &parameter, ListenAddress *listen);
    bool checkListenUnique(const Token &address, const ListenAddress &listen);
    bool handleServerName(const Statement &statement, const Directive &);
    bool handleLocation(const Statement &statement, const Directive &);
    bool parseLocationHead(const Statement &statement, LocationConfig *location);
    bool handleProxyPass(const Statement &statement, const Directive &);
    bool checkProxyPassUrl(const Token &url, nginx::HostPort *hostPort);

    bool checkDeferredVariables();
    bool checkVariables(const Token &value);
    bool handleProxySetHeader(const Statement &statement, const Directive &);
    bool handleAddHeader(const Statement &statement, const Directive &);
    bool handleProxyHttpVersion(const Statement &statement, const Directive &);
    bool handleProxyNextUpstream(const Statement &statement, const Directive &);
    template <typename T, typename Parse>
    bool setOnce(const Statement &statement, std::optional<T> &field, Parse parse);
    bool handleTime(const Statement &statement, const Directive &directive);
    bool handleSize(const Statement &statement, const Directive &directive);
    bool handleOffset(const Statement &statement, const Directive &directive);
    bool handleNumber(const Statement &statement, const Directive &directive);
    bool handleFlag(const Statement &statement, const Directive &directive);
    bool handleTempPath(const Statement &statement, const Directive &directive);
    bool handleProxyBuffers(const Statement &statement, const Directive &);
    bool handleErrorPage(const Statement &statement, const Directive &);

    QList<RewriteStatement> &rewriteScript();
    bool handleReturn(const Statement &statement, const Directive &);
    bool handleRewrite(const Statement &statement, const Directive &);
    bool handleSet(const Statement &statement, const Directive &);
    bool handleBreak(const Statement &statement, const Directive &);
    bool handleIf(const Statement &statement, const Directive &);
    bool parseCondition(const Statement &statement, RewriteCondition *condition);
    bool checkRegex(const Token &token, const QString &pattern, bool caseless);
    bool handleKeepaliveTimeout(const Statement &statement, const Directive &);
    bool handleAccessRule(const Statement &statement, const Directive &);
    bool handleSetRealIpFrom(const Statement &statement, const Directive &);
    bool handleRealIpHeader(const Statement &statement, const Directive &);
    bool isNetwork(const Token &address);
    bool handleUpstreamKeepaliveTime(const Statement &statement, const Directive &);
    bool handleProxyRedirect(const Statement &statement, const Directive &);
    bool handleProxyHeaderName(const Statement &statement, const Directive &);
    bool handleTemplate(const Statement &statement, const Directive &directive);
    bool handleProxyIgnoreHeaders(const Statement &statement, const Directive &);

    Tokenizer m_tokenizer;
    bool m_commandLine = false; // reading -g's directives
    int m_depth = 0;            // blocks parseBlock is inside, the main context counting as one
    int m_includeDepth = 0;
    Context m_context = MainContext; // the context of the directive being dispatched
    QString m_file;
    QString m_confPrefix;             // nginx's conf_prefix: relative includes count from it
    QList<ConfigFileText> m_included; // for -T, each file once, in the order first read
    ConfigReadOptions m_options;
    ProxyConfig m_config;
    QList<ConfigMessage> m_warnings;
    std::optional<ConfigMessage> m_error;

    // The blocks being read; each is appended to m_config only once it is complete.
    UpstreamConfig *m_upstream = nullptr;
    ServerConfig *m_server = nullptr;
    LocationConfig *m_location = nullptr;
    QList<RewriteStatement> *m_ifBody = nullptr;        // inside if (...) { }
    QList<Token> m_variableChecks;                      // values with variables, checked at the end
    QList<std::pair<QString, Token>> m_logFormatChecks; // log_format strings and their escape=, likewise

    QSet<QString> m_mainSeen;     // worker_processes, pid, daemon, events, http: once per file
    QSet<QString> m_upstreamSeen; // keepalive*: once per upstream block
    bool m_balancerSet = false;   // a balancing directive (or keepalive) seen in this upstream
    QSet<QString> m_serverListens;
    QSet<QString> m_defaultServers;
    QList<UpstreamReference> m_upstreamReferences;
};

// clang-format off
const Parser::Directive Parser::s_directives[] = {
    {"worker_processes"_L1, MainContext, 1, 1, false, &Parser::handleWorkerProcesses},
    {"pid"_L1, MainContext, 1, 1, false, &Parser::handlePid},
    {"error_log"_L1, AnyLevel, 1, -1, false, &Parser::handleErrorLog},
    {"daemon"_L1, MainContext, 1, 1, false, &Parser::handleMainFlag},
    {"master_process"_L1, MainContext, 1, 1, false, &Parser::handleMainFlag},
    {"events"_L1, MainContext, 0, 0, true, &Parser::handleEvents},
    {"http"_L1, MainContext, 0, 0, true, &Parser::handleHttp},
    {"access_log"_L1, AnyLevel, 1, -1, false, &Parser::handleAccessLog},
    {"log_format"_L1, HttpLevel, 2, -1, false, &Parser::handleLogFormat},
    {"map"_L1, HttpLevel, 2, 2, true, &Parser::handleMap},
    {"lbscope_status"_L1, HttpLevel, 1, 1, false, &Parser::handleStatusListen},
    {"include"_L1, EveryContext, 1, 1, false, &Parser::handleInclude},

    {"upstream"_L1, HttpLevel, 1, 1, true, &Parser::handleUpstream},
    {"server"_L1, UpstreamContext, 1, -1, false, &Parser::handleUpstreamServer},
    {"keepalive"_L1, UpstreamContext, 1, 1, false, &Parser::handleUpstreamKeepalive},
    {"keepalive_requests"_L1, UpstreamContext, 1, 1, false, &Parser::handleUpstreamKeepaliveRequests},
    {"keepalive_timeout"_L1, UpstreamContext, 1, 1, false, &Parser::handleUpstreamKeepaliveTimeout},
    {"keepalive_time"_L1, UpstreamContext, 1, 1, false, &Parser::handleUpstreamKeepaliveTime},
    {"least_conn"_L1, UpstreamContext, 0, 0, false, &Parser::handleLeastConn},
    {"ip_hash"_L1, UpstreamContext, 0, 0, false, &Parser::handleIpHash},
    {"hash"_L1, UpstreamContext, 1, 2, false, &Parser::handleHash},
    {"random"_L1, UpstreamContext, 0, 2, false, &Parser::handleRandom},
    {"zone"_L1, UpstreamContext, 1, 2, false, &Parser::handleZone},

    {"server"_L1, HttpLevel, 0, 0, true, &Parser::handleServer},
    {"listen"_L1, ServerContext, 1, -1, false, &Parser::handleListen},
    {"server_name"_L1, ServerContext, 1, -1, false, &Parser::handleServerName},
    {"location"_L1, ServerContext | LocationContext, 1, 2, true, &Parser::handleLocation},
    {"proxy_pass"_L1, LocationContext, 1, 1, false, &Parser::handleProxyPass},

    {"proxy_set_header"_L1, AnyLevel, 2, 2, false, &Parser::handleProxySetHeader},
    {"add_header"_L1, AnyLevel, 2, 3, false, &Parser::handleAddHeader},
    {"proxy_http_version"_L1, AnyLevel, 1, 1, false, &Parser::handleProxyHttpVersion},
    {"proxy_next_upstream"_L1, AnyLevel, 1, -1, false, &Parser::handleProxyNextUpstream},
    {"proxy_next_upstream_tries"_L1, AnyLevel, 1, 1, false, &Parser::handleNumber,
     nullptr, &ProxySettings::proxyNextUpstreamTries},
    {"proxy_next_upstream_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime,
     &ProxySettings::proxyNextUpstreamTimeoutMs},
    {"proxy_connect_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime,
     &ProxySettings::proxyConnectTimeoutMs},
    {"proxy_send_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime, &ProxySettings::proxySendTimeoutMs},
    {"proxy_read_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime, &ProxySettings::proxyReadTimeoutMs},
    {"proxy_buffer_size"_L1, AnyLevel, 1, 1, false, &Parser::handleSize, &ProxySettings::proxyBufferSize},
    {"client_max_body_size"_L1, AnyLevel, 1, 1, false, &Parser::handleOffset,
     &ProxySettings::clientMaxBodySize},
    {"client_body_buffer_size"_L1, AnyLevel, 1, 1, false, &Parser::handleSize,
     &ProxySettings::clientBodyBufferSize},
    {"client_body_temp_path"_L1, AnyLevel, 1, 4, false, &Parser::handleTempPath, nullptr, nullptr, nullptr,
     &ProxySettings::clientBodyTempPath},
    {"proxy_request_buffering"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::proxyRequestBuffering},
    {"proxy_buffering"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::proxyBuffering},
    {"proxy_buffers"_L1, AnyLevel, 2, 2, false, &Parser::handleProxyBuffers},
    {"proxy_busy_buffers_size"_L1, AnyLevel, 1, 1, false, &Parser::handleSize, &ProxySettings::proxyBusyBuffersSize},
    {"proxy_max_temp_file_size"_L1, AnyLevel, 1, 1, false, &Parser::handleSize,
     &ProxySettings::proxyMaxTempFileSize},
    {"proxy_temp_file_write_size"_L1, AnyLevel, 1, 1, false, &Parser::handleSize,
     &ProxySettings::proxyTempFileWriteSize},
    {"proxy_temp_path"_L1, AnyLevel, 1, 4, false, &Parser::handleTempPath, nullptr, nullptr, nullptr,
     &ProxySettings::proxyTempPath},
    {"error_page"_L1, AnyLevel, 2, -1, false, &Parser::handleErrorPage},
    {"return"_L1, RewriteLevel, 1, 2, false, &Parser::handleReturn},
    {"rewrite"_L1, RewriteLevel, 2, 3, false, &Parser::handleRewrite},
    {"set"_L1, RewriteLevel, 2, 2, false, &Parser::handleSet},
    {"break"_L1, RewriteLevel, 0, 0, false, &Parser::handleBreak},
    {"if"_L1, ServerContext | LocationContext, 1, -1, true, &Parser::handleIf},
    {"proxy_intercept_errors"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::proxyInterceptErrors},
    {"recursive_error_pages"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::recursiveErrorPages},
    {"send_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime, &ProxySettings::sendTimeoutMs},
    {"client_header_timeout"_L1, ServerLevel, 1, 1, false, &Parser::handleTime,
     &ProxySettings::clientHeaderTimeoutMs},
    {"client_body_timeout"_L1, AnyLevel, 1, 1, false, &Parser::handleTime, &ProxySettings::clientBodyTimeoutMs},
    {"keepalive_timeout"_L1, AnyLevel, 1, 2, false, &Parser::handleKeepaliveTimeout},
    {"keepalive_requests"_L1, AnyLevel, 1, 1, false, &Parser::handleNumber, nullptr,
     &ProxySettings::keepaliveRequests},

    {"allow"_L1, AnyLevel, 1, 1, false, &Parser::handleAccessRule},
    {"deny"_L1, AnyLevel, 1, 1, false, &Parser::handleAccessRule},
    {"set_real_ip_from"_L1, AnyLevel, 1, 1, false, &Parser::handleSetRealIpFrom},
    {"real_ip_header"_L1, AnyLevel, 1, 1, false, &Parser::handleRealIpHeader},
    {"real_ip_recursive"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::realIpRecursive},
    {"keepalive_time"_L1, AnyLevel, 1, 1, false, &Parser::handleTime, &ProxySettings::keepaliveTimeMs},
    {"proxy_redirect"_L1, AnyLevel, 1, 2, false, &Parser::handleProxyRedirect},
    {"proxy_hide_header"_L1, AnyLevel, 1, 1, false, &Parser::handleProxyHeaderName},
    {"proxy_pass_header"_L1, AnyLevel, 1, 1, false, &Parser::handleProxyHeaderName},
    {"proxy_pass_request_headers"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::proxyPassRequestHeaders},
    {"proxy_pass_request_body"_L1, AnyLevel, 1, 1, false, &Parser::handleFlag, nullptr, nullptr,
     &ProxySettings::proxyPassRequestBody},
    {"proxy_set_body"_L1, AnyLevel, 1, 1, false, &Parser::handleTemplate, nullptr, nullptr, nullptr,
     &ProxySettings::proxySetBody},
    {"proxy_method"_L1, AnyLevel, 1, 1, false, &Parser::handleTemplate, nullptr, nullptr, nullptr,
     &ProxySettings::proxyMethod},
    {"proxy_ignore_headers"_L1, AnyLevel, 1, -1, false, &Parser::handleProxyIgnoreHeaders},
};
// clang-format on

ConfigReadResult Parser::run()
{
    m_config.sourceFile = m_file;
    m_config.prefix = m_options.prefix;
    const bool ok = parseCommandLine() && parseBlock(MainContext, true) && checkUpstreamReferences() &&
                    checkDeferredVariables() && checkNamesPerAddress();
    ConfigReadResult result;
    result.warnings = m_warnings;
    result.files = m_included;
    if (ok)
        result.config = std::move(m_config);
    else
        result.error = m_error;
    return result;
}

bool Parser::parseBlock(Context context, bool wholeFile)
{
    // Nested locations recurse through here: a bound, so no file can exhaust the stack.
    ++m_depth;
    const auto leave = qScopeGuard([this] { --m_depth; });
    for (;;) {
        Statement statement;
        if (!m_tokenizer.next(&statement)) {
            m_error = m_tokenizer.error();
            if (m_commandLine && m_error->text.startsWith("unexpected end of file"_L1))
                m_error->text = u"unexpected end of parameter, expecting \";\""_s;
            return false;
        }
        if (m_commandLine && statement.end == StatementEnd::BlockStart)
            return fail(statement.endWhere, u"block directives are not supported in -g option"_s);
        switch (statement.end) {
        case StatementEnd::EndOfFile:
            return wholeFile || fail(statement.endWhere, u"unexpected end of file, expecting \"}\""_s);
        case StatementEnd::BlockEnd:
            return !wholeFile || fail(statement.endWhere, u"unexpected \"}\""_s);
        case StatementEnd::BlockStart:
            if (m_depth - 1 >= MaxBlockDepth) // the blocks open around this one, the main context not one
                return tooDeep(statement);
            [[fallthrough]];
        default:
            if (!dispatch(context, statement))
                return false;
        }
    }
}

bool Parser::tooDeep(const Statement &statement)
{
    return fail(statement.endWhere, u"blocks nested more than %1 deep"_s.arg(MaxBlockDepth));
}

// The contents of a block outside the subset: read for well-formedness only.
bool Parser::skipBlock()
{
    return skipStatements(1, false);
}

// open: the skipped blocks open around here. A block ends when its "}" closes the last of
// them; an included file (wholeFile) at its end, with as many open as when it began. Its
// includes are read too: nginx reads them in every block, and -T shows them.
bool Parser::skipStatements(int open, bool wholeFile)
{
    // A loop, not recursion: how deep the skipped blocks go costs no stack.
    const int floor = wholeFile ? open : 0;
    for (;;) {
        Statement statement;
        if (!m_tokenizer.next(&statement)) {
            m_error = m_tokenizer.error();
            return false;
        }
        switch (statement.end) {
        case StatementEnd::EndOfFile:
            return (wholeFile && open == floor) ||
                   fail(statement.endWhere, u"unexpected end of file, expecting \"}\""_s);
        case StatementEnd::BlockEnd:
            if (open == floor)
                return fail(statement.endWhere, u"unexpected \"}\""_s);
            if (--open == 0)
                return true;
            break;
        case StatementEnd::BlockStart:
            if (statement.name().text == "include"_L1)
                return skippedInclude(statement, open);
            if (m_depth - 1 + open >= MaxBlockDepth)
                return tooDeep(statement);
            ++open;
            break;
        case StatementEnd::Semicolon:
            if (statement.name().text == "include"_L1 && !skippedInclude(statement, open))
                return false;
            break;
        }
    }
}

// --- include ----------------------------------------------------------------------------------

bool Parser::handleInclude(const Statement &statement, const Directive &)
{
    const Context context = m_context;
    return includeFiles(statement, [this, context] {
        // An included file's blocks count as if they were written in its place.
        --m_depth;
        const bool parsed = parseBlock(context, true);
        ++m_depth;
        return parsed;
    });
}

bool Parser::skippedInclude(const Statement &statement, int open)
{
    const auto directive = std::find_if(std::begin(s_directives), std::end(s_directives),
                                        [](const Directive &entry) { return entry.name == "include"_L1; });
    return checkShape(statement, *directive) &&
           includeFiles(statement, [this, open] { return skipStatements(open, true); });
}

// include FILE|MASK: each file read in the including file's place, a mask's matches in
// glob(3)'s sorted order (none is fine); a missing file fails at the include's line.
bool Parser::includeFiles(const Statement &statement, const std::function<bool()> &parse)
{
    const Token &name = statement.args[1];
    const QString path = QDir::isAbsolutePath(name.text) ? name.text : m_confPrefix + name.text;
    QStringList paths;
    if (std::none_of(path.cbegin(), path.cend(), [](QChar c) { return c == u'*' || c == u'?' || c == u'['; })) {
        paths.append(path);
    } else {
        glob_t matches{};
        const int status = ::glob(QFile::encodeName(path).constData(), 0, nullptr, &matches);
        const auto release = qScopeGuard([&] { ::globfree(&matches); });
        if (status != 0 && status != GLOB_NOMATCH)
            return fail(name.where, u"glob() %1 failed"_s.arg(quoted(path)));
        for (std::size_t i = 0; status == 0 && i < matches.gl_pathc; ++i)
            paths.append(QFile::decodeName(matches.gl_pathv[i]));
    }
    for (const QString &file : std::as_const(paths)) {
        if (m_includeDepth >= MaxIncludeDepth)
            return fail(name.where,
                        u"include of %1 nested more than %2 deep: does a file include itself?"_s.arg(quoted(file))
                            .arg(MaxIncludeDepth));
        QFile input(file);
        if (!input.open(QIODevice::ReadOnly))
            return fail(name.where, openFailure(file, input));
        const QByteArray text = input.readAll();
        const bool dumped =
            file == m_file || std::any_of(m_included.cbegin(), m_included.cend(),
                                          [&](const ConfigFileText &seen) { return seen.path == file; });
        if (!dumped)
            m_included.append(ConfigFileText{file, text});
        Tokenizer including = std::move(m_tokenizer);
        m_tokenizer = Tokenizer(QString::fromUtf8(text), file);
        ++m_includeDepth;
        const bool parsed = parse();
        --m_includeDepth;
        m_tokenizer = std::move(including);
        if (!parsed)
            return false;
    }
    return true;
}

bool Parser::dispatch(Context context, const Statement &statement)
{
    const QString &name = statement.name().text;
    bool known = false;
    for (const Directive &directive : s_directives) {
        if (directive.name != name)
            continue;
        known = true;
        if (directive.contexts & context) {
            m_context = context;
            return checkShape(statement, directive) && (this->*directive.handler)(statement, directive);
        }
    }
    if (known && context == IfContext) {
        // nginx takes most location directives inside if; LB Scope runs only the rewrite ones there.
        return ignore(statement, name, u"inside \"if\""_s, u"nginx would apply it when the condition holds"_s);
    }
    if (known)
        return fail(statement.name().where, u"%1 directive is not allowed here"_s.arg(quoted(name)));
    QStringList args;
    for (qsizetype i = 1; i < statement.args.size(); ++i)
        args.append(statement.args[i].text);
    return ignore(statement, name, {}, ignoredDirectiveEffect(name, args));
}

// nginx's order of checks: the terminator first, then the number of arguments.
bool Parser::checkShape(const Statement &statement, const Directive &directive)
{
    const Token &name = statement.name();
    const bool opensBlock = statement.end == StatementEnd::BlockStart;
    if (directive.block && !opensBlock)
        return fail(name.where, u"directive %1 has no opening \"{\""_s.arg(quoted(name.text)));
    if (!directive.block && opensBlock)
        return fail(name.where, u"directive %1 is not terminated by \";\""_s.arg(quoted(name.text)));
    const int count = static_cast<int>(statement.args.size()) - 1;
    if (count < directive.minArgs || (directive.maxArgs >= 0 && count > directive.maxArgs))
        return fail(name.where, u"invalid number of arguments in %1 directive"_s.arg(quoted(name.text)));
    return true;
}

bool Parser::ignore(const Statement &statement, const QString &what, const QString &reason, const QString &effect)
{
    QString text = u"ignoring "_s + quoted(what);
    if (!reason.isEmpty())
        text += " ("_L1 + reason + u')';
    warn(statement.name().where, text, effect);
    return statement.end != StatementEnd::BlockStart || skipBlock();
}

bool Parser::fail(const SourceLocation &where, const QString &text)
{
    if (!m_error)
        m_error = ConfigMessage{ConfigMessage::Severity::Error, where, text};
    return false;
}

// effect: what nginx would do that LB Scope does not; such a warning is marked so it stands out.
void Parser::warn(const SourceLocation &where, const QString &text, const QString &effect)
{
    if (effect.isEmpty()) {
        m_warnings.append(ConfigMessage{ConfigMessage::Severity::Warning, where, text});
        return;
    }
    m_warnings.append(ConfigMessage{ConfigMessage::Severity::Warning, where,
                                    text + u": "_s + effect + u", LB Scope does not"_s, true});
}

bool Parser::duplicate(const Statement &statement)
{
    return fail(statement.name().where, u"%1 directive is duplicate"_s.arg(quoted(statement.name().text)));
}

bool Parser::firstTime(QSet<QString> *seen, const Statement &statement)
{
    if (seen->contains(statement.name().text))
        return duplicate(statement);
    seen->insert(statement.name().text);
    return true;
}

bool Parser::invalidValue(const Statement &statement, const Token &value)
{
    return fail(value.where,
                u"invalid value %1 in %2 directive"_s.arg(quoted(value.text), quoted(statement.name().text)));
}

bool Parser::invalidParameter(const Token &parameter)
{
    return fail(parameter.where, u"invalid parameter %1"_s.arg(quoted(parameter.text)));
}

ProxySettings &Parser::settings()
{
    if (m_location)
        return m_location->settings;
    if (m_server)
        return m_server->settings;
    return m_config.settings;
}

bool Parser::checkUpstreamReferences()
{
    for (const UpstreamReference &reference : std::as_const(m_upstreamReferences)) {
        if (!m_config.findUpstream(reference.name))
            return fail(reference.where, u"host not found in upstream %1"_s.arg(quoted(reference.name)));
    }
    return true;
}

// --- main and http ----------------------------------------------------------------------------

// nginx -g: read before the file, in the main context, so the file's own copy of a directive
// given there is the duplicate.
bool Parser::parseCommandLine()
{
    if (m_options.globalDirectives.isEmpty())
        return true;
    Tokenizer file = m_tokenizer;
    m_tokenizer = Tokenizer(m_options.globalDirectives, CommandLineSource);
    m_commandLine = true;
    const bool ok = parseBlock(MainContext, true);
    m_commandLine = false;
    m_tokenizer = file;
    return ok;
}

bool Parser::handlePid(const Statement &statement, const Directive &)
{
    if (!firstTime(&m_mainSeen, statement))
        return false;
    m_config.pidFile = statement.args[1].text;
    return true;
}

// error_log FILE [LEVEL]: the main level's are LB Scope's own log; the levels are checked as
// nginx checks them wherever the directive stands.
bool Parser::handleErrorLog(const Statement &statement, const Directive &)
{
    ErrorLogDirective log;
    log.path = statement.args[1].text;
    log.source = statement.name().where;
    if (!parseErrorLogLevels(statement, &log.level))
        return false;
    const bool mainLevel = m_depth == 1 && !m_upstream && !m_server;
    if (log.path.startsWith("syslog:"_L1) || log.path.startsWith("memory:"_L1))
        return ignore(statement, joinedArguments(statement, 0, false), u"only files and stderr are supported"_s);
    if (!mainLevel) {
        return ignore(statement, joinedArguments(statement, 0, false), u"only the main level's error_log is written"_s);
    }
    m_config.errorLogs.append(std::move(log));
    return true;
}

bool Parser::parseErrorLogLevels(const Statement &statement, ErrorLogLevel *level)
{
    bool mainLevelSet = false;
    bool debugSet = false;
    for (qsizetype i = 2; i < statement.args.size(); ++i) {
        const Token &word = statement.args[i];
        const std::optional<ErrorLogLevel> parsed = parseErrorLogLevel(word.text);
        if (!parsed)
            return fail(word.where, u"invalid log level %1"_s.arg(quoted(word.text)));
        const bool debugMask = word.text.startsWith("debug_"_L1);
        // nginx: one of the eight levels, or debug masks alone.
        if (debugMask && mainLevelSet)
            return fail(word.where, u"invalid log level %1"_s.arg(quoted(word.text)));
        if (!debugMask && (mainLevelSet || debugSet))
            return fail(word.where, u"duplicate log level %1"_s.arg(quoted(word.text)));
        (debugMask ? debugSet : mainLevelSet) = true;
        *level = *parsed;
    }
    return true;
}

// daemon, master_process: checked as nginx checks them. LB Scope always runs in the foreground
// in one process; "daemon on" is said to be ignored, "off" is what it does anyway.
bool Parser::handleMainFlag(const Statement &statement, const Directive &)
{
    if (!firstTime(&m_mainSeen, statement))
        return false;
    const Token &value = statement.args[1];
    if (value.text != "on"_L1 && value.text != "off"_L1) {
        return fail(value.where, u"invalid value %1 in %2 directive, it must be \"on\" or \"off\""_s.arg(
                                     quoted(value.text), quoted(statement.name().text)));
    }
    if (statement.name().text == "daemon"_L1 && value.text == "on"_L1)
        warn(statement.name().where, u"ignoring \"daemon on\" (LB Scope stays in the foreground)"_s);
    return true;
}

bool Parser::handleWorkerProcesses(const Statement &statement, const Directive &)
{
    if (!firstTime(&m_mainSeen, statement))
        return false;
    const Token &value = statement.args[1];
    if (value.text == "auto"_L1) {
        m_config.workerProcesses = std::max(1, QThread::idealThreadCount());
        return true;
    }
    const std::optional<int> count = parseCount(value.text);
    if (!count)
        return invalidValue(statement, value);
    if (*count == 0)
        warn(value.where, u"using 1 worker for \"worker_processes 0\""_s);
    m_config.workerProcesses = std::max(1, *count);
    return true;
}

bool Parser::handleEvents(const Statement &statement, const Directive &)
{
    // Connection limits and event methods are nginx's business, not LB Scope's: skipped silently.
    return firstTime(&m_mainSeen, statement) && skipBlock();
}

bool Parser::handleHttp(const Statement &statement, const Directive &)
{
    return firstTime(&m_mainSeen, statement) && parseBlock(HttpContext);
}

bool Parser::handleAccessLog(const Statement &statement, const Directive &)
{
    AccessLogDirective log;
    log.source = statement.name().where;
    const Token &path = statement.args[1];
    if (path.text == "off"_L1) {
        if (statement.args.size() > 2)
            return invalidParameter(statement.args[2]);
        log.off = true;
    } else {
        // nginx looks the format up as it reads: it must be defined above.
        if (statement.args.size() > 2) {
            const Token &format = statement.args[2];
            if (!m_config.findLogFormat(format.text))
                return fail(format.where, u"unknown log format %1"_s.arg(quoted(format.text)));
            log.formatName = format.text;
        }
        if (!checkAccessLogParameters(statement))
            return false;
        log.path = path.text;
        const QString what = joinedArguments(statement, 0, false);
        if (path.text.startsWith("syslog:"_L1))
            return ignore(statement, what, u"syslog is not supported"_s);
        if (path.text.contains(u'$'))
            return ignore(statement, what, u"variables in log file names are not supported"_s);
    }
    std::optional<QList<AccessLogDirective>> &logs = settings().accessLogs;
    if (!logs)
        logs.emplace();
    logs->append(std::move(log));
    return true;
}

// buffer=, flush=, gzip and if= are checked as nginx checks them, then skipped: LB Scope
// writes each batch of lines at once and has no conditions.
bool Parser::checkAccessLogParameters(const Statement &statement)
{
    bool buffered = false;
    bool flushes = false;
    for (qsizetype i = 3; i < statement.args.size(); ++i) {
        const Token &parameter = statement.args[i];
        const QString &text = parameter.text;
        const QStringView value = QStringView(text).sliced(text.indexOf(u'=') + 1);
        if (text.startsWith("buffer="_L1)) {
            if (nginx::parseSize(value, nginx::SizeUnits::UpToMega).value_or(0) <= 0)
                return fail(parameter.where, u"invalid buffer size %1"_s.arg(quoted(value.toString())));
            buffered = true;
        } else if (text.startsWith("flush="_L1)) {
            if (nginx::parseTimeMs(value).value_or(0) <= 0)
                return fail(parameter.where, u"invalid flush time %1"_s.arg(quoted(value.toString())));
            flushes = true;
        } else if (text == "gzip"_L1 || text.startsWith("gzip="_L1)) {
            const qint64 level = text == "gzip"_L1 ? 1 : nginx::parseNumber(value).value_or(0);
            if (level < 1 || level > 9)
                return fail(parameter.where, u"invalid compression level %1"_s.arg(quoted(value.toString())));
            buffered = true;
        } else if (!text.startsWith("if="_L1)) {
            return invalidParameter(parameter);
        }
        warn(parameter.where, u"ignoring %1 in \"access_log\""_s.arg(quoted(text)));
    }
    if (flushes && !buffered) {
        return fail(statement.name().where,
                    u"no buffer is defined for access_log %1"_s.arg(quoted(statement.args[1].text)));
    }
    return true;
}

bool Parser::handleLogFormat(const Statement &statement, const Directive &)
{
    const Token &name = statement.args[1];
    // nginx compares names exactly here, but without regard to case in access_log.
    const bool taken = name.text == combinedLogFormat().name ||
                       std::any_of(m_config.logFormats.cbegin(), m_config.logFormats.cend(),
                                   [&](const LogFormat &format) { return format.name == name.text; });
    if (taken)
        return fail(name.where, u"duplicate \"log_format\" name %1"_s.arg(quoted(name.text)));
    LogFormat format;
    format.name = name.text;
    format.source = statement.name().where;
    qsizetype first = 2;
    QString error;
    if (statement.args.size() > 2 && statement.args[2].text.startsWith("escape="_L1)) {
        format.escape = statement.args[2].text.mid(7);
        if (!LogFormatTemplate::compile(format.escape, QString(), &error))
            return fail(statement.args[2].where, error);
        first = 3;
    }
    // Each string is compiled on its own, as nginx does: a variable cannot span two strings.
    // The check waits for the end of the file, where every `set` variable is known.
    for (qsizetype i = first; i < statement.args.size(); ++i) {
        const Token &part = statement.args[i];
        m_logFormatChecks.append({format.escape, part});
        format.format += part.text;
    }
    m_config.logFormats.append(std::move(format));
    return true;
}

// ConfigWriter defines LB Scope's own log variables with a map so that nginx accepts the
// formats using them; those maps are its own and are read back silently.
bool Parser::handleMap(const Statement &statement, const Directive &)
{
    const QString &variable = statement.args[2].text;
    if (variable.startsWith(u'$') && ownVariableNames().contains(variable.mid(1)))
        return skipBlock();
    return ignore(statement, statement.name().text);
}

bool Parser::handleStatusListen(const Statement &statement, const Directive &)
{
    if (m_config.statusListen)
        return duplicate(statement);
    ListenAddress listen;
    listen.source = statement.name().where;
    if (!parseListenAddress(statement.args[1], &listen, "lbscope_status"_L1))
        return false;
    m_config.statusListen = std::move(listen);
    return true;
}

// --- upstream ---------------------------------------------------------------------------------

bool Parser::handleUpstream(const Statement &statement, const Directive &)
{
    const Token &name = statement.args[1];
    if (m_config.findUpstream(name.text))
        return fail(name.where, u"duplicate upstream %1"_s.arg(quoted(name.text)));
    UpstreamConfig upstream;
    upstream.name = name.text;
    upstream.source = statement.name().where;
    m_upstream = &upstream;
    m_upstreamSeen.clear();
    m_balancerSet = false;
    const bool parsed = parseBlock(UpstreamContext);
    m_upstream = nullptr;
    if (!parsed || !checkUpstreamServers(upstream))
        return false;
    m_config.upstreams.append(std::move(upstream));
    return true;
}

bool Parser::checkUpstreamServers(const UpstreamConfig &upstream)
{
    if (upstream.servers.isEmpty())
        return fail(upstream.source, u"no servers are inside upstream"_s);
    const bool onlyBackups = std::all_of(upstream.servers.cbegin(), upstream.servers.cend(),
                                         [](const UpstreamServer &server) { return server.backup; });
    if (onlyBackups)
        return fail(upstream.source, u"no servers in upstream %1"_s.arg(quoted(upstream.name)));
    return true;
}

bool Parser::handleUpstreamServer(const Statement &statement, const Directive &)
{
    UpstreamServer server;
    server.source = statement.name().where;
    if (!parseUpstreamAddress(statement.args[1], &server))
        return false;
    for (qsizetype i = 2; i < statement.args.size(); ++i) {
        if (!handleServerParameter(statement.args[i], &server))
            return false;
    }
    m_upstream->servers.append(std::move(server));
    return true;
}

bool Parser::parseUpstreamAddress(const Token &address, UpstreamServer *server)
{
    nginx::AddressError error = nginx::AddressError::None;
    const std::optional<nginx::HostPort> hostPort = nginx::splitHostPort(address.text, &error);
    if (!hostPort)
        return fail(address.where, upstreamAddressError(error, address.text));
    if (hostPort->isUnix)
        return fail(address.where, u"unix domain sockets are not supported"_s);
    server->address = address.text;
    server->host = hostPort->host;
    server->port = hostPort->hasPort ? hostPort->port : 80;
    return true;
}

bool Parser::handleServerParameter(const Token &parameter, UpstreamServer *server)
{
    struct IntParameter
    {
        QLatin1StringView prefix;
        int minimum;
        int UpstreamServer::*field;
    };
    static const IntParameter intParameters[] = {
        {"weight="_L1, 1, &UpstreamServer::weight},
        {"max_fails="_L1, 0, &UpstreamServer::maxFails},
        {"max_conns="_L1, 0, &UpstreamServer::maxConns},
    };
    const QString &text = parameter.text;
    for (const IntParameter &candidate : intParameters) {
        if (!text.startsWith(candidate.prefix))
            continue;
        const std::optional<int> value = intParameter(text, candidate.prefix, candidate.minimum);
        if (!value)
            return invalidParameter(parameter);
        server->*candidate.field = *value;
        return true;
    }
    if (text.startsWith("fail_timeout="_L1)) {
        const std::optional<qint64> seconds = nginx::parseTimeSeconds(QStringView(text).mid(13));
        if (!seconds || *seconds > std::numeric_limits<qint64>::max() / 1000)
            return invalidParameter(parameter);
        server->failTimeoutMs = *seconds * 1000;
        return true;
    }
    if (text == "backup"_L1)
        return setBackup(parameter, server);
    if (text == "down"_L1) {
        server->down = true;
        return true;
    }
    return invalidParameter(parameter);
}

bool Parser::setBackup(const Token &parameter, UpstreamServer *server)
{
    // nginx checks this against the balancing directives written so far, not later ones.
    const BalancingMethod method = m_upstream->method;
    if (method == BalancingMethod::IpHash || method == BalancingMethod::Hash || method == BalancingMethod::Random)
        return fail(parameter.where, u"balancing method does not support parameter \"backup\""_s);
    server->backup = true;
    return true;
}

bool Parser::handleUpstreamKeepalive(const Statement &statement, const Directive &)
{
    if (!firstTime(&m_upstreamSeen, statement))
        return false;
    const Token &value = statement.args[1];
    const std::optional<int> count = parseCount(value.text, 1);
    if (!count)
        return invalidValue(statement, value);
    m_upstream->keepalive = *count;
    // In nginx 1.22 keepalive wraps the balancer: a balancing directive after it replaces both.
    m_balancerSet = true;
    return true;
}

bool Parser::handleUpstreamKeepaliveRequests(const Statement &statement, const Directive &)
{
    if (!firstTime(&m_upstreamSeen, statement))
        return false;
    const Token &value = statement.args[1];
    const std::optional<int> count = parseCount(value.text);
    if (!count)
        return invalidValue(statement, value);
    m_upstream->keepaliveRequests = *count;
    return true;
}

bool Parser::handleUpstreamKeepaliveTimeout(const Statement &statement, const Directive &)
{
    return setUpstreamTime(statement, &UpstreamConfig::keepaliveTimeoutMs);
}

// keepalive_timeout and keepalive_time in an upstream block: once per block, a time.
bool Parser::setUpstreamTime(const Statement &statement, qint64 UpstreamConfig::*field)
{
    if (!firstTime(&m_upstreamSeen, statement))
        return false;
    const Token &value = statement.args[1];
    const std::optional<qint64> ms = nginx::parseTimeMs(value.text);
    if (!ms)
        return invalidValue(statement, value);
    m_upstream->*field = *ms;
    return true;
}

void Parser::setMethod(const Statement &statement, BalancingMethod method)
{
    if (m_balancerSet)
        warn(statement.name().where, u"load balancing method redefined"_s);
    m_balancerSet = true;
    m_upstream->method = method;
    m_upstream->hashKey.clear();
    m_upstream->hashConsistent = false;
    m_upstream->randomTwo = false;
}

bool Parser::handleLeastConn(const Statement &statement, const Directive &)
{
    setMethod(statement, BalancingMethod::LeastConn);
    return true;
}

bool Parser::handleIpHash(const Statement &statement, const Directive &)
{
    setMethod(statement, BalancingMethod::IpHash);
    return true;
}

bool Parser::handleHash(const Statement &statement, const Directive &)
{
    const bool consistent = statement.args.size() == 3;
    if (consistent && statement.args[2].text != "consistent"_L1)
        return invalidParameter(statement.args[2]);
    if (!checkVariables(statement.args[1]))
        return false;
    setMethod(statement, BalancingMethod::Hash);
    m_upstream->hashKey = statement.args[1].text;
    m_upstream->hashConsistent = consistent;
    return true;
}

bool Parser::handleRandom(const Statement &statement, const Directive &)
{
    // "random two" picks with least_conn between the two, so "random two least_conn" is the same.
    const qsizetype count = statement.args.size();
    if (count >= 2 && statement.args[1].text != "two"_L1)
        return invalidParameter(statement.args[1]);
    if (count == 3 && statement.args[2].text != "least_conn"_L1)
        return invalidParameter(statement.args[2]);
    setMethod(statement, BalancingMethod::Random);
    m_upstream->randomTwo = count >= 2;
    return true;
}

bool Parser::handleZone(const Statement &statement, const Directive &)
{
    const QString &name = statement.args[1].text;
    QString size;
    if (statement.args.size() == 3) {
        const Token &sizeToken = statement.args[2];
        const std::optional<qint64> bytes = nginx::parseSize(sizeToken.text, nginx::SizeUnits::UpToMega);
        if (!bytes)
            return fail(sizeToken.where, u"invalid zone size %1"_s.arg(quoted(sizeToken.text)));
        // nginx needs eight pages for a zone's own bookkeeping.
        if (*bytes < 8 * 4096)
            return fail(sizeToken.where, u"zone %1 is too small"_s.arg(quoted(name)));
        size = sizeToken.text;
    }
    m_upstream->zoneName = name;
    m_upstream->zoneSize = size;
    return true;
}

// --- server and location ----------------------------------------------------------------------

bool Parser::handleServer(const Statement &statement, const Directive &)
{
    ServerConfig server;
    server.source = statement.name().where;
    m_server = &server;
    m_serverListens.clear();
    const bool parsed = parseBlock(ServerContext);
    m_server = nullptr;
    if (!parsed)
        return false;
    m_config.servers.append(std::move(server));
    return true;
}

bool Parser::handleListen(const Statement &statement, const Directive &)
{
    const Token &address = statement.args[1];
    ListenAddress listen;
    listen.source = statement.name().where;
    if (!parseListenAddress(address, &listen, "listen"_L1))
        return false;
    for (qsizetype i = 2; i < statement.args.size(); ++i) {
        if (!handleListenParameter(statement.args[i], &listen))
            return false;
    }
    if (!checkListenUnique(address, listen))
        return false;
    m_server->listens.append(std::move(listen));
    return true;
}

bool Parser::parseListenAddress(const Token &address, ListenAddress *listen, QLatin1StringView directive)
{
    nginx::AddressError error = nginx::AddressError::None;
    const std::optional<nginx::HostPort> hostPort = nginx::splitListenAddress(address.text, &error);
    if (!hostPort)
        return fail(address.where, listenAddressError(error, address.text, directive));
    if (hostPort->isUnix)
        return fail(address.where, u"unix domain sockets are not supported"_s);
    listen->text = address.text;
    listen->host = hostPort->host;
    listen->port = hostPort->port;
    return true;
}

bool Parser::handleListenParameter(const Token &parameter, ListenAddress *listen)
{
    if (parameter.text == "default_server"_L1 || parameter.text == "default"_L1) {
        listen->defaultServer = true;
        return true;
    }
    if (!isIgnoredListenParameter(parameter.text))
        return invalidParameter(parameter);
    warn(parameter.where, u"ignoring %1 in \"listen\""_s.arg(quoted(parameter.text)),
         ignoredListenParameterEffect(parameter.text));
    return true;
}

bool Parser::checkListenUnique(const Token &address, const ListenAddress &listen)
{
    // Only a key for finding duplicates, spelt as nginx's message spells it; nothing binds here.
    // A bare port binds loopback (routing.cpp, listenAddress).
    const QString key = nginx::joinHostPort(listen.host.isEmpty() ? u"127.0.0.1"_s : listen.host, listen.port);
    if (m_serverListens.contains(key))
        return fail(address.where, u"a duplicate listen "_s + key);
    m_serverListens.insert(key);
    if (!listen.defaultServer)
        return true;
    // One default per address:port as nginx counts them: a bare port and "*" are one.
    const QString nginxKey = nginxListenKey(listen);
    if (m_defaultServers.contains(nginxKey))
        return fail(address.where, u"a duplicate default server for "_s + nginxKey);
    m_defaultServers.insert(nginxKey);
    return true;
}

// nginx's checks of each name as it reads it; the ones that need every server of an
// address come at the end (checkNamesPerAddress).
bool Parser::handleServerName(const Statement &statement, const Directive &)
{
    for (qsizetype i = 1; i < statement.args.size(); ++i) {
        const Token &name = statement.args[i];
        const QString &text = name.text;
        const QChar first = text.isEmpty() ? QChar() : text.front();
        if ((first == u'*' && (text.size() < 3 || text[1] != u'.')) || (first == u'.' && text.size() < 2))
            return fail(name.where, u"server name %1 is invalid"_s.arg(quoted(text)));
        if (text.contains(u'/'))
            warn(name.where, u"server name %1 has suspicious symbols"_s.arg(quoted(text)));
        if (first == u'~') {
            if (text.size() == 1)
                return fail(name.where, u"empty regex in server name %1"_s.arg(quoted(text)));
            if (!checkRegex(name, text.mid(1), true))
                return false;
        }
        m_server->serverNames.append(text);
    }
    return true;
}

// Where two or more servers share an address:port, nginx puts their names in one table:
// a name it cannot store fails the file, one an earlier server (or name) took is ignored
// with a warning. Neither message names a file or line.
bool Parser::checkNamesPerAddress()
{
    QList<std::pair<QString, QList<const ServerConfig *>>> addresses;
    for (const ServerConfig &server : std::as_const(m_config.servers)) {
        QStringList keys;
        for (const ListenAddress &listen : server.listens)
            keys.append(nginxListenKey(listen));
        if (keys.isEmpty())
            keys.append(u"0.0.0.0:80"_s); // nginx's default listen
        for (const QString &key : std::as_const(keys)) {
            auto at =
                std::find_if(addresses.begin(), addresses.end(), [&](const auto &entry) { return entry.first == key; });
            if (at == addresses.end())
                at = addresses.insert(addresses.end(), {key, {}});
            if (!at->second.contains(&server))
                at->second.append(&server);
        }
    }
    for (const auto &[key, servers] : std::as_const(addresses)) {
        if (servers.size() < 2)
            continue;
        QSet<QString> taken; // "=name", "*name" (leading), "name*" (trailing)
        for (const ServerConfig *server : servers) {
            const QStringList names = server->serverNames.isEmpty() ? QStringList{QString()} : server->serverNames;
            for (const QString &written : names) {
                if (written.startsWith(u'~'))
                    continue;
                if (!ServerName::isValidHashKey(written))
                    return fail({}, u"invalid server name or wildcard %1 on %2"_s.arg(quoted(written), key));
                const ServerName name = ServerName::parse(written);
                QStringList hashKeys;
                if (name.kind == ServerName::Kind::Exact || name.kind == ServerName::Kind::DotWildcard)
                    hashKeys.append(u'=' + name.key);
                if (name.kind == ServerName::Kind::LeadingWildcard || name.kind == ServerName::Kind::DotWildcard)
                    hashKeys.append(u'*' + name.key);
                if (name.kind == ServerName::Kind::TrailingWildcard)
                    hashKeys.append(name.key + u'*');
                if (std::any_of(hashKeys.cbegin(), hashKeys.cend(),
                                [&](const QString &hashKey) { return taken.contains(hashKey); })) {
                    warn({}, u"conflicting server name %1 on %2, ignored"_s.arg(quoted(written.toLower()), key));
                    continue;
                }
                for (const QString &hashKey : std::as_const(hashKeys))
                    taken.insert(hashKey);
            }
        }
    }
    return true;
}

// location [ = | ^~ | ~ | ~* ] URI { }, location @NAME { }, nested in a server or a location,
// with nginx's checks (ngx_http_core_location) in its order.
bool Parser::handleLocation(const Statement &statement, const Directive &)
{
    LocationConfig location;
    location.source = statement.name().where;
    const Token &uri = statement.args.last();
    if (!parseLocationHead(statement, &location))
        return false;
    if (location.isRegex() && !checkRegex(uri, location.prefix, location.match == LocationMatch::RegexCaseless))
        return false;
    if (LocationConfig *parent = m_location) {
        if (parent->match == LocationMatch::Exact)
            return fail(uri.where, u"location %1 cannot be inside the exact location %2"_s.arg(quoted(location.prefix),
                                                                                               quoted(parent->prefix)));
        if (parent->match == LocationMatch::Named)
            return fail(uri.where, u"location %1 cannot be inside the named location %2"_s.arg(quoted(location.prefix),
                                                                                               quoted(parent->prefix)));
        if (location.match == LocationMatch::Named)
            return fail(uri.where, u"named location %1 can be on the server level only"_s.arg(quoted(location.prefix)));
        if (!location.isRegex() && !location.prefix.startsWith(parent->prefix))
            return fail(uri.where,
                        u"location %1 is outside location %2"_s.arg(quoted(location.prefix), quoted(parent->prefix)));
    }
    QList<LocationConfig> &siblings = m_location ? m_location->locations : m_server->locations;
    // nginx keeps one exact and one prefix location per URI; "^~" and a plain prefix are both prefixes.
    const bool exists =
        location.isStatic() && std::any_of(siblings.cbegin(), siblings.cend(), [&](const LocationConfig &other) {
            return other.isStatic() && other.prefix == location.prefix &&
                   (other.match == LocationMatch::Exact) == (location.match == LocationMatch::Exact);
        });
    if (exists)
        return fail(uri.where, u"duplicate location %1"_s.arg(quoted(location.prefix)));

    LocationConfig *parent = m_location;
    m_location = &location;
    const bool parsed = parseBlock(LocationContext);
    m_location = parent;
    if (!parsed)
        return false;
    siblings.append(std::move(location));
    return true;
}

// The modifier, as its own argument or stuck to the URI ("=/a", "~*\.jpg$"), as nginx reads it.
bool Parser::parseLocationHead(const Statement &statement, LocationConfig *location)
{
    QString uri = statement.args.last().text;
    if (statement.args.size() == 3) {
        const Token &modifier = statement.args[1];
        if (modifier.text == u'=')
            location->match = LocationMatch::Exact;
        else if (modifier.text == "^~"_L1)
            location->match = LocationMatch::PrefixNoRegex;
        else if (modifier.text == u'~')
            location->match = LocationMatch::Regex;
        else if (modifier.text == "~*"_L1)
            location->match = LocationMatch::RegexCaseless;
        else
            return fail(modifier.where, u"invalid location modifier %1"_s.arg(quoted(modifier.text)));
    } else if (uri.startsWith(u'=')) {
        location->match = LocationMatch::Exact;
        uri.remove(0, 1);
    } else if (uri.startsWith("^~"_L1)) {
        location->match = LocationMatch::PrefixNoRegex;
        uri.remove(0, 2);
    } else if (uri.startsWith("~*"_L1)) {
        location->match = LocationMatch::RegexCaseless;
        uri.remove(0, 2);
    } else if (uri.startsWith(u'~')) {
        location->match = LocationMatch::Regex;
        uri.remove(0, 1);
    } else if (uri.startsWith(u'@')) {
        location->match = LocationMatch::Named;
    }
    location->prefix = uri;
    return true;
}

bool Parser::handleProxyPass(const Statement &statement, const Directive &)
{
    if (!m_location->proxyPass.isEmpty())
        return duplicate(statement);
    const Token &url = statement.args[1];
    if (url.text.contains(u'$')) {
        // Evaluated per request (routing.cpp compiles it): an upstream name or an address.
        if (url.text.startsWith("https://"_L1, Qt::CaseInsensitive))
            return fail(url.where, u"https is not supported"_s);
        m_location->proxyPass = url.text;
        return true;
    }
    nginx::HostPort hostPort;
    if (!checkProxyPassUrl(url, &hostPort))
        return false;
    // Such a location has no prefix for the URI part to replace.
    if ((m_location->isRegex() || m_location->match == LocationMatch::Named) && hasUriPart(url.text))
        return fail(statement.name().where,
                    u"\"proxy_pass\" cannot have URI part in location given by regular expression, or inside named "
                    u"location, or inside \"if\" statement, or inside \"limit_except\" block"_s);
    m_location->proxyPass = url.text;
    // A bare name is an upstream block; an address or a host with a port is an implicit upstream.
    const bool implicit = hostPort.hasPort || isIpLiteral(hostPort.host) ||
                          hostPort.host.compare("localhost"_L1, Qt::CaseInsensitive) == 0;
    if (!implicit)
        m_upstreamReferences.append({hostPort.host, url.where});
    return true;
}

bool Parser::checkProxyPassUrl(const Token &url, nginx::HostPort *hostPort)
{
    const QString &text = url.text;
    if (text.startsWith("https://"_L1, Qt::CaseInsensitive))
        return fail(url.where, u"https is not supported"_s);
    if (!text.startsWith("http://"_L1, Qt::CaseInsensitive))
        return fail(url.where, u"invalid URL prefix"_s);
    QString rest = text.mid(7);
    if (rest.startsWith("unix:"_L1, Qt::CaseInsensitive))
        return fail(url.where, u"unix domain sockets are not supported"_s);
    // The URI part ("/", "/v2/", "?x") replaces the location's prefix (proxy/upstreamuri.cpp).
    const auto uriStart = std::find_if(rest.cbegin(), rest.cend(), [](QChar c) { return c == u'/' || c == u'?'; });
    rest.truncate(uriStart - rest.cbegin());
    nginx::AddressError error = nginx::AddressError::None;
    const std::optional<nginx::HostPort> split = nginx::splitHostPort(rest, &error);
    if (!split)
        return fail(url.where, upstreamAddressError(error, rest));
    *hostPort = *split;
    return true;
}

// --- settings inherited from http to server to location ---------------------------------------

// A value with variables is checked as nginx checks it when it loads: an unknown variable
// or a malformed one fails the file.
// The check waits for the end of the file: a `set` further down makes its variable known.
bool Parser::checkVariables(const Token &value)
{
    m_variableChecks.append(value);
    return true;
}

bool Parser::checkDeferredVariables()
{
    const QStringList userVariables = userVariableNames(m_config);
    for (const Token &value : std::as_const(m_variableChecks)) {
        QString error;
        if (!ValueTemplate::compile(value.text, &error, &userVariables))
            return fail(value.where, error);
    }
    for (const auto &[escape, part] : std::as_const(m_logFormatChecks)) {
        QString error;
        if (!LogFormatTemplate::compile(escape, part.text, &error, &userVariables))
            return fail(part.where, error);
    }
    return true;
}

bool Parser::handleProxySetHeader(const Statement &statement, const Directive &)
{
    if (!checkVariables(statement.args[2]))
        return false;
    std::optional<QList<HeaderDirective>> &headers = settings().proxySetHeaders;
    if (!headers)
        headers.emplace();
    headers->append(
        HeaderDirective{statement.args[1].text.toUtf8(), statement.args[2].text, false, statement.name().where});
    return true;
}

bool Parser::handleAddHeader(const Statement &statement, const Directive &)
{
    const bool always = statement.args.size() == 4;
    if (always && statement.args[3].text != "always"_L1)
        return invalidParameter(statement.args[3]);
    if (!checkVariables(statement.args[2]))
        return false;
    std::optional<QList<HeaderDirective>> &headers = settings().addHeaders;
    if (!headers)
        headers.emplace();
    headers->append(
        HeaderDirective{statement.args[1].text.toUtf8(), statement.args[2].text, always, statement.name().where});
    return true;
}

bool Parser::handleProxyHttpVersion(const Statement &statement, const Directive &)
{
    std::optional<int> &minor = settings().proxyHttpVersionMinor;
    if (minor)
        return duplicate(statement);
    const Token &value = statement.args[1];
    if (value.text == "1.0"_L1)
        minor = 0;
    else if (value.text == "1.1"_L1)
        minor = 1;
    else
        return invalidValue(statement, value);
    return true;
}

bool Parser::handleProxyNextUpstream(const Statement &statement, const Directive &)
{
    // Repeated directives add up, as nginx's bitmask settings do.
    std::optional<quint32> &field = settings().proxyNextUpstream;
    quint32 flags = field.value_or(0);
    for (qsizetype i = 1; i < statement.args.size(); ++i) {
        const Token &word = statement.args[i];
        const std::optional<quint32> flag = nginx::parseNextUpstreamCondition(word.text);
        if (!flag)
            return invalidValue(statement, word);
        if (flags & *flag)
            warn(word.where, u"duplicate value %1"_s.arg(quoted(word.text)));
        flags |= *flag;
    }
    field = flags;
    return true;
}

// A single-valued setting: refused when set twice at one level or when parse() rejects it.
template <typename T, typename Parse>
bool Parser::setOnce(const Statement &statement, std::optional<T> &field, Parse parse)
{
    if (field)
        return duplicate(statement);
    const auto value = parse(statement.args[1].text);
    if (!value)
        return invalidValue(statement, statement.args[1]);
    field = static_cast<T>(*value);
    return true;
}

bool Parser::handleTime(const Statement &statement, const Directive &directive)
{
    return setOnce(statement, settings().*directive.int64Field,
                   [](const QString &text) { return nginx::parseTimeMs(text); });
}

bool Parser::handleSize(const Statement &statement, const Directive &directive)
{
    return setOnce(statement, settings().*directive.int64Field,
                   [](const QString &text) { return nginx::parseSize(text, nginx::SizeUnits::UpToMega); });
}

bool Parser::handleOffset(const Statement &statement, const Directive &directive)
{
    return setOnce(statement, settings().*directive.int64Field,
                   [](const QString &text) { return nginx::parseSize(text, nginx::SizeUnits::UpToGiga); });
}

bool Parser::handleNumber(const Statement &statement, const Directive &directive)
{
    return setOnce(statement, settings().*directive.intField, [](const QString &text) { return parseCount(text); });
}

bool Parser::handleFlag(const Statement &statement, const Directive &directive)
{
    std::optional<bool> &field = settings().*directive.flagField;
    if (field)
        return duplicate(statement);
    const Token &value = statement.args[1];
    // nginx's flag slot compares without regard to case.
    if (value.text.compare("on"_L1, Qt::CaseInsensitive) == 0) {
        field = true;
    } else if (value.text.compare("off"_L1, Qt::CaseInsensitive) == 0) {
        field = false;
    } else {
        return fail(value.where, u"invalid value %1 in %2 directive, it must be \"on\" or \"off\""_s.arg(
                                     quoted(value.text), quoted(statement.name().text)));
    }
    return true;
}

// client_body_temp_path and proxy_temp_path: PATH [LEVEL1 [LEVEL2 [LEVEL3]]]. The levels only
// spread nginx's files over subfolders; LB Scope keeps one file per body for as long as the
// request, so it takes the path alone.
bool Parser::handleTempPath(const Statement &statement, const Directive &directive)
{
    for (qsizetype i = 2; i < statement.args.size(); ++i) {
        const std::optional<int> level = parseCount(statement.args[i].text);
        if (!level || *level < 1 || *level > 2)
            return invalidValue(statement, statement.args[i]);
    }
    return setOnce(statement, settings().*directive.pathField,
                   [](const QString &text) { return std::optional<QString>(text); });
}

// ---- the rewrite module ----------------------------------------------------------------------

QList<RewriteStatement> &Parser::rewriteScript()
{
    if (m_ifBody)
        return *m_ifBody;
    return m_location ? m_location->rewrites : m_server->rewrites;
}

// return CODE [TEXT|URL] | return URL
bool Parser::handleReturn(const Statement &statement, const Directive &)
{
    RewriteStatement step;
    step.kind = RewriteStatement::Kind::Return;
    step.source = statement.name().where;
    const Token &first = statement.args[1];
    if (const std::optional<int> code = parseCount(first.text); code && *code <= 999) {
        step.code = *code;
        if (statement.args.size() == 3)
            step.text = statement.args[2].text;
    } else if (statement.args.size() == 2 && nginx::isRedirectUrl(first.text)) {
        step.code = 302;
        step.text = first.text;
    } else {
        return fail(first.where, u"invalid return code %1"_s.arg(quoted(first.text)));
    }
    rewriteScript().append(std::move(step));
    return true;
}

bool Parser::checkRegex(const Token &token, const QString &pattern, bool caseless)
{
    const QRegularExpression regex(pattern, caseless ? QRegularExpression::CaseInsensitiveOption
                                                     : QRegularExpression::NoPatternOption);
    if (regex.isValid())
        return true;
    return fail(token.where, u"pcre2_compile() failed: %1 in %2"_s.arg(regex.errorString(), quoted(pattern)));
}

// rewrite REGEX REPLACEMENT [last|break|redirect|permanent]
bool Parser::handleRewrite(const Statement &statement, const Directive &)
{
    RewriteStatement step;
    step.kind = RewriteStatement::Kind::Rewrite;
    step.source = statement.name().where;
    step.pattern = statement.args[1].text;
    step.text = statement.args[2].text;
    if (!checkRegex(statement.args[1], step.pattern, false))
        return false;
    if (statement.args.size() == 4) {
        static const QList<std::pair<QLatin1StringView, RewriteStatement::Flag>> flags = {
            {"last"_L1, RewriteStatement::Flag::Last},
            {"break"_L1, RewriteStatement::Flag::Break},
            {"redirect"_L1, RewriteStatement::Flag::Redirect},
            {"permanent"_L1, RewriteStatement::Flag::Permanent},
        };
        const Token &flag = statement.args[3];
        const auto found =
            std::find_if(flags.cbegin(), flags.cend(), [&](const auto &entry) { return entry.first == flag.text; });
        if (found == flags.cend())
            return invalidParameter(flag);
        step.flag = found->second;
    }
    rewriteScript().append(std::move(step));
    return true;
}

// set $NAME VALUE
bool Parser::handleSet(const Statement &statement, const Directive &)
{
    const Token &name = statement.args[1];
    if (!name.text.startsWith(u'$') || name.text.size() < 2)
        return fail(name.where, u"invalid variable name %1"_s.arg(quoted(name.text)));
    RewriteStatement step;
    step.kind = RewriteStatement::Kind::Set;
    step.source = statement.name().where;
    step.variable = name.text.mid(1).toLower();
    step.text = statement.args[2].text;
    rewriteScript().append(std::move(step));
    return true;
}

bool Parser::handleBreak(const Statement &statement, const Directive &)
{
    RewriteStatement step;
    step.kind = RewriteStatement::Kind::Break;
    step.source = statement.name().where;
    rewriteScript().append(std::move(step));
    return true;
}

// The words between "(" and ")", as nginx splits them: "($a", "=", "b)" or "(", "$a", ")".
bool Parser::parseCondition(const Statement &statement, RewriteCondition *condition)
{
    const auto invalid = [&] {
        return fail(statement.name().where,
                    u"invalid condition %1"_s.arg(quoted(joinedArguments(statement, 1, false))));
    };
    QList<Token> words = statement.args.mid(1);
    if (!words.first().text.startsWith(u'(') || !words.last().text.endsWith(u')'))
        return invalid();
    words.first().text.remove(0, 1);
    words.last().text.chop(1);
    words.removeIf([](const Token &word) { return word.text.isEmpty(); });
    if (words.isEmpty())
        return invalid();
    static const QStringList fileTests = {u"-f"_s, u"!-f"_s, u"-d"_s, u"!-d"_s, u"-e"_s, u"!-e"_s, u"-x"_s, u"!-x"_s};
    const Token &subject = words[0];
    if (words.size() == 2 && fileTests.contains(subject.text)) {
        condition->kind = RewriteCondition::Kind::FileExists;
        condition->op = subject.text;
        condition->subject = words[1].text;
        return true;
    }
    if (!subject.text.startsWith(u'$'))
        return fail(subject.where, u"invalid condition %1"_s.arg(quoted(subject.text)));
    condition->subject = subject.text;
    if (words.size() == 1) {
        condition->kind = RewriteCondition::Kind::Variable;
        return true;
    }
    if (words.size() != 3)
        return fail(subject.where, u"invalid condition %1"_s.arg(quoted(subject.text)));
    const Token &op = words[1];
    condition->op = op.text;
    condition->value = words[2].text;
    using Kind = RewriteCondition::Kind;
    static const QList<std::pair<QLatin1StringView, Kind>> ops = {
        {"="_L1, Kind::Equal},        {"!="_L1, Kind::NotEqual}, {"~"_L1, Kind::Match},
        {"~*"_L1, Kind::MatchNoCase}, {"!~"_L1, Kind::NoMatch},  {"!~*"_L1, Kind::NoMatchNoCase},
    };
    const auto found =
        std::find_if(ops.cbegin(), ops.cend(), [&](const auto &entry) { return entry.first == op.text; });
    if (found == ops.cend())
        return fail(op.where, u"unexpected %1 in condition"_s.arg(quoted(op.text)));
    condition->kind = found->second;
    if (found->second == Kind::Equal || found->second == Kind::NotEqual)
        return true;
    return checkRegex(words[2], condition->value,
                      found->second == Kind::MatchNoCase || found->second == Kind::NoMatchNoCase);
}

bool Parser::handleIf(const Statement &statement, const Directive &)
{
    RewriteStatement step;
    step.kind = RewriteStatement::Kind::If;
    step.source = statement.name().where;
    if (!parseCondition(statement, &step.condition))
        return false;
    QList<RewriteStatement> *outer = m_ifBody;
    m_ifBody = &step.body;
    const bool parsed = parseBlock(IfContext);
    m_ifBody = outer;
    if (!parsed)
        return false;
    rewriteScript().append(std::move(step));
    return true;
}

// error_page CODE... [=[RESPONSE]] URI, checked in nginx's order and words.
bool Parser::handleErrorPage(const Statement &statement, const Directive &)
{
    // nginx names only the value here, not the directive.
    const auto invalid = [this](const Token &word) {
        return fail(word.where, u"invalid value %1"_s.arg(quoted(word.text)));
    };
    ErrorPageDirective page;
    page.source = statement.name().where;
    const qsizetype last = statement.args.size() - 1;
    page.uri = statement.args[last].text;
    for (qsizetype i = 1; i < last; ++i) {
        const Token &word = statement.args[i];
        if (i == last - 1 && i > 1 && word.text.startsWith(u'=')) {
            page.replaceStatus = true;
            if (word.text.size() > 1) {
                const std::optional<int> status = parseCount(word.text.mid(1));
                if (!status)
                    return invalid(word);
                page.status = *status;
            }
            continue;
        }
        const std::optional<int> code = parseCount(word.text);
        if (!code)
            return invalid(word);
        if (*code == 499)
            return invalid(word);
        if (*code < 300 || *code > 599)
            return fail(word.where, u"value %1 must be between 300 and 599"_s.arg(quoted(word.text)));
        page.codes.append(*code);
    }
    auto &pages = settings().errorPages;
    if (!pages)
        pages.emplace();
    pages->append(std::move(page));
    return true;
}

// proxy_buffers NUMBER SIZE
bool Parser::handleProxyBuffers(const Statement &statement, const Directive &)
{
    std::optional<ProxyBuffers> &field = settings().proxyBuffers;
    if (field)
        return duplicate(statement);
    const std::optional<int> number = parseCount(statement.args[1].text);
    if (!number || *number < 2)
        return invalidValue(statement, statement.args[1]);
    const std::optional<qint64> size = nginx::parseSize(statement.args[2].text, nginx::SizeUnits::UpToMega);
    if (!size || *size <= 0)
        return invalidValue(statement, statement.args[2]);
    field = ProxyBuffers{*number, *size};
    return true;
}

bool Parser::handleKeepaliveTimeout(const Statement &statement, const Directive &)
{
    std::optional<qint64> &field = settings().keepaliveTimeoutMs;
    if (field)
        return duplicate(statement);
    const std::optional<qint64> ms = nginx::parseTimeMs(statement.args[1].text);
    if (!ms)
        return invalidValue(statement, statement.args[1]);
    if (statement.args.size() == 3) {
        // The second value only sets a "Keep-Alive: timeout=" response header.
        const Token &header = statement.args[2];
        if (!nginx::parseTimeSeconds(header.text))
            return invalidValue(statement, header);
        warn(header.where, u"ignoring %1 in \"keepalive_timeout\""_s.arg(quoted(header.text)));
    }
    field = ms;
    return true;
}

// --- the access and realip modules -------------------------------------------------------------

// An address or a CIDR network as nginx reads them, with nginx's warning for bits past the
// prefix; false for anything else, which the caller may take as a name.
bool Parser::isNetwork(const Token &address)
{
    bool lowBitsSet = false;
    if (!Cidr::parse(address.text.toLatin1(), &lowBitsSet))
        return false;
    if (lowBitsSet)
        warn(address.where, u"low address bits of %1 are meaningless"_s.arg(address.text));
    return true;
}

// allow and deny keep their order across both directives: the first that matches decides.
bool Parser::handleAccessRule(const Statement &statement, const Directive &)
{
    const Token &address = statement.args[1];
    if (address.text != "all"_L1 && address.text != "unix:"_L1 && !isNetwork(address))
        return invalidParameter(address);
    std::optional<QList<AccessRule>> &rules = settings().accessRules;
    if (!rules)
        rules.emplace();
    rules->append(AccessRule{statement.name().text == "deny"_L1, address.text, statement.name().where});
    return true;
}

bool Parser::handleSetRealIpFrom(const Statement &statement, const Directive &)
{
    const Token &address = statement.args[1];
    // Anything else nginx looks up as a host name; LB Scope does when the configuration is
    // applied. What no host name can be fails here already, in nginx's words.
    const auto nameCharacter = [](QChar c) {
        return c.isLetterOrNumber() || c == u'.' || c == u'-' || c == u'_' || c == u':' || c == u'%';
    };
    const bool nameLike =
        !address.text.isEmpty() && std::all_of(address.text.cbegin(), address.text.cend(), nameCharacter);
    if (address.text != "unix:"_L1 && !isNetwork(address) && !nameLike)
        return fail(address.where, u"host not found in set_real_ip_from %1"_s.arg(quoted(address.text)));
    std::optional<QList<RealIpSource>> &sources = settings().setRealIpFrom;
    if (!sources)
        sources.emplace();
    sources->append(RealIpSource{address.text, statement.name().where});
    return true;
}

bool Parser::handleRealIpHeader(const Statement &statement, const Directive &)
{
    std::optional<QString> &header = settings().realIpHeader;
    if (header)
        return duplicate(statement);
    const Token &value = statement.args[1];
    if (value.text == "proxy_protocol"_L1) {
        warn(value.where, u"\"real_ip_header proxy_protocol\" takes no address here: LB Scope does not read the "
                          u"PROXY protocol"_s);
    }
    header = value.text;
    return true;
}

bool Parser::handleUpstreamKeepaliveTime(const Statement &statement, const Directive &)
{
    return setUpstreamTime(statement, &UpstreamConfig::keepaliveTimeMs);
}

// proxy_redirect default | off | REDIRECT REPLACEMENT | ~REGEX REPLACEMENT, as nginx 1.22
// reads them: `off` stands alone at its level, `default` needs this location's proxy_pass
// above it and without variables.
bool Parser::handleProxyRedirect(const Statement &statement, const Directive &)
{
    std::optional<ProxyRedirects> &redirects = settings().proxyRedirects;
    const Token &first = statement.args[1];
    const bool off = statement.args.size() == 2 && first.text == "off"_L1;
    if (redirects && (redirects->off || off))
        return duplicate(statement);
    ProxyRedirectRule rule;
    rule.source = statement.name().where;
    if (statement.args.size() == 2) {
        if (off) {
            redirects = ProxyRedirects{true, {}};
            return true;
        }
        if (first.text != "default"_L1)
            return invalidParameter(first);
        if (!m_location || m_location->proxyPass.isEmpty()) {
            return fail(statement.name().where,
                        u"\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive"_s);
        }
        if (m_location->proxyPass.contains(u'$')) {
            return fail(statement.name().where, u"\"proxy_redirect default\" cannot be used with \"proxy_pass\" "
                                                u"directive with variables"_s);
        }
        rule.kind = ProxyRedirectRule::Kind::Default;
    } else {
        rule.pattern = first.text;
        rule.replacement = statement.args[2].text;
        if (rule.pattern.startsWith(u'~')) {
            rule.kind = ProxyRedirectRule::Kind::Regex;
            rule.pattern.remove(0, 1);
            if (rule.pattern.startsWith(u'*')) {
                rule.kind = ProxyRedirectRule::Kind::RegexCaseless;
                rule.pattern.remove(0, 1);
            }
            const QRegularExpression regex(rule.pattern);
            if (!regex.isValid()) {
                return fail(first.where,
                            u"pcre2_compile() failed: %1 in %2"_s.arg(regex.errorString(), quoted(rule.pattern)));
            }
        }
    }
    if (!redirects)
        redirects.emplace();
    redirects->rules.append(std::move(rule));
    return true;
}

// proxy_hide_header NAME and proxy_pass_header NAME: lists, each taken whole by an inner level.
bool Parser::handleProxyHeaderName(const Statement &statement, const Directive &)
{
    const bool hide = statement.name().text == "proxy_hide_header"_L1;
    std::optional<QList<QByteArray>> &names = hide ? settings().proxyHideHeaders : settings().proxyPassHeaders;
    if (!names)
        names.emplace();
    names->append(statement.args[1].text.toUtf8());
    return true;
}

// proxy_set_body and proxy_method: a value with variables, compiled by routing.cpp.
bool Parser::handleTemplate(const Statement &statement, const Directive &directive)
{
    return setOnce(statement, settings().*directive.pathField,
                   [](const QString &text) { return std::optional<QString>(text); });
}

bool Parser::handleProxyIgnoreHeaders(const Statement &statement, const Directive &)
{
    static const QList<std::pair<QLatin1StringView, IgnoreHeaderFlag>> names = {
        {"X-Accel-Redirect"_L1, IgnoreXAccelRedirect},
        {"X-Accel-Expires"_L1, IgnoreXAccelExpires},
        {"X-Accel-Limit-Rate"_L1, IgnoreXAccelLimitRate},
        {"X-Accel-Buffering"_L1, IgnoreXAccelBuffering},
        {"X-Accel-Charset"_L1, IgnoreXAccelCharset},
        {"Expires"_L1, IgnoreExpires},
        {"Cache-Control"_L1, IgnoreCacheControl},
        {"Set-Cookie"_L1, IgnoreSetCookie},
        {"Vary"_L1, IgnoreVary},
    };
    // Repeated directives add up, as nginx's bitmask settings do.
    std::optional<quint32> &field = settings().proxyIgnoreHeaders;
    quint32 flags = field.value_or(0);
    for (qsizetype i = 1; i < statement.args.size(); ++i) {
        const Token &word = statement.args[i];
        const auto known = std::find_if(names.cbegin(), names.cend(), [&](const auto &entry) {
            return word.text.compare(entry.first, Qt::CaseInsensitive) == 0;
        });
        if (known == names.cend())
            return fail(word.where, u"invalid value %1"_s.arg(quoted(word.text)));
        if (flags & known->second)
            warn(word.where, u"duplicate value %1"_s.arg(quoted(word.text)));
        flags |= known->second;
    }
    field = flags;
    return true;
}

} // namespace

qsizetype ConfigReadResult::responseChangingWarnings() const
{
    return std::count_if(warnings.cbegin(), warnings.cend(),
                         [](const ConfigMessage &warning) { return warning.changesResponses; });
}

QString ConfigMessage::toString() const
{
    if (where.file == CommandLineSource)
        return text + " in command line"_L1;
    if (where.line <= 0)
        return text;
    QString position = where.file + u':' + QString::number(where.line);
    if (severity == Severity::Error)
        position += u':' + QString::number(where.column);
    return position + ": "_L1 + text;
}

QString ConfigMessage::toNginxString() const
{
    if (where.file == CommandLineSource)
        return text + " in command line"_L1;
    if (where.line <= 0)
        return text;
    return text + " in "_L1 + where.file + u':' + QString::number(where.line);
}

ConfigReadResult ConfigReader::readFile(const QString &path, const ConfigReadOptions &options)
{
    QFile file(path); // also Qt's resources (":/..."), which the lessons' files are
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigReadResult result;
        result.error =
            ConfigMessage{ConfigMessage::Severity::Error, SourceLocation{path, 0, 0}, openFailure(path, file)};
        return result;
    }
    return readText(file.readAll(), path, options);
}

ConfigReadResult ConfigReader::readText(const QByteArray &text, const QString &fileName,
                                        const ConfigReadOptions &options)
{
    ConfigReadResult result = Parser(QString::fromUtf8(text), fileName, options).run();
    result.files.prepend(ConfigFileText{fileName, text});
    return result;
}

} // namespace lbscope
