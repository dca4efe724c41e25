#include "configdocument.h"

#include "config/configreader.h"
#include "config/configwriter.h"
#include "proxy/engine.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QSaveFile>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace lbscope {

ConfigDocument::ConfigDocument(Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    connect(&m_engine, &Engine::configurationChanged, this, &ConfigDocument::handleConfigurationChanged);
}

bool ConfigDocument::listensBeyondLoopback(const ProxyConfig &config)
{
    for (const ServerConfig &server : config.servers) {
        if (server.listens.isEmpty())
            continue; // nginx's default for a server without listen is 127.0.0.1:80 here
        for (const ListenAddress &listen : server.listens) {
            // A bare port stays on loopback (routing.cpp, listenAddress).
            if (!listen.host.isEmpty() && listen.host != "localhost"_L1 && !QHostAddress(listen.host).isLoopback())
                return true;
        }
    }
    return false;
}

bool ConfigDocument::apply(const ProxyConfig &config, QString *error)
{
    m_applying = true;
    const bool ok = m_engine.isRunning() ? m_engine.reload(config, error) : m_engine.start(config, error);
    // The demo instances follow the file: a new file brings its own loopback servers. Without
    // them the proxy still runs, in front of whatever listens there.
    m_demoProblem.clear();
    if (ok && m_demoEnabled && !m_engine.startDemoInstances(config, &m_demoProblem))
        m_engine.stopDemoInstances();
    m_applying = false;
    return ok;
}

bool ConfigDocument::open(const QString &path, QString *error)
{
    const ConfigReadResult result = ConfigReader::readFile(path);
    if (!result.ok()) {
        *error = result.error->toString();
        return false;
    }
    if (!apply(*result.config, error))
        return false;
    adoptFile(path);
    return true;
}

bool ConfigDocument::openText(const QByteArray &text, const QString &name, QString *error)
{
    const ConfigReadResult result = ConfigReader::readText(text, name);
    if (!result.ok()) {
        *error = result.error->toString();
        return false;
    }
    return openConfig(*result.config, name, error);
}

bool ConfigDocument::openConfig(const ProxyConfig &config, const QString &name, QString *error)
{
    if (!apply(config, error))
        return false;
    m_filePath.clear();
    m_displayName = name;
    m_modified = false;
    emit documentChanged();
    return true;
}

bool ConfigDocument::save(QString *error)
{
    if (m_filePath.isEmpty()) {
        *error = tr("The configuration has no file yet: use Save As.");
        return false;
    }
    return saveAs(m_filePath, error);
}

bool ConfigDocument::saveAs(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(ConfigWriter::write(m_engine.configuration())) < 0 ||
        !file.commit()) {
        *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    adoptFile(path);
    return true;
}

bool ConfigDocument::openAtStart(const QString &configPath, const QByteArray &seedText, QString *problems)
{
    QString error;
    QStringList failed;
    if (!configPath.isEmpty()) {
        if (open(configPath, &error))
            return true;
        failed.append(tr("%1 was not opened: %2").arg(QDir::toNativeSeparators(configPath), error));
    } else {
        const QSettings settings;
        const QByteArray last = settings.value(u"session/pool"_s).toByteArray();
        if (!last.isEmpty()) {
            const QString name = settings.value(u"session/name"_s, u"lbscope.conf"_s).toString();
            if (openText(last, name, &error)) {
                m_filePath = settings.value(u"session/file"_s).toString();
                m_modified = settings.value(u"session/modified"_s).toBool();
                emit documentChanged();
                return true;
            }
            failed.append(tr("The last session's pool did not start: %1").arg(error));
        }
    }
    const bool started = openText(seedText, u"photos.conf"_s, &error);
    if (!started)
        failed.append(tr("The photos pool did not start: %1. Change the listen address in the Configuration "
                         "view and press Apply.")
                          .arg(error));
    *problems = failed.join(u'\n');
    return started;
}

void ConfigDocument::saveSession() const
{
    QSettings settings;
    settings.setValue(u"session/recentFiles"_s, m_recentFiles);
    if (!m_engine.isRunning())
        return;
    settings.setValue(u"session/pool"_s, ConfigWriter::write(m_engine.configuration()));
    settings.setValue(u"session/name"_s, m_displayName);
    settings.setValue(u"session/file"_s, m_filePath);
    settings.setValue(u"session/modified"_s, m_modified);
}

void ConfigDocument::restoreRecentFiles()
{
    setRecentFiles(QSettings().value(u"session/recentFiles"_s).toStringList());
}

// The document is now this file, as it is on disk.
void ConfigDocument::adoptFile(const QString &path)
{
    m_filePath = QFileInfo(path).absoluteFilePath();
    m_displayName = QFileInfo(path).fileName();
    m_modified = false;
    noteRecent(m_filePath);
    emit documentChanged();
}

void ConfigDocument::setRecentFiles(const QStringList &files)
{
    m_recentFiles = files.mid(0, MaxRecentFiles);
    emit recentFilesChanged();
}

void ConfigDocument::noteRecent(const QString &path)
{
    m_recentFiles.removeAll(path);
    m_recentFiles.prepend(path);
    setRecentFiles(m_recentFiles);
}

void ConfigDocument::handleConfigurationChanged()
{
    if (m_applying || m_modified)
        return;
    m_modified = true;
    emit documentChanged();
}

} // namespace lbscope
