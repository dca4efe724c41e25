// The nginx twin: the window's switch runs the same configuration in a real nginx (a child
// process on its own port), sends the traffic panel's requests to both, and draws nginx's picks
// under LB Scope's. On the seed's pool and on 5:1:1 the two agree request for request; a pick
// that differs is marked; off stops nginx; without nginx the switch says what to install; a
// configuration nginx refuses shows nginx's own message. Skipped where nginx is not installed.

#include "configdocument.h"
#include "demopoolfixture.h"
#include "mainwindow.h"
#include "proxy/engine.h"
#include "teaching/nginxtwinpanel.h"
#include "teaching/sequencestrip.h"
#include "traffic/trafficpanel.h"
#include "twin/nginxtwinconfig.h"
#include "twin/twincomparison.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

#include <csignal>
#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int StartTimeoutMs = 15'000;
constexpr int RunTimeoutMs = 20'000;

AccessRecord lbscopeRecord(quint64 id, quint64 sequence, const QByteArray &upstreamAddr)
{
    AccessRecord record;
    record.id = id;
    record.status = 200;
    record.requestHeaders = "Host: a\r\nX-LBScope-Seq: " + QByteArray::number(sequence);
    record.upstreamAddr = upstreamAddr;
    return record;
}

// For the README and for a look at what the class sees: build/screenshots/NAME.png.
void saveShot(QWidget *window, const QString &name)
{
    // The pending relayouts (the panel's, then its parent's) of a switch that just went off.
    for (int round = 0; round < 3; ++round)
        QCoreApplication::processEvents();
    const QString dir = QStringLiteral(LBSCOPE_BINARY_DIR "/screenshots");
    if (QDir().mkpath(dir) && window->grab().save(dir + u'/' + name + u".png"_s))
        qInfo("saved %s/%s.png", qPrintable(dir), qPrintable(name));
}

bool processExists(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

// The whole window on a pool of its own.
struct Window
{
    DemoPoolFixture pool;
    std::unique_ptr<ConfigDocument> document;
    std::unique_ptr<MainWindow> window;

    bool open(const QList<int> &weights = {1, 1, 1}, const QString &upstreamExtra = {})
    {
        if (!pool.start(upstreamExtra, weights))
            return false;
        document = std::make_unique<ConfigDocument>(pool.engine());
        window = std::make_unique<MainWindow>(pool.engine(), *document);
        window->resize(1280, 720);
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }
    NginxTwinPanel &twin() const { return *window->nginxTwinPanel(); }
    template <typename T> T *child(const QString &name) const { return window->findChild<T *>(name); }
    // The traffic panel's own controls: other views have a "concurrency" of their own.
    template <typename T> T *trafficControl(const QString &name) const
    {
        return window->trafficPanel()->findChild<T *>(name);
    }

    bool switchOn()
    {
        QTest::mouseClick(child<QToolButton>(u"nginxTwinButton"_s), Qt::LeftButton);
        return QTest::qWaitFor(
                   [&] {
                       return twin().twin().status() != NginxTwin::Status::Starting &&
                              twin().twin().status() != NginxTwin::Status::Off;
                   },
                   StartTimeoutMs) &&
               twin().twin().status() == NginxTwin::Status::Running;
    }

    // count requests one at a time through the traffic panel, to LB Scope and to nginx.
    bool sendSequential(int count)
    {
        trafficControl<QSpinBox>(u"concurrency"_s)->setValue(1);
        trafficControl<QSpinBox>(u"burstCount"_s)->setValue(count);
        QSignalSpy finished(window->trafficPanel(), &TrafficPanel::runFinished);
        QTest::mouseClick(trafficControl<QPushButton>(u"sendBurst"_s), Qt::LeftButton);
        return finished.wait(RunTimeoutMs);
    }
};

} // namespace

class TestNginxTwin : public QObject
{
    Q_OBJECT

    QString m_nginx;

    void requireNginx()
    {
        if (m_nginx.isEmpty())
            QSKIP("nginx is not installed (Debian: sudo apt install nginx-light); the twin cannot run");
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_nginx = NginxProcess::findBinary();
    }

