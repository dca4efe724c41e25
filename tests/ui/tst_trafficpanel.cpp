// The traffic panel fires real requests at a real engine through the TrafficGenerator and
// shows what came back: Send N, Send 1 with the Space key, a steady rate that Stop ends, and
// an invalid path template refused beside its field.

#include "backendpalette.h"
#include "demopoolfixture.h"
#include "traffic/ratecontrol.h"
#include "traffic/trafficpanel.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// LBSCOPE_SHOTS=DIR saves what the test sees, to look at.
void saveShot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("LBSCOPE_SHOTS");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents(); // the layout requests of the last changes
    if (widget->layout())
        widget->layout()->activate();
    widget->grab().save(dir + u'/' + name + u".png"_s);
}

QList<quint64> counts(const QList<BackendShare> &shares)
{
    QList<quint64> result;
    for (const BackendShare &share : shares)
        result.append(share.count);
    std::sort(result.begin(), result.end(), std::greater<>());
    return result;
}

} // namespace

class TestTrafficPanel : public QObject
{
    Q_OBJECT

private:
    struct View
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<TrafficPanel> panel;

        bool start(const QString &upstreamExtra = {})
        {
            if (!pool.start(upstreamExtra))
                return false;
            // As the seed's photos.conf does: responses name their backend, so the panel can say
            // which one served them.
            QString text = pool.configText();
            text.replace(u"$remote_addr;\n"_s,
                         u"$remote_addr;\n        add_header X-Upstream-Addr $upstream_addr;\n"_s);
            ConfigReadResult read = ConfigReader::readText(text.toUtf8(), u"photos.conf"_s);
            if (!read.ok())
                return false;
            read.config->servers[0].listens[0].port = 0;
            QString error;
            if (!pool.engine().reload(*read.config, &error))
                return false;
            panel = std::make_unique<TrafficPanel>(&palette);
            panel->setTarget(QHostAddress::LocalHost, pool.proxyPort());
            panel->resize(360, 600);
            panel->show();
            return QTest::qWaitForWindowActive(panel.get());
        }
        template <typename T> T *child(const QString &name) const { return panel->findChild<T *>(name); }
        quint64 engineRequests() { return pool.engine().snapshot().proxy.requests; }
    };

