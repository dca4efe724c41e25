// The sequence strip against a real engine: its cells follow the picks in order (round robin's
// cycle, nginx's smooth 5-1-1), it keeps only the newest Capacity, a stopped backend drops out
// of it, and a cell tells its decision and, clicked, names its record.

#include "backendpalette.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "logrequests.h"
#include "teaching/sequencestrip.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

class TestSequenceStrip : public QObject
{
    Q_OBJECT

    // A strip fed by a poller that ticks when the test asks (pollNow), on a pool of its own.
    struct Rig
    {
        DemoPoolFixture pool;
        BackendPalette palette;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<SequenceStrip> strip;

        bool start(const QList<int> &weights = {1, 1, 1})
        {
            if (!pool.start({}, weights))
                return false;
            poller = std::make_unique<LivePoller>(pool.engine());
            strip = std::make_unique<SequenceStrip>(&palette);
            QObject::connect(poller.get(), &LivePoller::ticked, strip.get(), &SequenceStrip::handleTick);
            // The pool's order is the palette's: backend 1, 2, 3.
            for (int i = 0; i < 3; ++i)
                palette.numberFor(pool.peer(i));
            return true;
        }
        int held()
        {
            poller->pollNow();
            return strip->count();
        }
        QList<int> numbers()
        {
            QList<int> result;
            for (const QByteArray &peer : strip->peers())
                result.append(peer.isEmpty() ? 0 : palette.numberFor(peer));
            return result;
        }
        QList<quint64> ids() const
        {
            QList<quint64> result;
            for (int i = 0; i < strip->count(); ++i)
                result.append(strip->idAt(i));
            return result;
        }
    };

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void roundRobinCycles()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 9)));
        QTRY_COMPARE(rig.held(), 9);
        QCOMPARE(rig.numbers(), (QList<int>{1, 2, 3, 1, 2, 3, 1, 2, 3}));
        QCOMPARE(rig.ids(), (QList<quint64>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }

    void smoothWeightedPattern()
    {
        Rig rig;
        QVERIFY2(rig.start({5, 1, 1}), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 7)));
        QTRY_COMPARE(rig.held(), 7);
        // nginx's smooth weighted round robin: a a b a c a a, not a a a a a b c.
        QCOMPARE(rig.numbers(), (QList<int>{1, 1, 2, 1, 3, 1, 1}));
    }

    void keepsOnlyTheNewest()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 120)));
        QTRY_COMPARE(rig.held(), 120);
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 130)));
        const auto newest = [&rig] {
            rig.poller->pollNow();
            return rig.strip->idAt(rig.strip->count() - 1);
        };
        QTRY_COMPARE(newest(), 250u);
        QCOMPARE(rig.strip->count(), SequenceStrip::Capacity);
        QList<quint64> expected;
        for (quint64 id = 51; id <= 250; ++id)
            expected.append(id);
        QCOMPARE(rig.ids(), expected);
        // Still in the cycle: record n went to backend (n - 1) % 3 + 1.
        const QList<int> numbers = rig.numbers();
        QCOMPARE(numbers.first(), 50 % 3 + 1);
        QCOMPARE(numbers.last(), 249 % 3 + 1);
    }

    void aStoppedBackendIsSkipped()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 3)));
        QTRY_COMPARE(rig.held(), 3);
        QString error;
        QVERIFY2(rig.pool.engine().demoInstances()->stopInstance(u"web-client2"_s, &error), qPrintable(error));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 9)));
        QTRY_COMPARE(rig.held(), 12);
        const QList<int> numbers = rig.numbers().mid(3);
        QVERIFY2(!numbers.contains(2), qPrintable(QString::number(numbers.count(2))));
        QVERIFY(numbers.contains(1));
        QVERIFY(numbers.contains(3));
        // The first request sent to the stopped one was passed on: its cell says so.
        bool retried = false;
        for (int i = 3; i < rig.strip->count(); ++i)
            retried = retried || rig.strip->cellText(i).contains(QString::fromLatin1(rig.pool.peer(1)) + u", "_s);
        QVERIFY(retried);
    }

    void cellTellsAndClicks()
    {
        Rig rig;
        QVERIFY2(rig.start(), qPrintable(rig.pool.error()));
        QVERIFY(sendRequests(rig.pool.proxyPort(), repeated("/photos/7", 4)));
        QTRY_COMPARE(rig.held(), 4);
        SequenceStrip &strip = *rig.strip;
        strip.resize(600, strip.sizeHint().height());
        strip.show();
        QVERIFY(QTest::qWaitForWindowExposed(&strip));

        const QString text = strip.cellText(1);
        QVERIFY2(text.contains(u"#2 GET /photos/7"_s), qPrintable(text));
        QVERIFY2(text.contains(u"rr: cw"_s), qPrintable(text));
        QVERIFY2(text.contains(u"was picked"_s), qPrintable(text)); // DecisionExplainer's sentence
        QVERIFY2(text.contains(QString::fromLatin1(rig.pool.peer(1))), qPrintable(text));

        // Newest on the right, in order.
        QVERIFY(strip.cellRect(0).right() < strip.cellRect(1).left());
        QVERIFY(strip.cellRect(3).right() <= strip.width());
        QVERIFY(strip.cellRect(3).width() >= SequenceStrip::MinCellWidth - 1);

        QSignalSpy records(&strip, &SequenceStrip::recordActivated);
        QSignalSpy backends(&strip, &SequenceStrip::backendActivated);
        QTest::mouseClick(&strip, Qt::LeftButton, {}, strip.cellRect(2).center());
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.at(0).at(0).toULongLong(), strip.idAt(2));
        QCOMPARE(backends.size(), 1);
        QCOMPARE(backends.at(0).at(0).toByteArray(), rig.pool.peer(2));
        QCOMPARE(strip.currentIndex(), 2);

        // The keyboard: Left moves to the older cell, Enter activates it.
        strip.setFocus();
        QTest::keyClick(&strip, Qt::Key_Left);
        QCOMPARE(strip.currentIndex(), 1);
        QTest::keyClick(&strip, Qt::Key_Return);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records.at(1).at(0).toULongLong(), strip.idAt(1));

        // Narrow: fewer cells, the newest still shown, the oldest left out.
        strip.resize(2 * 4 + 2 * SequenceStrip::MinCellWidth, strip.height());
        QCOMPARE(strip.visibleSlots(), 2);
        QVERIFY(strip.cellRect(0).isNull());
        QVERIFY(!strip.cellRect(3).isNull());
    }
};

QTEST_MAIN(TestSequenceStrip)
#include "tst_sequencestrip.moc"
