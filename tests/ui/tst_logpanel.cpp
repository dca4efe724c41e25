// The Logs dock driven as a user would: the backend combo, the status toggles and the search
// field narrow the table; pause freezes it while requests are counted; export writes exactly
// the rows shown; clicking a row shows why its request went to its backend.

#include "backendpalette.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logrequests.h"
#include "logs/accesslogfiltermodel.h"
#include "logs/accesslogmodel.h"
#include "logs/logpanel.h"
#include "logs/requestdetailview.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestLogPanel : public QObject
{
    Q_OBJECT

    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<LogPanel> panel;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<QAbstractItemModelTester> modelTester;
        std::unique_ptr<QAbstractItemModelTester> filterTester;

        bool start(const QSize &size = {1200, 420})
        {
            if (!pool.start())
                return false;
            panel = std::make_unique<LogPanel>(&palette);
            modelTester = std::make_unique<QAbstractItemModelTester>(
                panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            filterTester = std::make_unique<QAbstractItemModelTester>(
                panel->filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            panel->resize(size);
            panel->show();
            poller = std::make_unique<LivePoller>(pool.engine());
            QObject::connect(poller.get(), &LivePoller::ticked, panel.get(), &LogPanel::handleTick);
            poller->start(20);
            return QTest::qWaitForWindowExposed(panel.get());
        }

        template <typename T> T *child(const QString &name) const { return panel->findChild<T *>(name); }
        int shown() const { return panel->filterModel()->rowCount(); }
        QByteArray peerShown(int row) const
        {
            return panel->filterModel()->index(row, 0).data(AccessLogModel::PeerRole).toByteArray();
        }
        int statusShown(int row) const
        {
            return panel->filterModel()->index(row, AccessLogModel::StatusColumn).data().toInt();
        }
    };

    // A mix of pages and 503s: 3 * 10 requests, every fifth one a /status/503.
    static QByteArrayList mixedPaths(int count)
    {
        QByteArrayList paths;
        for (int i = 0; i < count; ++i)
            paths.append(i % 5 == 3 ? "/status/503"_ba : "/photos/" + QByteArray::number(i));
        return paths;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void backendComboFilters()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(12)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 12);

        auto *combo = rig.child<QComboBox>(u"backendFilter"_s);
        QVERIFY(combo);
        QCOMPARE(combo->count(), 4); // All backends + the three of the pool
        QCOMPARE(combo->itemData(1).toByteArray(), rig.pool.peer(0));
        QVERIFY(!combo->itemIcon(1).isNull());
        combo->setFocus();
        QTest::keyClick(combo, Qt::Key_Down);
        QTest::keyClick(combo, Qt::Key_Down);
        QCOMPARE(combo->currentData().toByteArray(), rig.pool.peer(1));
        QCOMPARE(rig.shown(), 4);
        for (int row = 0; row < rig.shown(); ++row)
            QCOMPARE(rig.peerShown(row), rig.pool.peer(1));
        QVERIFY(rig.child<QLabel>(u"logStatus"_s)->text().contains(u"4 of 12"_s));

        // Rows that arrive later are filtered too.
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(3)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 15);
        QCOMPARE(rig.shown(), 5);

        QTest::keyClick(combo, Qt::Key_Home);
        QCOMPARE(rig.shown(), 15);

        // What another view asks for, and one click on a backend cell.
        rig.panel->setBackendFilter(rig.pool.peer(2));
        QCOMPARE(combo->currentData().toByteArray(), rig.pool.peer(2));
        QCOMPARE(rig.shown(), 5);
        rig.panel->setBackendFilter({});
        QCOMPARE(rig.shown(), 15);

        QSignalSpy activated(rig.panel.get(), &LogPanel::backendActivated);
        QTableView *table = rig.panel->tableView();
        const QModelIndex cell = rig.panel->filterModel()->index(rig.shown() - 1, AccessLogModel::BackendColumn);
        table->scrollTo(cell);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
        QCOMPARE(activated.size(), 1);
        const QByteArray clicked = activated.first().first().toByteArray();
        QCOMPARE(clicked, rig.pool.peer(14 % 3));
        QCOMPARE(combo->currentData().toByteArray(), clicked);
        QCOMPARE(rig.shown(), 5);
    }

    void statusTogglesAndSearch()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(10)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 10);

        // Only 5xx: switch the other three off.
        for (const QString &name : {u"status2xx"_s, u"status3xx"_s, u"status4xx"_s}) {
            auto *toggle = rig.child<QToolButton>(name);
            QVERIFY(toggle);
            QTest::mouseClick(toggle, Qt::LeftButton);
            QVERIFY(!toggle->isChecked());
        }
        QCOMPARE(rig.shown(), 2);
        for (int row = 0; row < rig.shown(); ++row)
            QCOMPARE(rig.statusShown(row), 503);

        // Everything but 5xx.
        for (const QString &name : {u"status2xx"_s, u"status3xx"_s, u"status4xx"_s, u"status5xx"_s})
            QTest::mouseClick(rig.child<QToolButton>(name), Qt::LeftButton);
        QCOMPARE(rig.shown(), 8);
        for (int row = 0; row < rig.shown(); ++row)
            QCOMPARE(rig.statusShown(row), 200);
        QTest::mouseClick(rig.child<QToolButton>(u"status5xx"_s), Qt::LeftButton);
        QCOMPARE(rig.shown(), 10);

        // Ctrl+F goes to the search field; typing narrows, clearing shows all again.
        auto *search = rig.child<QLineEdit>(u"logSearch"_s);
        rig.panel->tableView()->setFocus();
        QTest::keyClick(rig.panel->tableView(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(search->hasFocus());
        QTest::keyClicks(search, u"PHOTOS/1"_s);
        QCOMPARE(rig.shown(), 1);
        QCOMPARE(rig.panel->filterModel()->index(0, AccessLogModel::UriColumn).data().toString(), u"/photos/1"_s);
        search->clear();
        QTest::keyClicks(search, u"503"_s);
        QCOMPARE(rig.shown(), 2);
        search->clear();
        QCOMPARE(rig.shown(), 10);
    }

    void pauseFreezesThenCatchesUp()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(4)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 4);

        auto *pause = rig.child<QToolButton>(u"pause"_s);
        QTest::mouseClick(pause, Qt::LeftButton);
        QVERIFY(rig.panel->isPaused());
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(6)));
        QTRY_COMPARE(rig.panel->pendingCount(), 6u);
        const quint64 sequence = rig.poller->lastTick().sequence;
        QTRY_VERIFY(rig.poller->lastTick().sequence > sequence + 2); // ticks keep coming
        QCOMPARE(rig.panel->model()->rowCount(), 4);
        QVERIFY(rig.child<QLabel>(u"logStatus"_s)->text().contains(u"paused, 6 new"_s));

        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(rig.panel->model()->rowCount(), 10);
        QCOMPARE(rig.panel->pendingCount(), 0u);
        for (int row = 0; row < 10; ++row)
            QCOMPARE(rig.panel->model()->recordAt(row)->id, quint64(row + 1));
        QVERIFY(!rig.child<QLabel>(u"logStatus"_s)->text().contains(u"paused"_s));

        QTest::mouseClick(rig.child<QPushButton>(u"clear"_s), Qt::LeftButton);
        QCOMPARE(rig.panel->model()->rowCount(), 0);
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(2)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 2);
        QCOMPARE(rig.panel->model()->recordAt(0)->id, 11u);
    }

    void followStopsWhenScrolledUp()
    {
        Rig rig;
        QVERIFY2(rig.start({900, 300}), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 60)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 60);
        QScrollBar *bar = rig.panel->tableView()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        QVERIFY(rig.panel->isFollowing());
        QTRY_COMPARE(bar->value(), bar->maximum());

        bar->setValue(0); // as the wheel does
        QVERIFY(!rig.panel->isFollowing());
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 10)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 70);
        QCOMPARE(bar->value(), 0);

        bar->setValue(bar->maximum());
        QVERIFY(rig.panel->isFollowing());
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 10)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 80);
        QTRY_COMPARE(bar->value(), bar->maximum());
    }

    void exportWritesTheFilteredRows()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(15)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 15);
        rig.panel->setBackendFilter(rig.pool.peer(0));
        QCOMPARE(rig.shown(), 5);
        QList<quint64> ids;
        for (int row = 0; row < rig.shown(); ++row)
            ids.append(rig.panel->filterModel()->index(row, 0).data(AccessLogModel::RecordIdRole).toULongLong());

        QTemporaryDir dir;
        QString error;
        const QString csvPath = dir.filePath(u"log.csv"_s);
        QCOMPARE(rig.panel->exportShown(csvPath, AccessLogExport::Format::Csv, &error), 5);
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArrayList lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), 1 + 5 + 1); // header, rows, and the empty piece after the last CRLF
        QCOMPARE(lines[0] + '\n', AccessLogExport::csvHeader());
        for (int row = 0; row < 5; ++row) {
            QVERIFY(lines[row + 1].startsWith(QByteArray(QByteArray::number(ids[row]) + ',')));
            QVERIFY(lines[row + 1].contains(rig.pool.peer(0)));
        }

        const QString jsonPath = dir.filePath(u"log.jsonl"_s);
        QCOMPARE(rig.panel->exportShown(jsonPath, AccessLogExport::Format::JsonLines, &error), 5);
        QFile jsonl(jsonPath);
        QVERIFY(jsonl.open(QIODevice::ReadOnly));
        QByteArrayList objects = jsonl.readAll().split('\n');
        QCOMPARE(objects.takeLast(), QByteArray());
        QCOMPARE(objects.size(), 5);
        for (int row = 0; row < 5; ++row) {
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(objects[row], &parseError);
            QCOMPARE(parseError.error, QJsonParseError::NoError);
            QCOMPARE(quint64(document.object().value("id"_L1).toDouble()), ids[row]);
            QCOMPARE(document.object().value("upstream_addr"_L1).toString(), QString::fromLatin1(rig.pool.peer(0)));
        }

        // Bad input: a folder that does not exist changes nothing and says why.
        QCOMPARE(rig.panel->exportShown(dir.filePath(u"missing/log.csv"_s), AccessLogExport::Format::Csv, &error), -1);
        QVERIFY(!error.isEmpty());
    }

    void clickedRowShowsItsDecision()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(5)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 5);
        RequestDetailView *detail = rig.panel->detailView();
        QVERIFY(detail->plainText().contains(u"Select a request"_s));

        QTableView *table = rig.panel->tableView();
        const QModelIndex cell = rig.panel->filterModel()->index(3, AccessLogModel::UriColumn);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
        QVERIFY(detail->record());
        QCOMPARE(detail->record()->id, 4u);
        const AccessRecord &record = *detail->record();
        const QString text = detail->plainText();
        QVERIFY2(text.contains(u"GET /status/503 HTTP/1.1"_s), qPrintable(text));
        QVERIFY(text.contains(QString::fromLatin1(record.decisions[0].describe())));
        // Round robin, weights 1,1,1, fourth request: the first backend again.
        QCOMPARE(AccessLogModel::finalPeer(record), rig.pool.peer(0));
        QVERIFY2(text.contains(QString::fromLatin1(rig.pool.peer(0)) + u" had the highest (1)"_s), qPrintable(text));
        QVERIFY(text.contains(u"subtracted"_s));
        QVERIFY(text.contains(u"answered 503"_s));
        QVERIFY(text.contains(u"Headers sent upstream\n(not available)"_s));

        // The hooks the window fills in.
        detail->setUpstreamHeadProvider([](const AccessRecord &shown) -> QByteArray {
            return "GET " + shown.uri + " HTTP/1.0\r\nHost: photos.example.com\r\n\r\n";
        });
        detail->setDemoLineProvider(
            [](const AccessRecord &shown) -> QString { return u"demo saw #%1"_s.arg(shown.id); });
        QVERIFY(detail->plainText().contains(u"GET /status/503 HTTP/1.0\nHost: photos.example.com"_s));
        QVERIFY(detail->plainText().contains(u"demo saw #4"_s));

        // New rows and rows leaving the ring do not change what is shown.
        rig.panel->model()->setCapacity(5);
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(6)));
        QTRY_COMPARE(rig.panel->model()->totalSeen(), 11u);
        QCOMPARE(detail->record()->id, 4u);
    }

    // What a click on a sequence-strip cell asks for: that record, selected, in view, with its
    // decision, even when the backend filter hid it; following stops so it stays there.
    void showRecordSelectsItById()
    {
        Rig rig;
        QVERIFY2(rig.start({1200, 300}), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(60)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 60);

        QVERIFY(rig.panel->showRecord(7));
        RequestDetailView *detail = rig.panel->detailView();
        QVERIFY(detail->record());
        QCOMPARE(detail->record()->id, 7u);
        QTableView *table = rig.panel->tableView();
        QVERIFY(table->viewport()->rect().intersects(table->visualRect(table->currentIndex())));
        QVERIFY(!rig.panel->isFollowing());

        // Filtered to another backend than record 8's, showing it clears the filter.
        const QByteArray peerOf8 = AccessLogModel::finalPeer(*rig.panel->model()->recordAt(7));
        rig.panel->setBackendFilter(peerOf8 == rig.pool.peer(0) ? rig.pool.peer(1) : rig.pool.peer(0));
        QVERIFY(rig.shown() < 60);
        QVERIFY(rig.panel->showRecord(8));
        QCOMPARE(rig.shown(), 60);
        QCOMPARE(detail->record()->id, 8u);

        QVERIFY(!rig.panel->showRecord(61)); // not logged (yet)
        QVERIFY(!rig.panel->showRecord(0));
        QCOMPARE(detail->record()->id, 8u);
    }

    // LBSCOPE_SCREENSHOT=path renders the panel after ~30 requests with some 503s.
    void screenshot()
    {
        const QString path = qEnvironmentVariable("LBSCOPE_SCREENSHOT");
        if (path.isEmpty())
            QSKIP("set LBSCOPE_SCREENSHOT to a .png path to render the panel");
        const QSize size = qEnvironmentVariableIsSet("LBSCOPE_SCREENSHOT_TALL") ? QSize(430, 650) : QSize(1280, 300);
        Rig rig;
        QVERIFY2(rig.start(size), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), mixedPaths(30)));
        QTRY_COMPARE(rig.panel->model()->rowCount(), 30);
        QTableView *table = rig.panel->tableView();
        const QModelIndex cell = rig.panel->filterModel()->index(28, AccessLogModel::UriColumn);
        table->scrollTo(cell);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(cell).center());
        QTest::mouseClick(rig.child<QToolButton>(u"status3xx"_s), Qt::LeftButton); // to see both states
        QVERIFY(rig.panel->grab().save(path));
    }
};

QTEST_MAIN(TestLogPanel)
#include "tst_logpanel.moc"