private slots:
    void sendTenThenSpaceSendsOne()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        auto *sendBurst = view.child<QPushButton>(u"sendBurst"_s);
        QVERIFY(sendBurst);
        QCOMPARE(sendBurst->text(), u"Send 10"_s);
        QSignalSpy finished(view.panel.get(), &TrafficPanel::runFinished);
        QTest::mouseClick(sendBurst, Qt::LeftButton);
        QVERIFY(finished.wait(10'000));
        QTRY_COMPARE(view.engineRequests(), 10u);
        QCOMPARE(view.child<QLabel>(u"done"_s)->text(), u"10"_s);
        QCOMPARE(view.child<QLabel>(u"failed"_s)->text(), u"0"_s);
        QCOMPARE(view.panel->progress().done, 10u);
        const QList<BackendShare> shares = view.panel->generator().distribution();
        QCOMPARE(counts(shares), (QList<quint64>{4, 3, 3}));
        QStringList backends;
        for (const BackendShare &share : shares)
            backends.append(share.backend);
        backends.sort();
        QCOMPARE(backends, (QStringList{QString::fromLatin1(view.pool.peer(0)), QString::fromLatin1(view.pool.peer(1)),
                                        QString::fromLatin1(view.pool.peer(2))}));
        QCOMPARE(view.child<QProgressBar>(u"progress"_s)->value(), 10);
        QVERIFY(view.panel->latency().count == 10 && view.panel->latency().p99Ms > 0);
        saveShot(view.panel.get(), u"trafficpanel-send10"_s);

        QTest::keyClick(view.panel.get(), Qt::Key_Space);
        QVERIFY(finished.wait(10'000));
        QTRY_COMPARE(view.engineRequests(), 11u);
        QCOMPARE(view.panel->progress().done, 1u);
        QVERIFY2(view.child<QLabel>(u"lastResult"_s)->text().contains(u"200"_s),
                 qPrintable(view.child<QLabel>(u"lastResult"_s)->text()));
    }

    void steadyRateRunsUntilStopped()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        view.child<RateControl>(u"rate"_s)->setValue(200);
        view.child<QSpinBox>(u"duration"_s)->setValue(60);
        auto *startStop = view.child<QPushButton>(u"rateStartStop"_s);
        auto *progress = view.child<QProgressBar>(u"progress"_s);
        QTest::mouseClick(startStop, Qt::LeftButton);
        QVERIFY(view.panel->isRunning());
        QVERIFY(startStop->isChecked());
        // One run at a time: Send 1 and Send N wait for this one.
        QVERIFY(!view.child<QPushButton>(u"sendBurst"_s)->isEnabled());
        QVERIFY(!view.panel->sendOneAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(view.panel->progress().done >= 100 && progress->value() > 0, 20'000);
        saveShot(view.panel.get(), u"trafficpanel-rate"_s);

        // Moving the rate during the run restarts it at the new rate, once the control rests.
        QSignalSpy started(view.panel.get(), &TrafficPanel::runStarted);
        view.child<RateControl>(u"rate"_s)->setValue(300);
        QVERIFY(started.wait(10'000));
        QVERIFY(view.panel->isRunning());
        QVERIFY(startStop->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(view.panel->progress().done >= 10, 20'000);

        QSignalSpy finished(view.panel.get(), &TrafficPanel::runFinished);
        QTest::mouseClick(view.child<QPushButton>(u"stop"_s), Qt::LeftButton);
        QCOMPARE(finished.size(), 1);
        QVERIFY(!view.panel->isRunning());
        QVERIFY(!startStop->isChecked());
        QCOMPARE(view.panel->progress().failed, 0u);
        QCOMPARE(view.child<QLabel>(u"failed"_s)->text(), u"0"_s);
        const quint64 requests = view.engineRequests();
        QVERIFY(requests >= 100);
        QVERIFY(view.child<QPushButton>(u"sendBurst"_s)->isEnabled());
    }

    void closingThePanelDuringARunStopsIt()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        QTest::mouseClick(view.child<QPushButton>(u"rateStartStop"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(view.panel->progress().done >= 1, 20'000);
        // The generator's finished() comes while the panel is being destroyed: it must not reach it.
        view.panel.reset();
        QCoreApplication::processEvents();
        QVERIFY(view.engineRequests() >= 1);
    }

    void anInvalidPathTemplateIsRefusedBesideTheField()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        auto *path = view.child<QLineEdit>(u"path"_s);
        path->selectAll();
        QTest::keyClicks(path, u"/photo/{rand:9-1}"_s);
        auto *error = view.child<QLabel>(u"pathError"_s);
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().startsWith(u"Not sent: "_s), qPrintable(error->text()));
        QTest::mouseClick(view.child<QPushButton>(u"sendBurst"_s), Qt::LeftButton);
        QTest::keyClick(view.panel.get(), Qt::Key_Space);
        QVERIFY(!view.panel->isRunning());
        QCOMPARE(view.panel->progress().sent, 0u);
        QCOMPARE(view.engineRequests(), 0u);
        QCOMPARE(QApplication::focusWidget(), path);
        saveShot(view.panel.get(), u"trafficpanel-badpath"_s);

        path->selectAll();
        QTest::keyClicks(path, u"/photo/{rand:1-9}"_s);
        QVERIFY(!error->isVisible());
    }

    void simulatedClientsSpreadOverIpHash()
    {
        View view;
        QVERIFY2(view.start(u"ip_hash;\n"_s), qPrintable(view.pool.error()));
        view.child<QSpinBox>(u"clients"_s)->setValue(30);
        QSignalSpy finished(view.panel.get(), &TrafficPanel::runFinished);
        view.child<QSpinBox>(u"burstCount"_s)->setValue(60);
        QTest::mouseClick(view.child<QPushButton>(u"sendBurst"_s), Qt::LeftButton);
        QVERIFY(finished.wait(10'000));
        QCOMPARE(view.panel->progress().done, 60u);
        // 30 addresses differing in their first three octets reach more than one server.
        QVERIFY(view.panel->generator().distribution().size() > 1);
    }
};

QTEST_MAIN(TestTrafficPanel)
#include "tst_trafficpanel.moc"