    // The comparison alone, on hand-made records: pairs by sequence in either order, marks the
    // one pick that differs, and counts over the newest Window pairs only.
    void comparisonMarksADifferentPick()
    {
        TwinComparison comparison;
        comparison.addLbscope({lbscopeRecord(11, 0, "127.0.0.1:3000"), lbscopeRecord(12, 1, "127.0.0.1:3100"),
                               lbscopeRecord(13, 2, "127.0.0.1:3101"), lbscopeRecord(14, 3, "")});
        QCOMPARE(comparison.summary().compared, 0); // nginx has logged none yet
        comparison.addNginx({{1, 200, "127.0.0.1:3100", "200"},
                             {0, 200, "127.0.0.1:3000", "200"},
                             {2, 200, "127.0.0.1:3000", "200"},
                             {3, 502, "", ""}});
        const TwinComparison::Summary summary = comparison.summary();
        QCOMPARE(summary.compared, 4);
        QCOMPARE(summary.differences, 1);
        QCOMPARE(summary.differingSequences, QSet<quint64>{2});
        QCOMPARE(summary.differingRecordIds, QSet<quint64>{13});
        QCOMPARE(comparison.lbscopeRecordId(2), 13u);

        // A retry is part of the pick: the same final backend after other attempts differs.
        QVERIFY(!TwinComparison::samePicks("127.0.0.1:3000, 127.0.0.1:3100", "127.0.0.1:3100"));
        QVERIFY(TwinComparison::samePicks("", "-"));

        // Only the newest Window pairs count.
        TwinComparison window;
        QList<AccessRecord> records;
        QList<NginxTwinRecord> picks;
        for (quint64 i = 0; i < TwinComparison::Window + 10; ++i) {
            records.append(lbscopeRecord(i + 1, i, "127.0.0.1:3000"));
            picks.append({i, 200, i < 10 ? "127.0.0.1:3100" : "127.0.0.1:3000", "200"});
        }
        window.addLbscope(records);
        window.addNginx(picks);
        QCOMPARE(window.summary().compared, TwinComparison::Window);
        QCOMPARE(window.summary().differences, 0);
        // Records without the header are not nginx twin traffic.
        AccessRecord plain;
        plain.requestHeaders = "Host: a";
        QVERIFY(!TwinComparison::sequenceOf(plain));
    }

    void logLinesParse()
    {
        QCOMPARE(NginxTwinLog::parseLine("17|200|127.0.0.1:3100|200"),
                 (NginxTwinRecord{17, 200, "127.0.0.1:3100", "200"}));
        QCOMPARE(NginxTwinLog::parseLine("3|502|127.0.0.1:3000, 127.0.0.1:3100|502, 502"),
                 (NginxTwinRecord{3, 502, "127.0.0.1:3000, 127.0.0.1:3100", "502, 502"}));
        QCOMPARE(NginxTwinLog::parseLine("4|404|-|-"), (NginxTwinRecord{4, 404, "", ""}));
        QVERIFY(!NginxTwinLog::parseLine("-|200|127.0.0.1:3100|200")); // not the generator's
        QVERIFY(!NginxTwinLog::parseLine("garbage"));
    }

    void twinAgreesWithLbscope_data()
    {
        QTest::addColumn<QList<int>>("weights");
        QTest::newRow("seed pool, three equal") << QList<int>{1, 1, 1};
        QTest::newRow("weights 5:1:1") << QList<int>{5, 1, 1};
    }

