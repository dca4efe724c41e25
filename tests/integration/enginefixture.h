#pragma once

// An engine for a test: the configuration text read as a file of that name would be, every
// server's first listen moved to one port the system picks.

#include "config/configreader.h"
#include "proxy/engine.h"

#include <QDebug>

#include <memory>

namespace lbscope::test {

// nullptr, with the reason in the test's log, when the text does not load or start.
inline std::unique_ptr<Engine> startEngine(const QString &text, const QString &fileName, quint16 *port)
{
    const ConfigReadResult result = ConfigReader::readText(text.toUtf8(), fileName);
    if (!result.ok()) {
        qWarning() << result.error->toString();
        return nullptr;
    }
    ProxyConfig config = *result.config;
    for (ServerConfig &server : config.servers)
        server.listens[0].port = 0;
    auto engine = std::make_unique<Engine>();
    QString error;
    if (!engine->start(config, &error)) {
        qWarning() << error;
        return nullptr;
    }
    *port = engine->listeningAddresses().first().second;
    return engine;
}

} // namespace lbscope::test
