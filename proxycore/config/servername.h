#pragma once

// server_name's names as nginx 1.22 reads them: exact names, "*.example.com",
// "www.example.*", ".example.com" (the name and every subdomain) and "~regex". The reader
// checks them, the routing table compiles them (proxy/servernameindex.h).

#include <QString>
#include <QStringList>

namespace lbscope {

struct ServerName
{
    enum class Kind {
        Exact,
        LeadingWildcard,  // "*.example.com"
        DotWildcard,      // ".example.com": example.com exactly and *.example.com
        TrailingWildcard, // "www.example.*"
        Regex,            // "~^(?<sub>.+)\.example\.com$"
    };

    Kind kind = Kind::Exact;
    // Lower case. Wildcards: without their "*." / "." / ".*" ("example.com", "www.example");
    // a regex: its pattern without the '~', as written.
    QString key;

    static ServerName parse(const QString &written);
    // The names nginx puts in its hash tables accept at most one '*' and no "..": more,
    // or a '*' anywhere but at a dot border, is "invalid server name or wildcard".
    static bool isValidHashKey(const QString &written);
    // What $server_name is: the first name, lower case, without a leading '.'; a regex
    // keeps its '~'; no server_name at all is "".
    static QString variableValue(const QStringList &names);
    // The named captures of the regex names: variables wherever the file uses them.
    static void collectCaptureNames(const QStringList &names, QStringList *variables);
};

} // namespace lbscope
