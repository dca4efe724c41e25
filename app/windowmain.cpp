#include "windowmain.h"

#include "configdocument.h"
#include "mainwindow.h"
#include "proxy/engine.h"

#include <QApplication>
#include <QFile>

using namespace Qt::StringLiterals;

namespace {

constexpr auto SeedResource = ":/configs/photos.conf"_L1;

QByteArray seedText()
{
    QFile seed(SeedResource);
    return seed.open(QIODevice::ReadOnly) ? seed.readAll() : QByteArray();
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
    document.restoreRecentFiles();
    QString problems;
    document.openAtStart(configPath, seedText(), &problems);
    lbscope::MainWindow window(engine, document);
    window.restoreLayout();
    if (!problems.isEmpty())
        window.showStartupError(problems);
    else if (!document.demoProblem().isEmpty())
        window.showStartupError(
            QApplication::translate("windowmain", "The demo instances did not start: %1").arg(document.demoProblem()));
    window.show();
    const int code = app.exec();

    document.saveSession();
    engine.stop();
    engine.stopDemoInstances();
    return code;
}
