#include "proxy/servernameindex.h"

#include "config/servername.h"

#include <algorithm>

namespace lbscope {

namespace {

// Longest key first; a stable insert keeps the earlier server first among equal keys, so
// the later one of a conflicting pair never matches.
void insertWildcard(QList<ServerNameIndex::Wildcard> *list, const QByteArray &key, int server)
{
    const auto at =
        std::find_if(list->begin(), list->end(), [&](const auto &entry) { return entry.key.size() < key.size(); });
    list->insert(at, {key, server});
}

} // namespace

void ServerNameIndex::add(int server, const QStringList &names)
{
    // A server without server_name has nginx's default, "": requests without a host.
    for (const QString &written : names.isEmpty() ? QStringList{QString()} : names) {
        const ServerName name = ServerName::parse(written);
        const QByteArray key = name.key.toUtf8();
        switch (name.kind) {
        case ServerName::Kind::Exact:
            if (!m_exact.contains(key)) // a name taken before stays with its first server
                m_exact.insert(key, server);
            break;
        case ServerName::Kind::DotWildcard:
            if (!m_exact.contains(key))
                m_exact.insert(key, server);
            insertWildcard(&m_leading, key, server);
            break;
        case ServerName::Kind::LeadingWildcard:
            insertWildcard(&m_leading, key, server);
            break;
        case ServerName::Kind::TrailingWildcard:
            insertWildcard(&m_trailing, key, server);
            break;
        case ServerName::Kind::Regex:
            // nginx compiles server names caseless.
            m_regexes.append({QRegularExpression(name.key, QRegularExpression::CaseInsensitiveOption), server});
            break;
        }
    }
}

ServerNameMatch ServerNameIndex::find(QByteArrayView host) const
{
    ServerNameMatch result;
    // A view for the lookup, not a copy: Qt 6.4's QHash has no lookup by QByteArrayView.
    const QByteArray key = QByteArray::fromRawData(host.data(), host.size());
    if (const auto exact = m_exact.constFind(key); exact != m_exact.cend()) {
        result.server = *exact;
        return result;
    }
    for (const Wildcard &wildcard : m_leading) {
        if (host.size() > wildcard.key.size() + 1 && host.endsWith(wildcard.key) &&
            host[host.size() - wildcard.key.size() - 1] == '.') {
            result.server = wildcard.server;
            return result;
        }
    }
    for (const Wildcard &wildcard : m_trailing) {
        if (host.size() > wildcard.key.size() + 1 && host.startsWith(wildcard.key) &&
            host[wildcard.key.size()] == '.') {
            result.server = wildcard.server;
            return result;
        }
    }
    if (host.isEmpty())
        return result;
    // nginx's PCRE works on bytes: Latin-1 keeps every byte one character.
    const QString subject = QString::fromLatin1(host);
    for (const auto &[regex, server] : m_regexes) {
        QRegularExpressionMatch match = regex.match(subject);
        if (match.hasMatch()) {
            result.server = server;
            result.regex = &regex;
            result.match = std::move(match);
            return result;
        }
    }
    return result;
}

} // namespace lbscope
