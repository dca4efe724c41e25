#pragma once

// proxy_redirect: how the Location and Refresh headers of an upstream's response are
// rewritten, as nginx 1.22 does it. Each rule is tried in order and the first that matches
// wins: a prefix rule replaces the matched prefix (compared with case), a regex rule
// (~ or ~*) replaces everything from the start of the URL on, with $1..$9 from its captures.
// With no proxy_redirect anywhere, a location with a static proxy_pass has nginx's
// `default`: the proxy_pass URL (with "/" added when it has no URI part) becomes the
// location's prefix (or "/").

#include "config/proxyconfig.h"
#include "http/variables.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>

#include <optional>

namespace lbscope {

class ProxyRedirect
{
public:
    // proxyPass is the location's as written (empty: none; with '$': variables, no default).
    static std::optional<ProxyRedirect> compile(const std::optional<ProxyRedirects> &directives,
                                                const QString &proxyPass, const QString &locationPrefix,
                                                QString *error);

    bool isEmpty() const { return m_rules.isEmpty(); }
    // value with its part from offset on rewritten by the first rule that matches; nullopt
    // when none does.
    std::optional<QByteArray> rewrite(QByteArrayView value, qsizetype offset, const RequestContext &context) const;

private:
    // A replacement: literal text and variables, and regex captures in between.
    struct Piece
    {
        std::optional<ValueTemplate> text;
        QByteArray literal; // when there is no text and no capture
        int capture = -1;
    };
    struct Rule
    {
        QByteArray literal;                  // default: the pattern as is
        std::optional<ValueTemplate> prefix; // a prefix rule's pattern
        std::optional<QRegularExpression> regex;
        QList<Piece> replacement;
    };

    static std::optional<QList<Piece>> compileReplacement(const QString &text, QString *error);
    static void appendReplacement(const QList<Piece> &pieces, const QRegularExpressionMatch *match,
                                  const RequestContext &context, QByteArray &out);

    QList<Rule> m_rules;
};

} // namespace lbscope
