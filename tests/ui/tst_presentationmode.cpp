// Presentation mode on the whole window against a real engine: F11 makes text, chart titles and
// lines larger, the palette high-contrast and the window full screen; F11 again gives back
// exactly what was there; the mode comes back with the next window.

#include "charts/chartspanel.h"
#include "charts/ratechart.h"
#include "configdocument.h"
#include "demopoolfixture.h"
#include "logs/logpanel.h"
#include "mainwindow.h"
#include "presentationmode.h"
#include "traffic/trafficpanel.h"
#include "upstream/upstreameditor.h"
#include "upstream/weightslider.h"

#include <QApplication>
#include <QChart>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestPresentationMode : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DemoPoolFixture> m_pool;
    std::unique_ptr<ConfigDocument> m_document;
    std::unique_ptr<MainWindow> m_window;

    bool openWindow()
    {
        if (!m_pool) {
            m_pool = std::make_unique<DemoPoolFixture>();
            if (!m_pool->start())
                return false;
            m_document = std::make_unique<ConfigDocument>(m_pool->engine());
        }
        m_window = std::make_unique<MainWindow>(m_pool->engine(), *m_document);
        // Inside the 1280x720 screen (restoreGeometry moves a window that is not), and tall enough that
        // no view is at its minimum height: a layout pressed against a minimum can come back a pixel off.
        m_window->setGeometry(20, 24, 1240, 690);
        m_window->show();
        m_window->activateWindow();
        return QTest::qWaitForWindowActive(m_window.get());
    }

    // The first backend's line in the rate chart, once the first tick made it.
    QLineSeries *rateLine() const { return m_window->chartsPanel()->rateChart()->series(m_pool->peer(0)); }

    QAction *presentationAction() const
    {
        for (QAction *action : m_window->findChildren<QAction *>()) {
            if (action->shortcut() == QKeySequence(Qt::Key_F11))
                return action;
        }
        return nullptr;
    }

    bool allServerRowsInView() const
    {
        const QTableView *servers = m_window->upstreamEditor()->view();
        const int rows = servers->model()->rowCount();
        const QRect last = servers->visualRect(servers->model()->index(rows - 1, 0));
        return rows == 3 && servers->viewport()->rect().contains(last);
    }

    // Where each dock and the middle are, and which are in view: what the user sees of the layout.
    // (saveState's bytes also hold size hints, which may settle a little later after the font
    // change without moving anything.)
    static QStringList layoutOf(const MainWindow &window)
    {
        QStringList layout;
        const auto describe = [](const QString &name, const QWidget *widget) {
            // A dock in a tab behind another is parked off screen, wherever.
            if (widget->visibleRegion().isEmpty())
                return u"%1 not in view"_s.arg(name);
            const QRect r = widget->geometry();
            return u"%1 %2,%3 %4x%5"_s.arg(name).arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
        };
        for (const QDockWidget *dock : window.findChildren<QDockWidget *>())
            layout.append(describe(dock->objectName(), dock));
        layout.append(describe(u"central"_s, window.centralWidget()));
        return layout;
    }

    static qreal titleSize(const MainWindow &window)
    {
        return window.chartsPanel()->rateChart()->chart()->titleFont().pointSizeF();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void cleanup()
    {
        m_window.reset();
        m_document.reset();
        m_pool.reset();
        QSettings().clear();
    }

    void f11TogglesEverythingAndBack()
    {
        QVERIFY(openWindow());
        QTRY_VERIFY(rateLine());
        const QFont font = QApplication::font();
        const QPalette palette = QApplication::palette();
        const qreal title = titleSize(*m_window);
        const qreal pen = rateLine()->pen().widthF();
        const QRect geometry = m_window->geometry();
        const QStringList layout = layoutOf(*m_window);
        const int logRow = m_window->logPanel()->tableView()->verticalHeader()->defaultSectionSize();
        const int serverRow = m_window->upstreamEditor()->view()->verticalHeader()->defaultSectionSize();
        // A figure with a font of its own (ApplicationFontFollower) grows too.
        const QLabel *weight = m_window->upstreamEditor()->weightSlider()->valueLabel();
        const qreal weightSize = weight->font().pointSizeF();
        QVERIFY(!m_window->isFullScreen());

        QTest::keyClick(m_window.get(), Qt::Key_F11);
        QVERIFY(m_window->presentationMode()->isEnabled());
        QVERIFY(presentationAction() && presentationAction()->isChecked());
        QCOMPARE_GT(QApplication::font().pointSizeF(), font.pointSizeF() * 1.2);
        const QPalette contrast = PresentationMode::highContrastPalette();
        QCOMPARE(QApplication::palette().color(QPalette::Base), QColor(Qt::white));
        QCOMPARE(QApplication::palette().color(QPalette::Text), contrast.color(QPalette::Text));
        QCOMPARE(QApplication::palette().color(QPalette::Highlight), contrast.color(QPalette::Highlight));
        // The views restyle on the font change they receive.
        QTRY_VERIFY(titleSize(*m_window) > title);
        QTRY_VERIFY(rateLine()->pen().widthF() > pen);
        QCOMPARE(m_window->chartsPanel()->rateChart()->chart()->backgroundBrush().color(), QColor(Qt::white));
        QTRY_VERIFY(m_window->logPanel()->tableView()->verticalHeader()->defaultSectionSize() > logRow);
        QTRY_VERIFY(m_window->upstreamEditor()->view()->verticalHeader()->defaultSectionSize() > serverRow);
        QCOMPARE_GT(weight->font().pointSizeF(), weightSize * 1.2);
        QTRY_VERIFY(m_window->isFullScreen());
        QVERIFY(m_window->menuBar()->isVisible());
        // Arranged for the projector: the window fits the 1280x720 screen, every server's row is in
        // view, and the Traffic panel is as wide as it needs.
        QTRY_COMPARE(m_window->geometry(), m_window->screen()->geometry());
        QTRY_VERIFY(allServerRowsInView());
        auto *traffic = m_window->findChild<QDockWidget *>(u"TrafficDock"_s);
        QVERIFY(traffic->widget()->width() >= m_window->trafficPanel()->minimumSizeHint().width());
        QCOMPARE(QSettings().value(u"view/presentationMode"_s).toBool(), true);

        QTest::keyClick(m_window.get(), Qt::Key_F11);
        QVERIFY(!m_window->presentationMode()->isEnabled());
        QVERIFY(!presentationAction()->isChecked());
        QCOMPARE(QApplication::font(), font);
        QCOMPARE(QApplication::palette(), palette);
        QCOMPARE(weight->font().pointSizeF(), weightSize);
        QTRY_VERIFY(!m_window->isFullScreen());
        QTRY_COMPARE(m_window->geometry(), geometry);
        QTRY_COMPARE(layoutOf(*m_window), layout);
        QTRY_COMPARE(titleSize(*m_window), title);
        QTRY_COMPARE(rateLine()->pen().widthF(), pen);
        QTRY_COMPARE(m_window->logPanel()->tableView()->verticalHeader()->defaultSectionSize(), logRow);
        QTRY_COMPARE(m_window->upstreamEditor()->view()->verticalHeader()->defaultSectionSize(), serverRow);
        QCOMPARE(QSettings().value(u"view/presentationMode"_s).toBool(), false);
    }

    void modeComesBackWithTheNextWindow()
    {
        const QFont font = QApplication::font();
        QVERIFY(openWindow());
        m_window->presentationMode()->setEnabled(true);
        QTRY_VERIFY(m_window->isFullScreen());
        // Closing saves the layout from before the mode, not the full-screen one.
        m_window->close();
        QVERIFY(!QSettings().value(u"window/geometry"_s).toByteArray().isEmpty());
        m_window.reset();
        QCOMPARE(QApplication::font(), font); // a window that goes gives the application its font back

        QVERIFY(openWindow());
        QTRY_VERIFY(m_window->presentationMode()->isEnabled());
        QCOMPARE_GT(QApplication::font().pointSizeF(), font.pointSizeF());
        QTRY_VERIFY(m_window->isFullScreen());
        m_window->presentationMode()->setEnabled(false);
        QCOMPARE(QApplication::font(), font);
        QTRY_VERIFY(!m_window->isFullScreen());
    }
};

QTEST_MAIN(TestPresentationMode)
#include "tst_presentationmode.moc"
