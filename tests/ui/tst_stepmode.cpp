// Step mode in the whole window against a real engine: turning it on stops a steady rate and
// keeps automatic traffic from starting; each Space sends exactly one request, however fast
// it is pressed, and the strips and the Algorithm state panel advance one step, with a
// sentence that names the chosen backend. Also renders the README's picture of the panel
// during a 5:1:1 round robin (build/screenshots/state-panel.png).

#include "configdocument.h"
#include "demowindowfixture.h"
#include "livepoller.h"
#include "mainwindow.h"
#include "presentationmode.h"
#include "teaching/algorithmstatepanel.h"
#include "teaching/sequencestrip.h"
#include "teaching/weightedroundrobinview.h"
#include "traffic/trafficpanel.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestStepMode : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<DemoWindowFixture> m_rig;

    bool openWindow(const QList<int> &weights)
    {
        m_rig = std::make_unique<DemoWindowFixture>();
        return m_rig->open(weights);
    }
    quint64 logged() const { return m_rig->pool().engine().accessLog().lastId(); }
    AccessRecord record(quint64 id) const
    {
        AccessRecord found;
        m_rig->pool().engine().accessLog().findNewest([id](const AccessRecord &each) { return each.id == id; }, &found);
        return found;
    }
    // Ticks have delivered everything logged to the views.
    bool settled() const
    {
        return m_rig->window().statePanel()->shownId() == logged() &&
               m_rig->window().algorithmStrip()->count() == int(logged());
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanup() { m_rig.reset(); }

    void stepModeStopsASteadyRate()
    {
        QVERIFY2(openWindow({1, 1, 1}), qPrintable(m_rig->pool().error()));
        TrafficPanel *traffic = m_rig->window().trafficPanel();
        auto *rateButton = traffic->findChild<QPushButton *>(u"rateStartStop"_s);
        auto *burstButton = traffic->findChild<QPushButton *>(u"sendBurst"_s);
        QVERIFY(rateButton && burstButton);
        QTRY_VERIFY(rateButton->isEnabled());
        QTest::mouseClick(rateButton, Qt::LeftButton);
        QTRY_VERIFY(traffic->isRunning());
        QTRY_VERIFY(logged() > 0);

        QTest::keyClick(&m_rig->window(), Qt::Key_F8); // View > Step Mode
        QVERIFY(m_rig->window().stepModeAction()->isChecked());
        QVERIFY(traffic->isStepMode());
        QVERIFY(!traffic->isRunning());
        QVERIFY(!rateButton->isEnabled());
        QVERIFY(!burstButton->isEnabled());
        QVERIFY(rateButton->toolTip().contains(u"Step mode is on"_s));
        // The Algorithm page comes to the front, its Step button ready.
        auto *views = m_rig->window().findChild<QTabWidget *>();
        QVERIFY(views->currentWidget()->isAncestorOf(m_rig->window().statePanel()));
        QVERIFY(m_rig->window().statePanel()->stepButton()->isVisible());
        // Nothing starts a rate now: a click on the disabled button does nothing.
        QTest::mouseClick(rateButton, Qt::LeftButton);
        QVERIFY(!traffic->isRunning());

        QTest::keyClick(&m_rig->window(), Qt::Key_F8);
        QVERIFY(!traffic->isStepMode());
        QVERIFY(rateButton->isEnabled());
    }

    void eachSpaceSendsExactlyOneRequest()
    {
        QVERIFY2(openWindow({5, 1, 1}), qPrintable(m_rig->pool().error()));
        m_rig->window().stepModeAction()->trigger();
        QVERIFY(m_rig->window().statePanel()->isStepMode());
        AlgorithmStatePanel *panel = m_rig->window().statePanel();
        QCOMPARE(logged(), 0u);
        // Wherever the focus is: here on the Step button itself.
        panel->stepButton()->setFocus();
        for (quint64 press = 1; press <= 7; ++press) {
            QTest::keyClick(&m_rig->window(), Qt::Key_Space);
            QTRY_COMPARE(logged(), press);
            QTRY_VERIFY(settled());
            QCOMPARE(m_rig->window().sequenceStrip()->count(), int(press));
            QCOMPARE(panel->historyIds().size(), qsizetype(press));
            const AccessRecord last = record(press);
            const QByteArray picked = last.decisions.last().pickedName();
            QCOMPARE(picked, last.upstreamAddr);
            QVERIFY2(panel->sentenceLabel()->text().startsWith(QString::fromLatin1(picked) + u" chosen"_s),
                     qPrintable(panel->sentenceLabel()->text()));
            const QTableWidget *table = panel->roundRobinView()->table();
            const int chosen = last.decisions.last().picked;
            QVERIFY(table->item(chosen, 0)->text().startsWith(u"\u25b6"_s));
            QCOMPARE(table->item(chosen, WeightedRoundRobinView::BeforeColumn)->text(),
                     QString::number(last.decisions.last().weightsBefore.value(chosen)));
        }
        // nginx's smooth 5:1:1: a a b a c a a.
        QCOMPARE(
            m_rig->window().algorithmStrip()->peers(),
            (QByteArrayList{m_rig->pool().peer(0), m_rig->pool().peer(0), m_rig->pool().peer(1), m_rig->pool().peer(0),
                            m_rig->pool().peer(2), m_rig->pool().peer(0), m_rig->pool().peer(0)}));

        // Pressed faster than the answers come, now from the list of recent picks: still one
        // request per press, none lost.
        panel->historyList()->setFocus();
        for (int press = 0; press < 4; ++press)
            QTest::keyClick(&m_rig->window(), Qt::Key_Space);
        QTRY_COMPARE(logged(), 11u);
        QTRY_VERIFY(!m_rig->window().trafficPanel()->isRunning());
        QTRY_VERIFY(settled());
        // And nothing more after the queue ran dry.
        const quint64 sequence = m_rig->window().poller()->lastTick().sequence;
        QTRY_VERIFY(m_rig->window().poller()->lastTick().sequence >= sequence + 3);
        QCOMPARE(logged(), 11u);
        QCOMPARE(panel->historyIds().size(), 11);

        // The Step button does the same.
        QTest::mouseClick(panel->stepButton(), Qt::LeftButton);
        QTRY_COMPARE(logged(), 12u);
        QTRY_VERIFY(settled());
    }

    void stripCellShowsItsPick()
    {
        QVERIFY2(openWindow({5, 1, 1}), qPrintable(m_rig->pool().error()));
        m_rig->window().stepModeAction()->trigger();
        for (quint64 press = 1; press <= 5; ++press) {
            QTest::keyClick(&m_rig->window(), Qt::Key_Space);
            QTRY_COMPARE(logged(), press);
        }
        QTRY_VERIFY(settled());
        SequenceStrip *strip = m_rig->window().algorithmStrip();
        QVERIFY(strip->isVisible());
        QTest::mouseClick(strip, Qt::LeftButton, {}, strip->cellRect(1).center());
        QCOMPARE(m_rig->window().statePanel()->shownId(), strip->idAt(1));
        QVERIFY(m_rig->window().statePanel()->headerLabel()->text().contains(u"#%1 "_s.arg(strip->idAt(1))));
    }

    // The README's picture: 5:1:1 round robin a cycle of seven steps and three more, the third picking the second
    // server.
    void statePanelScreenshot()
    {
        QVERIFY2(openWindow({5, 1, 1}), qPrintable(m_rig->pool().error()));
        m_rig->window().stepModeAction()->trigger();
        for (quint64 press = 1; press <= 10; ++press) {
            QTest::keyClick(&m_rig->window(), Qt::Key_Space);
            QTRY_COMPARE(logged(), press);
        }
        QTRY_VERIFY(settled());
        const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/state-panel.png"_s;
        QVERIFY(m_rig->window().grab().save(path));
        qInfo("saved %s", qPrintable(path));
        // The same on a projector: presentation mode's larger font and high contrast.
        m_rig->window().presentationMode()->setEnabled(true);
        QTest::keyClick(&m_rig->window(), Qt::Key_Space);
        QTRY_COMPARE(logged(), 11u);
        QTRY_VERIFY(settled());
        QVERIFY(m_rig->window().grab().save(dir + u"/state-panel-presentation.png"_s));
        m_rig->window().presentationMode()->setEnabled(false);
    }
};

QTEST_MAIN(TestStepMode)
#include "tst_stepmode.moc"
