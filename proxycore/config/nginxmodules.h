#pragma once

// Which of nginx's own modules LB Scope stands in for: the version of nginx whose behaviour it
// follows, and the modules of a default nginx build whose directives it does not implement, so
// that `lbscope -V` can say so in nginx's `--without-http_X_module` form and a tool reading it
// learns the truth. tst_configreader holds each entry to account with one of its directives.

#include <QByteArray>
#include <QList>

namespace lbscope {

struct NginxModule
{
    enum class Where {
        Location,
        Http, // outside any server
        Upstream
    };

    QByteArray configureName; // "http_gzip_module": --without-<this>
    QByteArray directive;     // one of its directives ("gzip on;")
    Where where = Where::Location;
};

struct NginxModules
{
    static constexpr const char *Version = "1.22.1";

    // The modules a default `./configure` builds whose directives LB Scope ignores.
    static QList<NginxModule> unimplemented();
    // The ones it implements, with a directive of each that it reads.
    static QList<NginxModule> implemented();
    // "configure arguments: --without-http_charset_module ... --without-http-cache"
    static QByteArray configureArguments();
};

} // namespace lbscope
