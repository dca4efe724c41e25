#pragma once

// The seed's photos pool for window tests: three built-in demo instances behind a running
// engine, as `lbscope` starts by default, but on a loopback address of the test's own
// (127.a.b.1, ports 3000, 3100, 3101) and an ephemeral proxy port, so tests can run in
// parallel with each other and with a real LB Scope on the same machine.

#include "config/configreader.h"
#include "proxy/engine.h"

#include <QRandomGenerator>
#include <QString>

#include <memory>

namespace lbscope::test {

class DemoPoolFixture
{
public:
    enum class Keepalive {
        Off, // nginx's default: HTTP/1.0 and a new upstream connection per request, as the seed
        On   // HTTP/1.1 upstream with Connection "", for upstreamExtra's keepalive N
    };

    // upstreamExtra goes into the upstream block (e.g. "least_conn;\n"); weights: one per server.
    bool start(const QString &upstreamExtra = {}, const QList<int> &weights = {1, 1, 1},
               Keepalive keepalive = Keepalive::Off)
    {
        using namespace Qt::StringLiterals;
        for (int attempt = 0; attempt < 5; ++attempt) {
            const quint32 random = QRandomGenerator::global()->bounded(1u, 250u * 250u);
            m_host = u"127.%1.%2.1"_s.arg(random / 250 + 1).arg(random % 250 + 1);
            QString servers;
            for (qsizetype i = 0; i < weights.size(); ++i) {
                servers += u"    server %1:%2"_s.arg(m_host).arg(Ports[std::size_t(i)]);
                if (weights[i] != 1)
                    servers += u" weight=%1"_s.arg(weights[i]);
                servers += u";\n"_s;
            }
            m_text = u"upstream photos {\n"_s + upstreamExtra + servers +
                     u"}\n\nserver {\n    listen 127.0.0.1:8080;\n    server_name photos.example.com;\n\n"
                     "    location / {\n        proxy_pass http://photos;\n"
                     "        proxy_set_header Host $host;\n        proxy_set_header X-Real-IP $remote_addr;\n"_s +
                     (keepalive == Keepalive::On ? u"        proxy_http_version 1.1;\n"
                                                   "        proxy_set_header Connection \"\";\n"_s
                                                 : QString()) +
                     u"    }\n}\n"_s;
            ConfigReadResult result = ConfigReader::readText(m_text.toUtf8(), u"photos.conf"_s);
            if (!result.ok()) {
                m_error = result.error->toString();
                return false;
            }
            result.config->servers[0].listens[0].port = 0; // the text says 8080, as the seed does
            m_engine = std::make_unique<Engine>();
            if (m_engine->startDemoInstances(*result.config, &m_error) && m_engine->start(*result.config, &m_error))
                return true;
        }
        return false;
    }

    Engine &engine() { return *m_engine; }
    quint16 proxyPort() const { return m_engine->listeningAddresses().value(0).second; }
    // "127.a.b.1:3000", as the engine names the peer.
    QByteArray peer(int index) const { return (m_host + u':' + QString::number(Ports[std::size_t(index)])).toLatin1(); }
    const QString &host() const { return m_host; }
    const QString &configText() const { return m_text; }
    const QString &error() const { return m_error; }

    static constexpr std::array<quint16, 3> Ports = {3000, 3100, 3101};

private:
    std::unique_ptr<Engine> m_engine;
    QString m_host;
    QString m_text;
    QString m_error;
};

} // namespace lbscope::test
