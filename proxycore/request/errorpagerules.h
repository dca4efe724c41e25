#pragma once

// error_page, compiled for a location (or a server, for requests no location takes): which
// statuses it replaces, by what, and with which status.

#include "config/proxyconfig.h"
#include "variables/valuetemplate.h"

#include <QList>

#include <optional>

namespace lbscope {

struct ErrorPage
{
    enum class Target {
        Uri,      // an internal redirect: the request goes through location matching again
        Named,    // @name: to that location, method and URI unchanged
        Redirect, // an http(s):// URL: the client is sent there (302 unless =301/303/307/308)
    };

    QList<int> codes;
    Target target = Target::Uri;
    ValueTemplate uri; // for Uri and Redirect
    QByteArray name;   // for Named, without the @
    bool replaceStatus = false;
    int status = 0; // with replaceStatus: the status to answer with; 0: the redirect target's own

    // The status the client gets after the error page's own answer, given that answer's.
    int finalStatus(int errorStatus, int answerStatus) const;
    int redirectStatus() const;
};

class ErrorPageRules
{
public:
    static std::optional<ErrorPageRules> compile(const QList<ErrorPageDirective> &directives, QString *error);

    // The page for status, or null.
    const ErrorPage *find(int status) const;
    bool isEmpty() const { return m_pages.isEmpty(); }

private:
    QList<ErrorPage> m_pages;
};

} // namespace lbscope
