// The Lessons menu in the whole window, against a real engine and real demo instances: each
// built-in lesson loads from its menu entry (a real click on one of them), the card says what
// to point out, the traffic runs through the traffic panel, Save and Open go through the real
// file dialogs and round-trip, and a malformed file is refused with its reason, changing nothing.

#include "config/configwriter.h"
#include "configdocument.h"
#include "demo/demofleet.h"
#include "demowindowfixture.h"
#include "livepoller.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "presentationmode.h"
#include "proxy/engine.h"
#include "scenario/scenariofile.h"
#include "scenario/scenariorunner.h"
#include "teaching/lessoncard.h"
#include "teaching/lessoncontroller.h"
#include "traffic/trafficpanel.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// Answers the next file dialog with path, as a teacher typing it and pressing Enter would. It
// looks for the dialog among the top-level widgets (under load it may not be the active modal
// widget yet), and gives up after 20 s by rejecting any modal dialog, so a test fails, not hangs.
void answerFileDialog(const QString &path)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QElapsedTimer waited;
    waited.start();
    QObject::connect(timer, &QTimer::timeout, timer, [timer, path, waited] {
        QFileDialog *dialog = nullptr;
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *candidate = qobject_cast<QFileDialog *>(widget); candidate && candidate->isVisible())
                dialog = candidate;
        }
        if (!dialog && waited.elapsed() < 20'000)
            return;
        timer->stop();
        timer->deleteLater();
        if (!dialog) {
            for (QWidget *widget : QApplication::topLevelWidgets()) {
                if (auto *modal = qobject_cast<QDialog *>(widget); modal && modal->isVisible())
                    modal->reject();
            }
            return;
        }
        // The name typed in, as a teacher would: selectFile alone can lose the race with the
        // dialog's own default name while the directory loads.
        const QFileInfo file(path);
        dialog->setDirectory(file.absolutePath());
        dialog->selectFile(file.fileName());
        if (auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s))
            name->setText(file.fileName());
        static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept, as Enter would
    });
    timer->start();
}

// The pool without its listener (a lesson keeps the window's) as nginx text.
QByteArray poolText(ProxyConfig config)
{
    for (ServerConfig &server : config.servers)
        server.listens.clear();
    return ConfigWriter::write(config);
}

} // namespace

