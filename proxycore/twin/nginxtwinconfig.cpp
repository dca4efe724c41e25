#include "twin/nginxtwinconfig.h"

#include "config/configwriter.h"
#include "twin/nginxprocess.h"

using namespace Qt::StringLiterals;

namespace lbscope {

QString NginxTwinConfig::configPath(const QString &prefix)
{
    return prefix + u"/nginx.conf"_s;
}

QString NginxTwinConfig::accessLogPath(const QString &prefix)
{
    return prefix + u"/twin-access.log"_s;
}

QByteArray NginxTwinConfig::write(const ProxyConfig &running, const QString &prefix, quint16 port)
{
    ProxyConfig config = running;
    config.statusListen.reset();
    // Every server on the twin's port: server_name still chooses among them as before. nginx
    // allows one default_server per address, so the first one keeps it.
    bool defaultTaken = false;
    for (ServerConfig &server : config.servers) {
        bool isDefault = false;
        for (const ListenAddress &listen : server.listens)
            isDefault = isDefault || listen.defaultServer;
        ListenAddress twin;
        twin.host = u"127.0.0.1"_s;
        twin.port = port;
        twin.text = u"127.0.0.1:%1"_s.arg(port);
        twin.defaultServer = isDefault && !defaultTaken;
        defaultTaken = defaultTaken || isDefault;
        server.listens = {twin};
        // The user's own logs are LB Scope's business; the twin writes only its own.
        server.settings.accessLogs.reset();
        forEachLocation(server.locations, [](LocationConfig &location) { location.settings.accessLogs.reset(); });
    }
    lbscope::LogFormat format;
    format.name = LogFormatName;
    format.format = LogFormat;
    config.logFormats.removeIf([](const lbscope::LogFormat &f) { return f.name == LogFormatName; });
    config.logFormats.append(format);
    AccessLogDirective log;
    log.path = accessLogPath(prefix);
    log.formatName = LogFormatName;
    config.settings.accessLogs = QList<AccessLogDirective>{log};

    // The twin's pid file and error log are in its own prefix (mainDirectives), not the user's.
    config.pidFile.reset();
    config.errorLogs.clear();

    QByteArray text = ConfigWriter::write(config);
    // ConfigWriter writes one "http {" line at the start of a line; the temp paths go first in it.
    const QByteArray httpOpen = "\nhttp {\n";
    const qsizetype http = text.indexOf(httpOpen);
    QByteArray temps;
    for (const QByteArray &line : NginxProcess::httpTempDirectives(prefix).split('\n')) {
        if (!line.isEmpty())
            temps += "    " + line + '\n';
    }
    if (http >= 0)
        text.insert(http + httpOpen.size(), temps);
    return "# The nginx twin of LB Scope's running configuration, written by LB Scope.\n" +
           NginxProcess::mainDirectives(prefix) + text;
}

} // namespace lbscope
