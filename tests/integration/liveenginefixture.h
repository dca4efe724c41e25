#pragma once

// A running engine in front of demo backends on loopback, for the tests that edit it live:
// one upstream "pool" of the chosen backends, a listener on an ephemeral port, and
// X-Upstream-Addr on every response so a test sees where each request went.

#include "config/configreader.h"
#include "demo/demobackend.h"
#include "httptestclient.h"
#include "proxy/engine.h"

#include <memory>

namespace lbscope::test {

inline UpstreamServer serverAt(quint16 port, int weight = 1)
{
    UpstreamServer server;
    server.host = QStringLiteral("127.0.0.1");
    server.port = port;
    server.address = QStringLiteral("127.0.0.1:%1").arg(port);
    server.weight = weight;
    return server;
}

class LiveEngineFixture
{
protected:
    QList<std::shared_ptr<DemoBackend>> m_backends;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    bool startBackends(int count)
    {
        for (int i = 0; i < count; ++i) {
            auto backend = std::make_shared<DemoBackend>();
            QString error;
            if (!backend->start(DemoBackend::Options{QStringLiteral("b%1").arg(i), {}, 0, 0, 0.0}, &error)) {
                qWarning("%s", qPrintable(error));
                return false;
            }
            m_backends.append(backend);
        }
        return true;
    }

    // serverParams: per listed backend, what follows its address on the server line.
    QString configText(const QList<int> &backends, const QString &upstreamExtra = {},
                       const QStringList &serverParams = {}, const QString &main = {}) const
    {
        QString servers;
        for (qsizetype i = 0; i < backends.size(); ++i) {
            const QString params = serverParams.value(i);
            servers += QStringLiteral("    server 127.0.0.1:%1%2;\n")
                           .arg(m_backends[backends[i]]->port())
                           .arg(params.isEmpty() ? QString() : u' ' + params);
        }
        return main + QStringLiteral("upstream pool {\n") + upstreamExtra + servers +
               QStringLiteral("    keepalive 8;\n}\nserver {\n    listen 127.0.0.1:8080;\n    location / {\n"
                              "        proxy_pass http://pool;\n        proxy_http_version 1.1;\n"
                              "        proxy_set_header Connection \"\";\n"
                              "        add_header X-Upstream-Addr $upstream_addr always;\n    }\n}\n");
    }

    static std::optional<ProxyConfig> parse(const QString &text)
    {
        ConfigReadResult result = ConfigReader::readText(text.toUtf8(), QStringLiteral("live.conf"));
        if (!result.ok())
            return std::nullopt;
        result.config->servers[0].listens[0].port = 0;
        return result.config;
    }

    bool startEngineWith(const QString &text)
    {
        const auto config = parse(text);
        if (!config)
            return false;
        m_engine = std::make_unique<Engine>();
        QString error;
        if (!m_engine->start(*config, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        m_port = m_engine->listeningAddresses().first().second;
        return true;
    }
    bool startEngine(const QList<int> &backends, const QString &upstreamExtra = {})
    {
        return startEngineWith(configText(backends, upstreamExtra));
    }

    QByteArray address(int backend) const { return "127.0.0.1:" + QByteArray::number(m_backends[backend]->port()); }
    QString serverText(int backend) const { return QString::fromLatin1(address(backend)); }

    QByteArray upstreamFor(const QByteArray &path)
    {
        HttpTestClient client;
        if (!client.connectTo(m_port))
            return "no connection";
        client.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
        const auto response = client.readResponse();
        return response ? response->header("X-Upstream-Addr") : QByteArray("no response");
    }

    QByteArrayList upstreamsFor(int count)
    {
        QByteArrayList upstreams;
        for (int i = 0; i < count; ++i)
            upstreams.append(upstreamFor("/"));
        return upstreams;
    }
};

} // namespace lbscope::test
