#pragma once

// The same configuration under the real nginx and under LB Scope's engine, one after the
// other, for tests that compare the two: the caller writes the file for a listen port and runs
// its requests against whichever proxy is up. nginx runs in a temporary prefix (as the nginx
// twin runs it); LB Scope reads the same file and listens where the system puts it.

#include "config/configreader.h"
#include "proxy/engine.h"
#include "twin/nginxprocess.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

namespace lbscope::test {

class NginxAndLbscope
{
public:
    using ConfigText = std::function<QByteArray(quint16 listenPort)>;
    using Run = std::function<void(quint16 port)>;

    explicit NginxAndLbscope(QString nginxBinary)
        : m_nginxBinary(std::move(nginxBinary))
    {
        NginxProcess::preparePrefix(m_dir.path());
    }

    QString prefix() const { return m_dir.path(); }
    // A whole nginx.conf around the lines of an http block: the main and http lines that keep
    // nginx's files in the prefix, and no access log.
    QByteArray configFile(const QString &httpLines) const
    {
        return mainDirectives() + "events {}\nhttp {\n    access_log off;\n" + httpDirectives() + httpLines.toUtf8() +
               "}\n";
    }
    // The lines that keep nginx's pid, error log and temporary files in the prefix.
    QByteArray mainDirectives() const { return NginxProcess::mainDirectives(prefix()); }
    QByteArray httpDirectives() const { return NginxProcess::httpTempDirectives(prefix()); }

    bool runNginx(const ConfigText &config, const Run &run, QString *error)
    {
        const quint16 port = NginxProcess::freeLoopbackPort();
        if (!write(config(port), error))
            return false;
        NginxProcess nginx;
        nginx.setBinary(m_nginxBinary);
        nginx.start(prefix(), configPath(), port);
        const bool settled = QTest::qWaitFor(
            [&] {
                return nginx.state() == NginxProcess::State::Running ||
                       nginx.state() == NginxProcess::State::NotRunning;
            },
            NginxProcess::StartTimeoutMs + 10'000);
        if (!settled || nginx.state() != NginxProcess::State::Running) {
            *error = QStringLiteral("nginx did not start: ") + nginx.errorText();
            return false;
        }
        run(port);
        return true;
    }

    // One or the other, for tests that run the same steps under both.
    bool run(bool nginx, const ConfigText &config, const Run &steps, QString *error)
    {
        return nginx ? runNginx(config, steps, error) : runLbscope(config, steps, error);
    }

    bool runLbscope(const ConfigText &config, const Run &run, QString *error)
    {
        if (!write(config(NginxProcess::freeLoopbackPort()), error))
            return false;
        const ConfigReadResult result = ConfigReader::readFile(configPath());
        if (!result.ok()) {
            *error = result.error->toString();
            return false;
        }
        ProxyConfig loaded = *result.config;
        loaded.servers[0].listens[0].port = 0; // the system picks one
        Engine engine;
        if (!engine.start(loaded, error))
            return false;
        m_engine = &engine;
        m_loaded = loaded;
        run(engine.listeningAddresses().first().second);
        m_engine = nullptr;
        return true;
    }

    // The file as written, every listen on the port it names (several servers on one port, or
    // files of its own beside it in prefix()): the port is chosen free, as nginx's is.
    bool runAsWritten(bool nginx, const ConfigText &config, const Run &steps, QString *error)
    {
        if (nginx)
            return runNginx(config, steps, error);
        const quint16 port = NginxProcess::freeLoopbackPort();
        if (!write(config(port), error))
            return false;
        const ConfigReadResult result = ConfigReader::readFile(configPath());
        if (!result.ok()) {
            *error = result.error->toString();
            return false;
        }
        Engine engine;
        if (!engine.start(*result.config, error))
            return false;
        m_engine = &engine;
        m_loaded = *result.config;
        steps(port);
        m_engine = nullptr;
        return true;
    }

    // While runLbscope's run is on: the engine, and the configuration it was given.
    Engine *engine() const { return m_engine; }
    const ProxyConfig &loadedConfig() const { return m_loaded; }

private:
    QString configPath() const { return m_dir.filePath(QStringLiteral("nginx.conf")); }

    bool write(const QByteArray &text, QString *error)
    {
        QFile file(configPath());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
            *error = file.errorString();
            return false;
        }
        return true;
    }

    QString m_nginxBinary;
    QTemporaryDir m_dir;
    Engine *m_engine = nullptr;
    ProxyConfig m_loaded;
};

} // namespace lbscope::test
