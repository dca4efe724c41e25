#pragma once

// The nginx twin's configuration: LB Scope's running ProxyConfig as ConfigWriter writes it,
// made to run beside LB Scope without touching anything outside a prefix folder: every listen
// becomes 127.0.0.1:PORT (the twin's own), pid, error log and temporary files go into the
// prefix, and the only access log is the twin's, in a format that records what the comparison
// needs: the request's X-LBScope-Seq, the status, $upstream_addr and $upstream_status.

#include "config/proxyconfig.h"

#include <QByteArray>
#include <QString>

namespace lbscope {

class NginxTwinConfig
{
public:
    static constexpr auto LogFormatName = QLatin1StringView("lbscope_twin");
    // Fields of a twin log line, in this order; '|' occurs in none of them.
    static constexpr auto LogFormat = QLatin1StringView("$http_x_lbscope_seq|$status|$upstream_addr|$upstream_status");

    static QString configPath(const QString &prefix);
    static QString accessLogPath(const QString &prefix);
    // The whole nginx.conf for a twin in prefix listening on 127.0.0.1:port.
    static QByteArray write(const ProxyConfig &config, const QString &prefix, quint16 port);
};

} // namespace lbscope
