#pragma once

// The access module (allow, deny) compiled for the access phase: nginx keeps one list per
// address family, "all" in each, and the first rule of the client's family that matches
// decides. A client that no rule of its family matches is let through, as in nginx.

#include "access/cidr.h"
#include "config/proxyconfig.h"

#include <QHostAddress>
#include <QList>

#include <optional>

namespace lbscope {

class AccessRules
{
public:
    // The rules of one level, in file order; nullopt with *error (FILE:LINE: message) for an
    // address nginx would refuse (the reader refuses those first).
    static std::optional<AccessRules> compile(const QList<AccessRule> &rules, QString *error);

    bool isEmpty() const { return m_ipv4.isEmpty() && m_ipv6.isEmpty(); }
    bool allows(const QHostAddress &client) const;

private:
    struct Rule
    {
        bool deny = false;
        std::optional<Cidr> network; // empty: "all"
    };

    QList<Rule> m_ipv4;
    QList<Rule> m_ipv6;
};

} // namespace lbscope
