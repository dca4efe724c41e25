#include "windowmain.h"

#include "config/configwriter.h"
#include "configdocument.h"
#include "mainwindow.h"
#include "proxy/engine.h"

#include <QApplication>
#include <QFile>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace {

constexpr auto SeedResource = ":/configs/photos.conf"_L1;

QByteArray seedText()
{
    QFile seed(SeedResource);
    return seed.open(QIODevice::ReadOnly) ? seed.readAll() : QByteArray();
}

// The command line's file, else the last session's pool, else the seed; what failed is said
// in the window, which then runs the next choice.
QString openFirstThatWorks(lbscope::ConfigDocument &document, const QString &configPath)
{
    QString error;
    QStringList problems;
    if (!configPath.isEmpty()) {
        if (document.open(configPath, &error))
            return {};
        problems.append(QApplication::translate("windowmain", "%1 was not opened: %2").arg(configPath, error));
    } else {
        const QSettings settings;
        const QByteArray last = settings.value(u"session/pool"_s).toByteArray();
        const QString name = settings.value(u"session/name"_s, u"lbscope.conf"_s).toString();
        if (!last.isEmpty()) {
            if (document.openText(last, name, &error))
                return {};
            problems.append(
                QApplication::translate("windowmain", "The last session's pool did not start: %1").arg(error));
        }
    }
    if (document.openText(seedText(), u"photos.conf"_s, &error))
        return problems.join(u'\n');
    problems.append(QApplication::translate("windowmain", "The photos pool did not start: %1. "
                                                          "Change the listen address in the Configuration view "
                                                          "and press Apply.")
                        .arg(error));
    return problems.join(u'\n');
}

} // namespace

bool displayAvailable(QString *why)
{
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY") ||
        qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return true;
    *why = u"lbscope: no display to open the window on (DISPLAY is not set); run the proxy without one: "
           "lbscope --headless --config FILE [--demo]"_s;
    return false;
}

int runWindow(int &argc, char **argv, const QString &configPath, bool demo)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"lbscope"_s);
    QApplication::setApplicationDisplayName(u"LB Scope"_s);
    QApplication::setOrganizationName(u"lbscope"_s);
    QApplication::setApplicationVersion(QStringLiteral(LBSCOPE_VERSION));
    QApplication::setDesktopFileName(u"io.github.lbscope.LBScope"_s);
    lbscope::Engine engine;
    lbscope::ConfigDocument document(engine);
    document.setDemoInstancesEnabled(demo);
    {
        const QSettings settings;
        document.setRecentFiles(settings.value(u"session/recentFiles"_s).toStringList());
    }
    const QString problems = openFirstThatWorks(document, configPath);
    lbscope::MainWindow window(engine, document);
    window.restoreLayout();
    if (!problems.isEmpty())
        window.showStartupError(problems);
    else if (!document.demoProblem().isEmpty())
        window.showStartupError(
            QApplication::translate("windowmain", "The demo instances did not start: %1").arg(document.demoProblem()));
    window.show();
    const int code = app.exec();

    QSettings settings;
    if (engine.isRunning()) {
        settings.setValue(u"session/pool"_s, lbscope::ConfigWriter::write(engine.configuration()));
        settings.setValue(u"session/name"_s, document.displayName());
    }
    settings.setValue(u"session/recentFiles"_s, document.recentFiles());
    engine.stop();
    engine.stopDemoInstances();
    return code;
}