class TestLessons : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DemoWindowFixture> m_rig;

    LessonController *lessons() const { return m_rig->window().lessons(); }
    Engine &engine() const { return m_rig->pool().engine(); }

    bool openWindow()
    {
        // The lessons' backends follow the running pool to the fixture's own loopback address.
        m_rig = std::make_unique<DemoWindowFixture>();
        return m_rig->open();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QVERIFY2(openWindow(), qPrintable(m_rig->pool().error())); }
    void cleanup() { m_rig.reset(); }

    void menuListsTheLessons()
    {
        QMenu *menu = m_rig->window().findChild<QMenu *>(u"lessonsMenu"_s);
        QVERIFY(menu);
        QVERIFY(m_rig->window().menuBar()->actions().contains(menu->menuAction()));
        QCOMPARE(lessons()->builtInActions().size(), 7);
        const QStringList paths = ScenarioFile::builtInPaths();
        for (qsizetype i = 0; i < paths.size(); ++i) {
            QAction *action = lessons()->builtInActions()[i];
            QVERIFY2(action->isEnabled(), qPrintable(action->toolTip()));
            QVERIFY(menu->actions().contains(action));
            QVERIFY(action->text().contains(ScenarioFile::read(paths[i]).scenario->title));
        }
        QVERIFY(menu->actions().contains(lessons()->openAction()));
        QVERIFY(menu->actions().contains(lessons()->saveAction()));
        QVERIFY(!lessons()->card()->isVisible()); // no lesson yet
    }

    // A real click on the menu entry: the pool is rebuilt, the card says what to point out and
    // the panel sends the traffic, which reaches every backend of the lesson.
    void clickLoadsALesson()
    {
        QMenu *menu = lessons()->menu();
        QAction *action = lessons()->builtInActions().first();
        menu->popup(m_rig->window().mapToGlobal(QPoint(200, 100)));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());

        const Scenario lesson = *ScenarioFile::read(ScenarioFile::builtInPaths().first()).scenario;
        QTRY_VERIFY(lessons()->card()->isVisible());
        QCOMPARE(lessons()->card()->title(), lesson.title);
        QCOMPARE(lessons()->card()->description(), lesson.description);
        QVERIFY(m_rig->window().windowTitle().startsWith(u"three-equal.conf"_s));
        QVERIFY(m_rig->window().trafficPanel()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(engine().accessLog().lastId() >= 3, 10'000);
        QList<AccessRecord> records;
        engine().accessLog().readAfter(0, &records);
        QSet<QByteArray> peers;
        for (const AccessRecord &record : std::as_const(records))
            peers.insert(record.upstreamAddr);
        QCOMPARE(peers.size(), 3);
        QVERIFY(lessons()->card()->status().contains(u"of 30 s"_s));
        QTRY_VERIFY(m_rig->window().trafficPanel()->progress().done >= 3); // its progress shows there

        // Stop lesson: the traffic stops, the card stays and says so.
        auto *stop = lessons()->card()->findChild<QPushButton *>(u"lessonStop"_s);
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(!m_rig->window().trafficPanel()->isRunning());
        QVERIFY(!lessons()->runner().isRunning());
        QCOMPARE(lessons()->card()->status(), u"Finished"_s);
        QVERIFY(lessons()->card()->isVisible());
    }

    // A lesson's traffic is automatic: starting one in step mode (F8) leaves step mode.
    void aLessonEndsStepMode()
    {
        QTest::keyClick(&m_rig->window(), Qt::Key_F8);
        QVERIFY(m_rig->window().stepModeAction()->isChecked());
        QVERIFY(m_rig->window().trafficPanel()->isStepMode());
        lessons()->builtInActions().first()->trigger();
        QTRY_VERIFY(m_rig->window().trafficPanel()->isRunning());
        QVERIFY(!m_rig->window().trafficPanel()->isStepMode());
        QVERIFY(!m_rig->window().stepModeAction()->isChecked());
    }

    // Every entry of the menu, triggered in turn, rebuilds its own pool and knobs.
    void everyEntryLoads()
    {
        const QStringList paths = ScenarioFile::builtInPaths();
        for (qsizetype i = 0; i < paths.size(); ++i) {
            const Scenario lesson = *ScenarioFile::read(paths[i]).scenario;
            lessons()->builtInActions()[i]->trigger();
            QVERIFY2(m_rig->window().messageBar()->text().isEmpty(), qPrintable(m_rig->window().messageBar()->text()));
            QCOMPARE(lessons()->card()->title(), lesson.title);
            QCOMPARE(poolText(engine().configuration()), poolText(lessons()->runner().placed(lesson).pool));
            QVERIFY(m_rig->window().trafficPanel()->isRunning());
            QCOMPARE(m_rig->window().trafficPanel()->currentPlan().pathTemplate, lesson.traffic.pathTemplate);
            int slowInstances = 0;
            for (const DemoFleet::Instance &instance : engine().demoInstances()->instances())
                slowInstances += instance.delayMs > 0;
            QCOMPARE(slowInstances, i == 2 ? 1 : 0); // only the slow lesson has one; none is left over
            // A lesson whose first step speaks shows its words at once.
            if (!lesson.steps.isEmpty() && lesson.steps.first().atSeconds == 0)
                QVERIFY(lessons()->card()->say().contains(lesson.steps.first().say));
        }
        lessons()->runner().stop();
    }

    // Save pool and traffic as scenario, then Open scenario, both through the real dialogs.
    void savedLessonRoundTrips()
    {
        QTemporaryDir dir;
        lessons()->builtInActions()[2]->trigger(); // the slow instance: a knob, a plan of its own
        QVERIFY(lessons()->runner().isRunning());
        const QByteArray pool = poolText(engine().configuration());
        const TrafficPlan plan = m_rig->window().trafficPanel()->currentPlan();

        const QString path = dir.filePath(u"mine"_s + ScenarioFile::Suffix);
        answerFileDialog(path);
        lessons()->saveAction()->trigger();
        QVERIFY2(QFile::exists(path), qPrintable(m_rig->window().messageBar()->text()));
        QVERIFY(QFile::exists(dir.filePath(u"mine.conf"_s)));
        QVERIFY(m_rig->window().messageBar()->text().contains(u"mine.lesson.json"_s));

        const auto delayOf3100 = [this] {
            for (const DemoFleet::Instance &instance : engine().demoInstances()->instances()) {
                if (instance.port == 3100)
                    return instance.delayMs;
            }
            return -1;
        };
        // Something else runs in between: the same three servers, none slow.
        lessons()->builtInActions()[0]->trigger();
        QCOMPARE(delayOf3100(), 0);

        answerFileDialog(path);
        lessons()->openAction()->trigger();
        QVERIFY2(m_rig->window().messageBar()->text().isEmpty(), qPrintable(m_rig->window().messageBar()->text()));
        QCOMPARE(poolText(engine().configuration()), pool);
        const TrafficPlan reopened = m_rig->window().trafficPanel()->currentPlan();
        QCOMPARE(reopened.mode, plan.mode);
        QCOMPARE(reopened.rate, plan.rate);
        QCOMPARE(reopened.durationSeconds, plan.durationSeconds);
        QCOMPARE(reopened.concurrency, plan.concurrency);
        QCOMPARE(reopened.simulatedClients, plan.simulatedClients);
        QCOMPARE(reopened.pathTemplate, plan.pathTemplate);
        QCOMPARE(reopened.host, plan.host);
        QCOMPARE(delayOf3100(), 400); // the knob came back
        QCOMPARE(lessons()->card()->title(), ScenarioFile::read(path).scenario->title);
        lessons()->runner().stop();
    }

    // The card over the charts while the crashing lesson runs, as the class sees it, in the
    // normal look and in presentation mode (build/screenshots/lesson-card*.png for the README).
    void lessonCardWhileRunning_data()
    {
        QTest::addColumn<bool>("presenting");
        QTest::newRow("normal") << false;
        QTest::newRow("presentation") << true;
    }

    void lessonCardWhileRunning()
    {
        QFETCH(bool, presenting);
        m_rig->window().presentationMode()->setEnabled(presenting);
        ScenarioRunner::Placement placement = lessons()->runner().placement();
        placement.timeScale = 0.5; // the crash at 1.5 s
        lessons()->runner().setPlacement(placement);
        lessons()->builtInActions()[3]->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(lessons()->runner().stepsApplied() >= 2, 10'000);
        QVERIFY(lessons()->card()->say().contains(u"3100 crashed"_s));
        QTRY_VERIFY_WITH_TIMEOUT(engine().accessLog().lastId() >= 50, 10'000);
        const quint64 sequence = m_rig->window().poller()->lastTick().sequence;
        QTRY_VERIFY(m_rig->window().poller()->lastTick().sequence >= sequence + 2);
        // The card and the charts under it share the middle; both keep room to be read.
        LessonCard *card = lessons()->card();
        QVERIFY(card->isVisible());
        QVERIFY(card->height() < m_rig->window().centralWidget()->height() / 2);
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + (presenting ? u"/lesson-card-presentation.png"_s : u"/lesson-card.png"_s);
        QVERIFY(m_rig->window().grab().save(path));
        qInfo("saved %s", qPrintable(path));
        lessons()->runner().stop();
        m_rig->window().presentationMode()->setEnabled(false);
    }

    // A malformed file: refused with its name and reason in the message bar; nothing changes.
    void malformedFileIsRefused()
    {
        lessons()->builtInActions()[1]->trigger();
        const QByteArray pool = ConfigWriter::write(engine().configuration());
        const QString title = lessons()->card()->title();
        QTemporaryDir dir;
        const QString path = dir.filePath(u"broken"_s + ScenarioFile::Suffix);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"title": "Broken", "pool": "broken.conf", "traffic": {"mode": "rate", "rate": -3}})");
        file.close();

        answerFileDialog(path);
        lessons()->openAction()->trigger();
        const QString message = m_rig->window().messageBar()->text();
        QVERIFY2(message.contains(u"broken.lesson.json"_s) && message.contains(u"traffic.rate"_s), qPrintable(message));
        QCOMPARE(m_rig->window().messageBar()->kind(), MessageBar::Kind::Error);
        QCOMPARE(ConfigWriter::write(engine().configuration()), pool);
        QCOMPARE(lessons()->card()->title(), title);
        QVERIFY(m_rig->window().trafficPanel()->isRunning()); // the lesson before goes on
        lessons()->runner().stop();
    }
};

QTEST_MAIN(TestLessons)
#include "tst_lessons.moc"
