#pragma once

// Which server block of one address:port a host names, in nginx 1.22's order: an exact
// name, the longest leading wildcard ("*.example.com", ".example.com"), the longest trailing
// one ("www.example.*"), the first regex in file order. A name an earlier server (or name)
// already took is ignored, as nginx ignores it ("conflicting server name").

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QStringList>

#include <optional>

namespace lbscope {

struct ServerNameMatch
{
    int server = -1; // the index given to add(); -1: no name matched
    // A regex name's match, for its captures ($1, named ones); none for other names. Empty
    // by default: a QRegularExpression or a match, even empty, costs an allocation.
    const QRegularExpression *regex = nullptr; // the index's own, alive as long as it is
    std::optional<QRegularExpressionMatch> match;
};

class ServerNameIndex
{
public:
    // Servers are added in file order; regexes were checked by the reader.
    void add(int server, const QStringList &names);
    // host: as validateHost() left it (lower case, no port); empty for a request without one.
    ServerNameMatch find(QByteArrayView host) const;
    bool hasRegexes() const { return !m_regexes.isEmpty(); }

    struct Wildcard
    {
        QByteArray key; // "example.com" of "*.example.com", "www.example" of "www.example.*"
        int server;
    };

private:
    QHash<QByteArray, int> m_exact;
    QList<Wildcard> m_leading;  // longest first, file order among equals
    QList<Wildcard> m_trailing; // the same
    QList<std::pair<QRegularExpression, int>> m_regexes;
};

} // namespace lbscope