    void twinAgreesWithLbscope()
    {
        requireNginx();
        QFETCH(QList<int>, weights);
        constexpr int Requests = 70;
        Window view;
        QVERIFY2(view.open(weights), qPrintable(view.pool.error()));
        QVERIFY2(view.switchOn(), qPrintable(view.twin().statusText()));
        QVERIFY(view.twin().toggleAction()->isChecked());
        QVERIFY(view.twin().strip()->isVisible());
        QVERIFY2(view.twin().statusText().contains(QString::number(view.twin().twin().port())),
                 qPrintable(view.twin().statusText()));
        const QString config = QString::fromUtf8([&] {
            QFile file(NginxTwinConfig::configPath(view.twin().twin().prefix()));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }());
        // Everything nginx writes stays in the prefix; the same worker_processes as LB Scope's.
        const QString prefix = view.twin().twin().prefix();
        for (const QString &line :
             {u"listen 127.0.0.1:%1;"_s.arg(view.twin().twin().port()), u"pid %1/nginx.pid;"_s.arg(prefix),
              u"error_log %1/error.log;"_s.arg(prefix), u"proxy_temp_path %1/proxy;"_s.arg(prefix),
              u"access_log %1 lbscope_twin;"_s.arg(NginxTwinConfig::accessLogPath(prefix)),
              u"worker_processes %1;"_s.arg(view.pool.engine().configuration().workerProcesses)})
            QVERIFY2(config.contains(line), qPrintable(line + u"\n"_s + config));
        QCOMPARE(config.count(u"listen "_s), 1);

        QVERIFY(view.sendSequential(Requests));
        SequenceStrip *lbscope = view.window->sequenceStrip();
        SequenceStrip *nginx = view.twin().strip();
        QTRY_VERIFY_WITH_TIMEOUT(lbscope->count() == Requests && nginx->count() == Requests &&
                                     view.twin().summary().compared == Requests,
                                 RunTimeoutMs);
        QCOMPARE(nginx->peers(), lbscope->peers());
        QCOMPARE(view.twin().summary().differences, 0);
        QCOMPARE(lbscope->markedCount(), 0);
        QCOMPARE(nginx->markedCount(), 0);
        QCOMPARE(view.twin().differencesText(), u"0 differences in the last %1"_s.arg(Requests));
        // The picks follow the weights: it is a real comparison, not two empty strips.
        const QList<QByteArray> peers = nginx->peers();
        QCOMPARE(peers.count(view.pool.peer(0)), weights[0] == 5 ? 50 : 24);
        if (weights[0] == 5)
            saveShot(view.window.get(), u"nginx-twin-5-1-1"_s);
    }

    // random picks on each proxy's own random numbers: deliberately different pairings, which
    // both strips mark, cell for cell, and the count tells.
    void differentPicksAreMarkedInBothStrips()
    {
        requireNginx();
        constexpr int Requests = 30; // all 30 alike by chance: (1/3)^30
        Window view;
        QVERIFY2(view.open({1, 1, 1}, u"    random;\n"_s), qPrintable(view.pool.error()));
        QVERIFY2(view.switchOn(), qPrintable(view.twin().statusText()));
        QVERIFY(view.sendSequential(Requests));
        SequenceStrip *lbscope = view.window->sequenceStrip();
        SequenceStrip *nginx = view.twin().strip();
        QTRY_VERIFY_WITH_TIMEOUT(view.twin().summary().compared == Requests && nginx->count() == Requests,
                                 RunTimeoutMs);
        const int differences = view.twin().summary().differences;
        QVERIFY(differences > 0);
        QCOMPARE(lbscope->markedCount(), differences);
        QCOMPARE(nginx->markedCount(), differences);
        int differingCells = 0;
        for (int i = 0; i < Requests; ++i) {
            const bool differs = lbscope->peers()[i] != nginx->peers()[i];
            QCOMPARE(lbscope->isMarked(i), differs);
            QCOMPARE(nginx->isMarked(i), differs);
            differingCells += differs ? 1 : 0;
        }
        QCOMPARE(differingCells, differences);
        QVERIFY(nginx->cellText(0).contains(u"#0"_s));
        QCOMPARE(view.twin().differencesText(), u"%1 differences in the last %2"_s.arg(differences).arg(Requests));
        saveShot(view.window.get(), u"nginx-twin-random"_s);
    }

