#include "proxy/proxyredirect.h"

#include "proxy/upstreamuri.h"

using namespace Qt::StringLiterals;

namespace lbscope {

std::optional<ProxyRedirect> ProxyRedirect::compile(const std::optional<ProxyRedirects> &directives,
                                                    const QString &proxyPass, const QString &locationPrefix,
                                                    QString *error)
{
    ProxyRedirect result;
    const bool staticPass = !proxyPass.isEmpty() && !proxyPass.contains(u'$');
    const auto defaultRule = [&] {
        Rule rule;
        const QByteArray url = proxyPass.toUtf8();
        const bool hasUri = !proxyPassUriPart(url).isEmpty();
        rule.literal = hasUri ? url : url + '/';
        rule.replacement.append({std::nullopt, hasUri ? locationPrefix.toUtf8() : QByteArray("/"), -1});
        return rule;
    };
    if (!directives) {
        if (staticPass)
            result.m_rules.append(defaultRule());
        return result;
    }
    for (const ProxyRedirectRule &directive : directives->rules) {
        Rule rule;
        QString message;
        switch (directive.kind) {
        case ProxyRedirectRule::Kind::Default:
            // The reader allows it only after a static proxy_pass in the same location.
            if (staticPass)
                result.m_rules.append(defaultRule());
            continue;
        case ProxyRedirectRule::Kind::Prefix:
            rule.prefix = ValueTemplate::compile(directive.pattern, &message);
            break;
        case ProxyRedirectRule::Kind::Regex:
        case ProxyRedirectRule::Kind::RegexCaseless: {
            const auto options = directive.kind == ProxyRedirectRule::Kind::RegexCaseless
                                     ? QRegularExpression::CaseInsensitiveOption
                                     : QRegularExpression::NoPatternOption;
            rule.regex = QRegularExpression(directive.pattern, options);
            if (!rule.regex->isValid())
                message = u"pcre2_compile() failed: %1 in \"%2\""_s.arg(rule.regex->errorString(), directive.pattern);
            break;
        }
        }
        std::optional<QList<Piece>> replacement;
        if (message.isEmpty())
            replacement = compileReplacement(directive.replacement, &message);
        if (!message.isEmpty()) {
            *error = directive.source.file + u':' + QString::number(directive.source.line) + u": "_s + message;
            return std::nullopt;
        }
        rule.replacement = std::move(*replacement);
        result.m_rules.append(std::move(rule));
    }
    return result;
}

// "$1" to "$9" are a regex's captures; everything else is an ordinary value with variables.
std::optional<QList<ProxyRedirect::Piece>> ProxyRedirect::compileReplacement(const QString &text, QString *error)
{
    QList<Piece> pieces;
    qsizetype start = 0;
    const auto flush = [&](qsizetype end) {
        if (end <= start)
            return true;
        auto value = ValueTemplate::compile(text.mid(start, end - start), error);
        if (!value)
            return false;
        pieces.append({std::move(*value), {}, -1});
        return true;
    };
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != u'$' || !text[i + 1].isDigit())
            continue;
        if (!flush(i))
            return std::nullopt;
        pieces.append({std::nullopt, {}, text[i + 1].digitValue()});
        start = i + 2;
        ++i;
    }
    if (!flush(text.size()))
        return std::nullopt;
    return pieces;
}

void ProxyRedirect::appendReplacement(const QList<Piece> &pieces, const QRegularExpressionMatch *match,
                                      const RequestContext &context, QByteArray &out)
{
    for (const Piece &piece : pieces) {
        if (piece.text)
            piece.text->appendTo(context, out);
        else if (piece.capture < 0)
            out.append(piece.literal);
        else if (match && piece.capture <= match->lastCapturedIndex())
            out.append(match->captured(piece.capture).toLatin1());
    }
}

std::optional<QByteArray> ProxyRedirect::rewrite(QByteArrayView value, qsizetype offset,
                                                 const RequestContext &context) const
{
    const QByteArrayView rest = value.sliced(offset);
    for (const Rule &rule : m_rules) {
        QByteArray out = value.first(offset).toByteArray();
        if (rule.regex) {
            // Latin-1 keeps every byte a character of its own, and gives the same bytes back.
            const QRegularExpressionMatch match = rule.regex->match(QString::fromLatin1(rest));
            if (!match.hasMatch())
                continue;
            appendReplacement(rule.replacement, &match, context, out);
            return out;
        }
        const QByteArray pattern = rule.prefix ? rule.prefix->evaluate(context) : rule.literal;
        if (!rest.startsWith(pattern))
            continue;
        appendReplacement(rule.replacement, nullptr, context, out);
        out.append(rest.sliced(pattern.size()));
        return out;
    }
    return std::nullopt;
}

} // namespace lbscope
