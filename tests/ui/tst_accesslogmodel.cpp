// The log's model keeps a bounded ring of the records the poller reads, in order, with the
// backend that answered; its filter narrows by backend, status class and text. Both run
// under QAbstractItemModelTester while real requests flow through the demo pool.

#include "backendpalette.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logrequests.h"
#include "logs/accesslogfiltermodel.h"
#include "logs/accesslogmodel.h"
#include "logs/decisionexplainer.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestAccessLogModel : public QObject
{
    Q_OBJECT

    // The pool, a poller feeding the model and both models under the tester.
    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        AccessLogModel model{&palette};
        AccessLogFilterModel filter;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<QAbstractItemModelTester> modelTester;
        std::unique_ptr<QAbstractItemModelTester> filterTester;

        bool start()
        {
            if (!pool.start())
                return false;
            filter.setSourceModel(&model);
            modelTester = std::make_unique<QAbstractItemModelTester>(
                &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            filterTester = std::make_unique<QAbstractItemModelTester>(
                &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
            poller = std::make_unique<LivePoller>(pool.engine());
            QObject::connect(poller.get(), &LivePoller::ticked, &model, &AccessLogModel::handleTick);
            poller->start(20);
            return true;
        }
    };

    static QByteArray peerAt(const QAbstractItemModel &model, int row)
    {
        return model.index(row, 0).data(AccessLogModel::PeerRole).toByteArray();
    }

private slots:
    void roundRobinRowsInOrder()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QStringList seen;
        connect(&rig.model, &AccessLogModel::backendSeen, this,
                [&](const QByteArray &peer) { seen.append(QString::fromLatin1(peer)); });
        QByteArrayList paths;
        for (int i = 0; i < 10; ++i)
            paths.append("/photos/" + QByteArray::number(i));
        QVERIFY(sendRequests(rig.pool.proxyPort(), paths));
        QTRY_COMPARE(rig.model.rowCount(), 10);

        for (int row = 0; row < 10; ++row) {
            QCOMPARE(peerAt(rig.model, row), rig.pool.peer(row % 3));
            QCOMPARE(rig.model.index(row, 0).data(AccessLogModel::RecordIdRole).toULongLong(), quint64(row + 1));
            QCOMPARE(rig.model.index(row, AccessLogModel::UriColumn).data().toString(),
                     QString::fromLatin1(paths[row]));
            QCOMPARE(rig.model.index(row, AccessLogModel::MethodColumn).data().toString(), u"GET"_s);
            QCOMPARE(rig.model.index(row, AccessLogModel::StatusColumn).data().toInt(), 200);
            QCOMPARE(rig.model.index(row, 0).data(AccessLogModel::StatusClassRole).toInt(), 2);
            QCOMPARE(rig.model.index(row, AccessLogModel::BackendColumn).data().toString(),
                     QString::fromLatin1(rig.pool.peer(row % 3)));
            QVERIFY(!rig.model.index(row, AccessLogModel::BackendColumn).data(Qt::DecorationRole).isNull());
            QVERIFY(rig.model.index(row, AccessLogModel::BackendColumn)
                        .data(Qt::ToolTipRole)
                        .toString()
                        .contains(QString::fromLatin1(rig.pool.peer(row % 3))));
            const QString time = rig.model.index(row, AccessLogModel::TimeColumn).data().toString();
            QVERIFY2(QTime::fromString(time, u"hh:mm:ss.zzz"_s).isValid(), qPrintable(time));
            QVERIFY(rig.model.recordAt(row));
            QCOMPARE(rig.model.recordAt(row)->decisions.size(), 1);
        }
        QCOMPARE(seen, (QStringList{QString::fromLatin1(rig.pool.peer(0)), QString::fromLatin1(rig.pool.peer(1)),
                                    QString::fromLatin1(rig.pool.peer(2))}));
        QCOMPARE(rig.model.recordAt(10), nullptr);
        QCOMPARE(rig.model.recordAt(-1), nullptr);
    }

    void ringKeepsTheNewest()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        rig.model.setCapacity(50);
        int removals = 0;
        connect(&rig.model, &QAbstractItemModel::rowsRemoved, this, [&] { ++removals; });
        // In two parts: one tick with all 120 would only ever insert the newest 50.
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 40)));
        QTRY_COMPARE(rig.model.totalSeen(), 40u);
        QCOMPARE(removals, 0);
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 80)));
        QTRY_COMPARE(rig.model.totalSeen(), 120u);
        QCOMPARE(rig.model.rowCount(), 50);
        QVERIFY(removals > 0);
        for (int row = 0; row < 50; ++row)
            QCOMPARE(rig.model.recordAt(row)->id, quint64(71 + row));
        QCOMPARE(rig.filter.rowCount(), 50);

        // Shrinking keeps the newest too; growing keeps everything.
        rig.model.setCapacity(20);
        QCOMPARE(rig.model.rowCount(), 20);
        QCOMPARE(rig.model.recordAt(0)->id, 101u);
        rig.model.setCapacity(100);
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/", 5)));
        QTRY_COMPARE(rig.model.rowCount(), 25);
        QCOMPARE(rig.model.recordAt(24)->id, 125u);

        rig.model.clear();
        QCOMPARE(rig.model.rowCount(), 0);
        QCOMPARE(rig.filter.rowCount(), 0);
    }

    // Batches of every size against a small ring, including batches bigger than the ring and
    // gaps the poller reports: rows stay the newest, in order.
    void batchesOfAnySize()
    {
        BackendPalette palette;
        AccessLogModel model(&palette);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(7);
        int removals = 0;
        int insertions = 0;
        int changes = 0;
        connect(&model, &QAbstractItemModel::rowsAboutToBeRemoved, this, [&] { ++removals; });
        connect(&model, &QAbstractItemModel::rowsAboutToBeInserted, this, [&] { ++insertions; });
        connect(&model, &QAbstractItemModel::dataChanged, this, [&] { ++changes; });
        quint64 nextId = 1;
        quint64 seen = 0;
        QList<quint64> appended;
        for (const int size : {1, 3, 0, 5, 7, 2, 11, 6, 1, 1, 9, 4}) {
            LiveTick tick;
            tick.skippedRecords = size == 6 ? 4 : 0; // a gap before this batch
            nextId += tick.skippedRecords;
            for (int i = 0; i < size; ++i) {
                AccessRecord record;
                record.id = nextId++;
                record.status = 200;
                tick.records.append(record);
                appended.append(record.id);
            }
            seen += quint64(size) + tick.skippedRecords;
            removals = insertions = 0;
            model.handleTick(tick);
            QVERIFY(removals <= 1);
            QCOMPARE(insertions, size > 0 ? 1 : 0);
            QCOMPARE(changes, 0);
            QCOMPARE(model.totalSeen(), seen);
            const QList<quint64> expected = appended.mid(std::max<qsizetype>(0, appended.size() - 7));
            QList<quint64> rows;
            for (int row = 0; row < model.rowCount(); ++row)
                rows.append(model.recordAt(row)->id);
            QCOMPARE(rows, expected);
        }
    }

    // Each method's decision in a sentence that names the backend it picked.
    void decisionsInWords_data()
    {
        QTest::addColumn<QString>("upstreamExtra");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("round robin") << QString() << u"had the highest (1) and was picked"_s;
        QTest::newRow("least_conn") << u"least_conn;\n"_s << u"Active connections [0,0,0]"_s;
        QTest::newRow("ip_hash") << u"ip_hash;\n"_s << u"Client 127.0.0.1 -> key 127.0.0 (the first three"_s;
        QTest::newRow("hash") << u"hash $request_uri;\n"_s << u"Key \"/photos/1\" -> hash"_s;
        QTest::newRow("consistent") << u"hash $request_uri consistent;\n"_s << u"the next point on the ring"_s;
        QTest::newRow("random two") << u"random two;\n"_s << u"Drew two servers at random"_s;
    }

    void decisionsInWords()
    {
        QFETCH(QString, upstreamExtra);
        QFETCH(QString, phrase);
        Rig rig;
        QVERIFY2(rig.pool.start(upstreamExtra), qPrintable(rig.pool.error()));
        LivePoller poller(rig.pool.engine());
        QVERIFY(sendRequests(rig.pool.proxyPort(), {"/photos/1"}));
        QTRY_VERIFY([&] {
            poller.pollNow();
            rig.model.handleTick(poller.lastTick());
            return rig.model.rowCount() == 1;
        }());
        const AccessRecord &record = *rig.model.recordAt(0);
        QCOMPARE(record.decisions.size(), 1);
        const PeerNames names = peerNamesFrom(poller.lastTick().stats, record.upstream);
        QCOMPARE(names.primary.size(), 3);
        const QString text =
            DecisionExplainer(record.decisions[0], names, record.clientAddress, AccessLogModel::finalPeer(record))
                .sentences()
                .join(u'\n');
        QVERIFY2(text.contains(phrase), qPrintable(text));
        QVERIFY2(text.contains(QString::fromLatin1(AccessLogModel::finalPeer(record))), qPrintable(text));
    }

    void filterByBackendStatusAndText()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        // Round robin: rows 0..8 go to backends 0,1,2,0,1,2,...; rows 2 and 7 ask for a 503.
        QByteArrayList paths = repeated("/photos/cat", 9);
        paths[2] = "/status/503";
        paths[7] = "/status/503";
        paths[4] = "/about";
        QVERIFY(sendRequests(rig.pool.proxyPort(), paths));
        QTRY_COMPARE(rig.model.rowCount(), 9);

        rig.filter.setBackend(rig.pool.peer(1));
        QCOMPARE(rig.filter.rowCount(), 3);
        for (int row = 0; row < 3; ++row)
            QCOMPARE(peerAt(rig.filter, row), rig.pool.peer(1));
        QVERIFY(rig.filter.isFiltering());
        rig.filter.setBackend({});
        QCOMPARE(rig.filter.rowCount(), 9);

        rig.filter.setStatusClasses(AccessLogFilterModel::ServerError);
        QCOMPARE(rig.filter.rowCount(), 2);
        QCOMPARE(rig.filter.index(0, AccessLogModel::StatusColumn).data().toInt(), 503);
        QCOMPARE(rig.filter.index(1, 0).data(AccessLogModel::RecordIdRole).toULongLong(), 8u);
        rig.filter.setStatusClasses(AccessLogFilterModel::AllStatusClasses & ~AccessLogFilterModel::ServerError);
        QCOMPARE(rig.filter.rowCount(), 7);

        // Both at once: backend 2 got rows 2, 5 and 8; only row 2 was a 503.
        rig.filter.setStatusClasses(AccessLogFilterModel::ServerError);
        rig.filter.setBackend(rig.pool.peer(2));
        QCOMPARE(rig.filter.rowCount(), 1);
        QCOMPARE(rig.filter.index(0, 0).data(AccessLogModel::RecordIdRole).toULongLong(), 3u);
        rig.filter.setBackend({});
        rig.filter.setStatusClasses(AccessLogFilterModel::AllStatusClasses);

        rig.filter.setText(u"ABOUT"_s);
        QCOMPARE(rig.filter.rowCount(), 1);
        QCOMPARE(rig.filter.index(0, AccessLogModel::UriColumn).data().toString(), u"/about"_s);
        rig.filter.setText(u"503"_s);
        QCOMPARE(rig.filter.rowCount(), 2);
        rig.filter.setText(QString::fromLatin1(rig.pool.peer(0)));
        QCOMPARE(rig.filter.rowCount(), 3);
        rig.filter.setText(u"get"_s);
        QCOMPARE(rig.filter.rowCount(), 9);

        // New rows pass the filter as they arrive.
        rig.filter.setText(u"/status/"_s);
        QVERIFY(sendRequests(rig.pool.proxyPort(), {"/status/503", "/photos/dog"}));
        QTRY_COMPARE(rig.model.rowCount(), 11);
        QCOMPARE(rig.filter.rowCount(), 3);
        rig.filter.setText({});
        QCOMPARE(rig.filter.rowCount(), 11);
        QVERIFY(!rig.filter.isFiltering());
    }
};

QTEST_MAIN(TestAccessLogModel)
#include "tst_accesslogmodel.moc"