    // An edit in LB Scope reaches nginx (a reload); an edit nginx refuses leaves it on the
    // previous configuration, and the panel says so in nginx's words.
    void editsReloadNginx()
    {
        requireNginx();
        Window view;
        QVERIFY2(view.open(), qPrintable(view.pool.error()));
        QVERIFY2(view.switchOn(), qPrintable(view.twin().statusText()));
        const qint64 pid = view.twin().twin().processId();
        const QString configPath = NginxTwinConfig::configPath(view.twin().twin().prefix());
        QSignalSpy reloaded(&view.twin().twin(), &NginxTwin::reloaded);

        Engine &engine = view.pool.engine();
        UpstreamServer server = engine.configuration().upstreams[0].servers[0];
        server.weight = 5;
        QString error;
        QVERIFY2(engine.updateServer(u"photos"_s, server.address, server, &error), qPrintable(error));
        QVERIFY(reloaded.wait(StartTimeoutMs));
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains(QByteArray(view.pool.peer(0) + " weight=5;")));
        QCOMPARE(view.twin().twin().processId(), pid); // reloaded, not restarted

        ProxyConfig refused = engine.configuration();
        refused.upstreams[0].zoneName = u"photos"_s; // a zone without a size: LB Scope runs it, nginx does not
        QVERIFY2(engine.reload(refused, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!view.twin().twin().errorText().isEmpty(), StartTimeoutMs);
        QCOMPARE(view.twin().twin().status(), NginxTwin::Status::Running);
        QVERIFY(processExists(pid));
        QVERIFY2(view.twin().statusText().contains(u"zero size shared memory zone"_s),
                 qPrintable(view.twin().statusText()));
        QVERIFY(view.twin().toggleAction()->isChecked());
    }

    void switchingOffStopsNginx()
    {
        requireNginx();
        Window view;
        QVERIFY2(view.open(), qPrintable(view.pool.error()));
        QVERIFY2(view.switchOn(), qPrintable(view.twin().statusText()));
        const qint64 pid = view.twin().twin().processId();
        QVERIFY(processExists(pid));
        QVERIFY(view.window->trafficPanel()->sequenceHeaders());
        // The View menu's action is the same switch.
        view.twin().toggleAction()->trigger();
        QCOMPARE(view.twin().twin().status(), NginxTwin::Status::Off);
        QTRY_VERIFY(!processExists(pid));
        QVERIFY(!view.twin().strip()->isVisible());
        QVERIFY(!view.window->trafficPanel()->sequenceHeaders());
        QVERIFY(view.twin().statusText().startsWith(u"Off"_s));
    }

    void withoutNginxTheSwitchSaysWhatToInstall()
    {
        Window view;
        QVERIFY2(view.open(), qPrintable(view.pool.error()));
        view.twin().twin().setBinary(u"/nonexistent/sbin/nginx"_s);
        QTest::mouseClick(view.child<QToolButton>(u"nginxTwinButton"_s), Qt::LeftButton);
        // Possibly on the first tick, once the configuration is known.
        QTRY_COMPARE(view.twin().twin().status(), NginxTwin::Status::NotInstalled);
        QVERIFY(!view.twin().toggleAction()->isChecked());
        QVERIFY2(view.twin().statusText().contains(u"sudo apt install nginx-light"_s),
                 qPrintable(view.twin().statusText()));
        QVERIFY(view.child<QLabel>(u"nginxTwinStatus"_s)->isVisible());
        QVERIFY(!view.twin().strip()->isVisible());
        QVERIFY(!view.window->trafficPanel()->sequenceHeaders());
    }

    // LB Scope runs a zone without a size; nginx 1.22 refuses it, and the switch says so in
    // nginx's words.
    void aConfigurationNginxRefusesShowsItsMessage()
    {
        requireNginx();
        Window view;
        QVERIFY2(view.open({1, 1, 1}, u"    zone photos;\n"_s), qPrintable(view.pool.error()));
        QVERIFY(!view.switchOn());
        QCOMPARE(view.twin().twin().status(), NginxTwin::Status::Failed);
        QVERIFY2(view.twin().statusText().contains(u"zero size shared memory zone \"photos\""_s),
                 qPrintable(view.twin().statusText()));
        QVERIFY(!view.twin().toggleAction()->isChecked());
        QCOMPARE(view.twin().twin().port(), 0);
        saveShot(view.window.get(), u"nginx-twin-refused"_s);
    }
};

QTEST_MAIN(TestNginxTwin)
#include "tst_nginxtwin.moc"
