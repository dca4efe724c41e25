#include "request/errorpagerules.h"

#include "config/nginxvalues.h"

using namespace Qt::StringLiterals;

namespace lbscope {

int ErrorPage::finalStatus(int errorStatus, int answerStatus) const
{
    if (!replaceStatus)
        return errorStatus;
    return status > 0 ? status : answerStatus;
}

int ErrorPage::redirectStatus() const
{
    switch (status) {
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        return status;
    default:
        return 302;
    }
}

std::optional<ErrorPageRules> ErrorPageRules::compile(const QList<ErrorPageDirective> &directives, QString *error)
{
    ErrorPageRules rules;
    for (const ErrorPageDirective &directive : directives) {
        ErrorPage page;
        page.codes = directive.codes;
        page.replaceStatus = directive.replaceStatus;
        page.status = directive.status;
        if (directive.uri.startsWith(u'@')) {
            page.target = ErrorPage::Target::Named;
            page.name = directive.uri.mid(1).toUtf8();
        } else {
            if (nginx::isRedirectUrl(directive.uri))
                page.target = ErrorPage::Target::Redirect;
            QString message;
            std::optional<ValueTemplate> uri = ValueTemplate::compile(directive.uri, &message);
            if (!uri) {
                *error = directive.source.file + u':' + QString::number(directive.source.line) + u": "_s + message;
                return std::nullopt;
            }
            page.uri = std::move(*uri);
        }
        rules.m_pages.append(std::move(page));
    }
    return rules;
}

const ErrorPage *ErrorPageRules::find(int status) const
{
    for (const ErrorPage &page : m_pages) {
        if (page.codes.contains(status))
            return &page;
    }
    return nullptr;
}

} // namespace lbscope
