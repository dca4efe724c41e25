// The upstream editor against a running engine and its demo pool: edits typed into the table
// change the engine's configuration and its next picks; invalid input is refused where it is
// typed and changes nothing; add, remove, reorder, drain and the method picker act at once;
// a crashed instance's row turns failed and says why; the weight slider sets the selected
// server's weight by keyboard and mouse and follows changes made elsewhere.

#include "../integration/httptestclient.h"
#include "backendpalette.h"
#include "demo/demobackend.h"
#include "demo/demofleet.h"
#include "demopoolfixture.h"
#include "livepoller.h"
#include "sliderdrag.h"
#include "upstream/addserverform.h"
#include "upstream/inlinemessage.h"
#include "upstream/methodpicker.h"
#include "upstream/serverfields.h"
#include "upstream/upstreameditor.h"
#include "upstream/upstreamtablemodel.h"
#include "upstream/validatinglineedit.h"
#include "upstream/weightslider.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPointer>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

using Column = UpstreamTableModel::Column;

// One window over one running pool, fed by a real poller.
struct Harness
{
    DemoPoolFixture pool;
    BackendPalette palette;
    std::unique_ptr<LivePoller> poller;
    std::unique_ptr<UpstreamEditor> editor;
    std::unique_ptr<QAbstractItemModelTester> tester;

    bool start(const QString &upstreamExtra = {})
    {
        if (!pool.start(upstreamExtra))
            return false;
        poller = std::make_unique<LivePoller>(pool.engine());
        editor = std::make_unique<UpstreamEditor>(&pool.engine(), &palette);
        tester = std::make_unique<QAbstractItemModelTester>(editor->model(),
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QObject::connect(poller.get(), &LivePoller::ticked, editor.get(), &UpstreamEditor::handleTick);
        editor->resize(1280, 300);
        editor->show();
        if (!QTest::qWaitForWindowExposed(editor.get()))
            return false;
        poller->pollNow();
        return editor->model()->rowCount() == 3;
    }

    UpstreamTableModel &model() { return *editor->model(); }
    QTableView &view() { return *editor->view(); }
    UpstreamConfig upstream() { return pool.engine().configuration().upstreams.value(0); }

    // Sends `count` GET requests, one connection each; false if any gets no 200.
    bool send(int count, const QByteArray &path = "/")
    {
        for (int i = 0; i < count; ++i) {
            HttpTestClient client;
            if (!client.connectTo(pool.proxyPort()))
                return false;
            client.send("GET " + path + " HTTP/1.1\r\nHost: photos.example.com\r\nConnection: close\r\n\r\n");
            const auto response = client.readResponse();
            if (!response || (path == "/" && response->status != 200))
                return false;
        }
        poller->pollNow();
        return true;
    }

    // Requests each demo peer has had since the engine started, in server order.
    QList<quint64> requestsPerPeer()
    {
        QList<quint64> counts;
        const StatsSnapshot stats = pool.engine().snapshot();
        for (int i = 0; i < 3; ++i) {
            const PeerSnapshot *peer = stats.findPeer(u"photos", pool.peer(i));
            counts.append(peer ? peer->counts.requests : 0);
        }
        return counts;
    }

    // Opens the cell's editor as a user does (select, F2) and returns it.
    ValidatingLineEdit *openEditor(int row, int column)
    {
        view().setFocus();
        view().setCurrentIndex(model().index(row, column));
        QTest::keyClick(&view(), Qt::Key_F2);
        return qobject_cast<ValidatingLineEdit *>(QApplication::focusWidget());
    }

    // Clicks a server's address cell, as a user picks the server the slider sets.
    WeightSlider &selectForSlider(int row)
    {
        const QRect cell = view().visualRect(model().index(row, Column::AddressColumn));
        QTest::mouseClick(view().viewport(), Qt::LeftButton, {}, cell.center());
        return *editor->weightSlider();
    }

    int weightCell(int row) { return model().data(model().index(row, Column::WeightColumn)).toInt(); }

    void typeInto(ValidatingLineEdit *line, const QString &text)
    {
        line->selectAll();
        QTest::keyClick(line, Qt::Key_Backspace);
        QTest::keyClicks(line, text);
    }
};

QList<quint64> minus(const QList<quint64> &after, const QList<quint64> &before)
{
    QList<quint64> delta;
    for (qsizetype i = 0; i < after.size(); ++i)
        delta.append(after[i] - before.value(i));
    return delta;
}

} // namespace

class TestUpstreamEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fieldsFollowNginxSyntax_data()
    {
        QTest::addColumn<int>("field");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("accepted");
        const int weight = int(ServerFields::Field::Weight);
        const int timeout = int(ServerFields::Field::FailTimeout);
        const int address = int(ServerFields::Field::Address);
        QTest::newRow("weight 5") << weight << u"5"_s << true;
        QTest::newRow("weight 0") << weight << u"0"_s << false;
        QTest::newRow("weight -3") << weight << u"-3"_s << false;
        QTest::newRow("weight abc") << weight << u"abc"_s << false;
        QTest::newRow("weight too big") << weight << u"99999999999"_s << false;
        QTest::newRow("max_fails 0") << int(ServerFields::Field::MaxFails) << u"0"_s << true;
        QTest::newRow("max_conns -1") << int(ServerFields::Field::MaxConns) << u"-1"_s << false;
        QTest::newRow("fail_timeout 30") << timeout << u"30"_s << true;
        QTest::newRow("fail_timeout 1m30s") << timeout << u"1m30s"_s << true;
        QTest::newRow("fail_timeout 500ms") << timeout << u"500ms"_s << false;
        QTest::newRow("fail_timeout 10x") << timeout << u"10x"_s << false;
        QTest::newRow("address ip:port") << address << u"127.0.0.1:3000"_s << true;
        QTest::newRow("address name") << address << u"localhost:3000"_s << true;
        QTest::newRow("address v6") << address << u"[::1]:3000"_s << true;
        QTest::newRow("address port 0") << address << u"127.0.0.1:0"_s << false;
        QTest::newRow("address no host") << address << u":80"_s << false;
        QTest::newRow("address unix") << address << u"unix:/tmp/s"_s << false;
    }

    void fieldsFollowNginxSyntax()
    {
        QFETCH(int, field);
        QFETCH(QString, text);
        QFETCH(bool, accepted);
        UpstreamServer server;
        server.address = u"127.0.0.1:1"_s;
        const UpstreamServer before = server;
        const QString reason = ServerFields::apply(ServerFields::Field(field), text, &server);
        QCOMPARE(reason.isEmpty(), accepted);
        if (!accepted)
            QCOMPARE(server, before); // refused: nothing half-applied
        else if (field == int(ServerFields::Field::FailTimeout))
            QCOMPARE(ServerFields::text(ServerFields::Field::FailTimeout, server),
                     text == u"30"_s ? u"30s"_s : u"90s"_s);
    }

    void editedWeightChangesThePicks()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        ValidatingLineEdit *line = h.openEditor(0, Column::WeightColumn);
        QVERIFY(line);
        h.typeInto(line, u"5"_s);
        QVERIFY(line->isAcceptable());
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_COMPARE(h.upstream().servers[0].weight, 5);
        QCOMPARE(h.model().data(h.model().index(0, Column::WeightColumn)).toString(), u"5"_s);

        const QList<quint64> before = h.requestsPerPeer();
        QVERIFY(h.send(7));
        QCOMPARE(minus(h.requestsPerPeer(), before), (QList<quint64>{5, 1, 1}));
    }

    void invalidWeightIsRefusedWhereTyped_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << u"0"_s;
        QTest::newRow("letters") << u"abc"_s;
        QTest::newRow("negative") << u"-3"_s;
        QTest::newRow("empty") << QString();
    }

    void invalidWeightIsRefusedWhereTyped()
    {
        QFETCH(QString, text);
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        const UpstreamConfig before = h.upstream();
        ValidatingLineEdit *line = h.openEditor(1, Column::WeightColumn);
        QVERIFY(line);
        h.typeInto(line, text);
        QVERIFY(!line->isAcceptable());
        QVERIFY(!line->reason().isEmpty());
        QCOMPARE(line->toolTip(), line->reason());
        const auto *label = h.view().viewport()->findChild<QLabel *>(u"reasonLabel"_s);
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QVERIFY(label->text().contains(line->reason()));

        const QPointer<ValidatingLineEdit> open(line);
        QTest::keyClick(line, Qt::Key_Return);
        QCoreApplication::processEvents();
        QVERIFY(open && open->isVisible()); // Enter did not take it: still editing
        QCOMPARE(QApplication::focusWidget(), line);
        QCOMPARE(h.upstream(), before);

        if (const QByteArray dir = qgetenv("LBSCOPE_SCREENSHOT_DIR"); !dir.isEmpty() && text == u"abc"_s)
            QVERIFY(h.editor->grab().save(QString::fromLocal8Bit(dir) + u"/upstream-editor-refused.png"_s));
        QTest::keyClick(line, Qt::Key_Escape);
        QTRY_VERIFY(!open || !open->isVisible());
        QCOMPARE(h.upstream(), before);
        QCOMPARE(h.model().data(h.model().index(1, Column::WeightColumn)).toString(), u"1"_s);

        // The model refuses the same text on its own, with the reason, for any other caller.
        QSignalSpy refused(&h.model(), &UpstreamTableModel::editRefused);
        QVERIFY(!h.model().setData(h.model().index(1, Column::WeightColumn), text));
        QCOMPARE(refused.size(), 1);
        QVERIFY(!refused.first().at(1).toString().isEmpty());
        QCOMPARE(h.upstream(), before);
    }

    void duplicateAddressIsRefusedBeforeTheEngine()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        const UpstreamConfig before = h.upstream();
        ValidatingLineEdit *line = h.openEditor(0, Column::AddressColumn);
        QVERIFY(line);
        h.typeInto(line, before.servers[1].address);
        QVERIFY(line->reason().contains(before.servers[1].address));
        const QPointer<ValidatingLineEdit> open(line);
        QTest::keyClick(line, Qt::Key_Return);
        QCoreApplication::processEvents();
        QVERIFY(open && open->isVisible());
        QTest::keyClick(line, Qt::Key_Escape);
        QCOMPARE(h.upstream(), before);
    }

    void drainedPeerGetsNoNewRequests()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        h.view().setFocus();
        h.view().setCurrentIndex(h.model().index(1, Column::DrainColumn));
        QTest::keyClick(&h.view(), Qt::Key_Space);
        QTRY_VERIFY(h.upstream().servers[1].draining);
        QCOMPARE(h.model().data(h.model().index(1, Column::DrainColumn), Qt::CheckStateRole).toInt(), int(Qt::Checked));

        const QList<quint64> before = h.requestsPerPeer();
        QVERIFY(h.send(6));
        QCOMPARE(minus(h.requestsPerPeer(), before), (QList<quint64>{3, 0, 3}));
        QCOMPARE(PeerState(h.model().data(h.model().index(1, 0), UpstreamTableModel::StateRole).toInt()),
                 PeerState::Draining);

        QTest::keyClick(&h.view(), Qt::Key_Space);
        QTRY_VERIFY(!h.upstream().servers[1].draining);
    }

    void addedServerTurnsFailedAndCanBeRemoved()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        h.view().setFocus();
        h.view().setCurrentIndex(h.model().index(0, Column::AddressColumn));
        QTest::keyClick(&h.view(), Qt::Key_Insert);
        AddServerForm *form = h.editor->addServerForm();
        QVERIFY(form->isVisible());
        ValidatingLineEdit *address = form->addressEdit();
        QCOMPARE(address->text(), h.pool.host() + u":3102"_s); // the next port, suggested

        h.typeInto(address, u"nonsense:"_s); // refused as typed
        QVERIFY(!form->reason().isEmpty());
        QTest::keyClick(address, Qt::Key_Return);
        QCOMPARE(h.upstream().servers.size(), 3);

        const QString added = h.pool.host() + u":3999"_s; // nothing listens there
        h.typeInto(address, added);
        QVERIFY(form->reason().isEmpty());
        QTest::keyClick(address, Qt::Key_Return);
        QTRY_COMPARE(h.upstream().servers.size(), 4);
        QCOMPARE(h.upstream().servers[3].address, added);
        QVERIFY(!form->isVisible());
        QCOMPARE(h.model().rowCount(), 4);

        // Its connects are refused; nginx counts the failure and tries the next server.
        QVERIFY(h.send(8));
        const QModelIndex state = h.model().index(3, Column::StateColumn);
        QTRY_COMPARE(PeerState(state.data(UpstreamTableModel::StateRole).toInt()), PeerState::Failed);
        QVERIFY(state.data().toString().startsWith(u"failed until"_s));
        QVERIFY2(state.data(Qt::ToolTipRole).toString().contains(u"refused"_s),
                 qPrintable(state.data(Qt::ToolTipRole).toString()));

        h.view().setCurrentIndex(h.model().index(3, Column::AddressColumn));
        QTest::keyClick(&h.view(), Qt::Key_Delete);
        QTRY_COMPARE(h.upstream().servers.size(), 3);
        QCOMPARE(h.model().rowCount(), 3);
    }

    void lastPrimaryCannotBeRemoved()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        h.view().setFocus();
        for (int i = 0; i < 2; ++i) {
            h.view().setCurrentIndex(h.model().index(0, Column::AddressColumn));
            QTest::keyClick(&h.view(), Qt::Key_Delete);
        }
        QTRY_COMPARE(h.upstream().servers.size(), 1);
        h.view().setCurrentIndex(h.model().index(0, Column::AddressColumn));
        QTest::keyClick(&h.view(), Qt::Key_Delete);
        QCOMPARE(h.upstream().servers.size(), 1);
        QVERIFY(h.editor->message()->isVisible());
        QVERIFY2(h.editor->message()->text().contains(u"no servers"_s), qPrintable(h.editor->message()->text()));
    }

    void moveUpReordersTheConfiguration()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        const QStringList before{h.upstream().servers[0].address, h.upstream().servers[1].address,
                                 h.upstream().servers[2].address};
        h.view().setFocus();
        h.view().setCurrentIndex(h.model().index(2, Column::AddressColumn));
        QTest::keyClick(&h.view(), Qt::Key_Up, Qt::ControlModifier);
        QTRY_COMPARE(h.upstream().servers[1].address, before[2]);
        QCOMPARE(h.upstream().servers[2].address, before[1]);
        QCOMPARE(h.model().server(1).address, before[2]);
        QCOMPARE(h.view().currentIndex().row(), 1);
        h.poller->pollNow();
        QCOMPARE(h.model().server(1).address, before[2]);

        QTest::keyClick(&h.view(), Qt::Key_Down, Qt::ControlModifier);
        QTRY_COMPARE(h.upstream().servers[1].address, before[1]);
    }

    void methodPickerAppliesAtOnce()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        QComboBox *box = h.editor->methodPicker()->methodBox();
        box->setFocus();
        QTest::keyClick(box, Qt::Key_Down);
        QTRY_COMPARE(h.upstream().method, BalancingMethod::LeastConn);
        h.poller->pollNow();
        QCOMPARE(box->currentText(), u"least_conn"_s);

        // hash: a working key at once, then a bad one is refused beside the field.
        QTest::keyClick(box, Qt::Key_Down);
        QTest::keyClick(box, Qt::Key_Down);
        QTRY_COMPARE(h.upstream().method, BalancingMethod::Hash);
        QCOMPARE(h.upstream().hashKey, u"$request_uri"_s);
        ValidatingLineEdit *key = h.editor->methodPicker()->keyEdit();
        QVERIFY(key->isVisible());
        key->setFocus();
        h.typeInto(key, u"$no_such_variable"_s);
        QTest::keyClick(key, Qt::Key_Return);
        QVERIFY(!key->isAcceptable());
        QVERIFY(!h.editor->methodPicker()->errorText().isEmpty());
        QCOMPARE(h.upstream().hashKey, u"$request_uri"_s);

        h.typeInto(key, u"$remote_addr"_s);
        QVERIFY(h.editor->methodPicker()->errorText().isEmpty());
        QTest::keyClick(key, Qt::Key_Return);
        QTRY_COMPARE(h.upstream().hashKey, u"$remote_addr"_s);
        QTest::mouseClick(h.editor->methodPicker()->consistentBox(), Qt::LeftButton);
        QTRY_VERIFY(h.upstream().hashConsistent);

        QTest::keyClick(box, Qt::Key_Down);
        QTRY_COMPARE(h.upstream().method, BalancingMethod::Random);
        QTest::mouseClick(h.editor->methodPicker()->twoBox(), Qt::LeftButton);
        QTRY_VERIFY(h.upstream().randomTwo);
    }

    void crashedInstanceTurnsFailed()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        QVERIFY(h.send(6));
        DemoFleet *fleet = h.pool.engine().demoInstances();
        QVERIFY(fleet);
        QString error;
        QVERIFY2(fleet->stopInstance(u"web-client3"_s, &error), qPrintable(error));
        QTRY_VERIFY(fleet->instances().value(2).crashed);

        const QList<quint64> before = h.requestsPerPeer();
        QVERIFY(h.send(12)); // every client still gets its 200: the proxy moves on
        const QModelIndex state = h.model().index(2, Column::StateColumn);
        QTRY_COMPARE(PeerState(state.data(UpstreamTableModel::StateRole).toInt()), PeerState::Failed);
        QVERIFY2(state.data(Qt::ToolTipRole).toString().contains(u"refused"_s),
                 qPrintable(state.data(Qt::ToolTipRole).toString()));
        QVERIFY(state.data(UpstreamTableModel::BadgeTextRole).toString().startsWith(u"FAILED"_s));
        const QList<quint64> delta = minus(h.requestsPerPeer(), before);
        QCOMPARE(delta[0] + delta[1], 12u);
        QCOMPARE(delta[2], 1u); // one refused attempt, then it rests for fail_timeout
        QCOMPARE(h.model().data(h.model().index(2, Column::FailsColumn)).toULongLong(), 1u);

        // A 5xx response from a live instance flashes its cell.
        QVERIFY(h.send(1, "/status/500"));
        const QList<quint64> fives = {h.model().data(h.model().index(0, Column::Responses5xxColumn)).toULongLong(),
                                      h.model().data(h.model().index(1, Column::Responses5xxColumn)).toULongLong()};
        const int flashed = fives[0] == 1 ? 0 : 1;
        QCOMPARE(fives[flashed], 1u);
        QVERIFY(h.model().data(h.model().index(flashed, Column::Responses5xxColumn), Qt::BackgroundRole).isValid());
        QVERIFY(
            !h.model().data(h.model().index(1 - flashed, Column::Responses5xxColumn), Qt::BackgroundRole).isValid());

        if (const QByteArray dir = qgetenv("LBSCOPE_SCREENSHOT_DIR"); !dir.isEmpty()) {
            h.view().clearSelection();
            QVERIFY(h.editor->grab().save(QString::fromLocal8Bit(dir) + u"/upstream-editor.png"_s));
            QVERIFY(h.model().setData(h.model().index(1, Column::DrainColumn), Qt::Checked, Qt::CheckStateRole));
            QVERIFY(h.send(1, "/status/503"));
            QVERIFY(h.editor->grab().save(QString::fromLocal8Bit(dir) + u"/upstream-editor-drain.png"_s));
        }
    }

    void weightSliderShowsTheSelectedServer()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        WeightSlider *slider = h.editor->weightSlider();
        QVERIFY(slider->isVisible());
        QVERIFY(!slider->slider()->isEnabled()); // nothing selected yet, and it says so
        QVERIFY(slider->slider()->toolTip().contains(u"Select a server"_s));

        QVERIFY(h.model().setData(h.model().index(1, Column::WeightColumn), u"4"_s));
        h.selectForSlider(1);
        QCOMPARE(slider->row(), 1);
        QVERIFY(slider->slider()->isEnabled());
        QVERIFY2(slider->serverLabel()->text().contains(QString::fromLatin1(h.pool.peer(1))),
                 qPrintable(slider->serverLabel()->text()));
        QCOMPARE(slider->serverLabel()->palette().color(QPalette::Window), h.palette.colorFor(h.pool.peer(1)));
        QCOMPARE(slider->slider()->value(), 4);
        QCOMPARE(slider->valueLabel()->text(), u"4"_s);
        QCOMPARE(slider->slider()->minimum(), 1);
        QCOMPARE(slider->slider()->maximum(), WeightSlider::DefaultMaximum);
        QVERIFY(slider->slider()->toolTip().contains(u"weight=4"_s));

        h.selectForSlider(2);
        QCOMPARE(slider->row(), 2);
        QCOMPARE(slider->slider()->value(), 1);
        QVERIFY(slider->serverLabel()->text().contains(QString::fromLatin1(h.pool.peer(2))));
    }

    void weightSliderKeysApplyAtOnce()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        QSlider *slider = h.selectForSlider(1).slider();
        // Alt+G, the label's mnemonic, reaches the slider from the keyboard.
        QTest::keyClick(h.editor.get(), Qt::Key_G, Qt::AltModifier);
        QTRY_COMPARE(QApplication::focusWidget(), slider);

        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(h.upstream().servers[1].weight, 2); // applied during the key press, no tick needed
        QCOMPARE(h.weightCell(1), 2);
        QTest::keyClick(slider, Qt::Key_PageUp);
        QCOMPARE(slider->value(), 2 + slider->pageStep());
        QCOMPARE(h.upstream().servers[1].weight, 2 + slider->pageStep());
        QCOMPARE(h.weightCell(1), 2 + slider->pageStep());
        QCOMPARE(h.editor->weightSlider()->valueLabel()->text(), QString::number(2 + slider->pageStep()));
        QTest::keyClick(slider, Qt::Key_PageDown);
        QTest::keyClick(slider, Qt::Key_Right);
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(h.upstream().servers[1].weight, 4);
        QCOMPARE(h.upstream().servers[0].weight, 1); // only the selected server
        QCOMPARE(h.upstream().servers[2].weight, 1);

        // The balancer takes the new weight at once: weights 1, 4, 1.
        const QList<quint64> before = h.requestsPerPeer();
        QVERIFY(h.send(6));
        QCOMPARE(minus(h.requestsPerPeer(), before), (QList<quint64>{1, 4, 1}));
        QCOMPARE(h.weightCell(1), 4); // the tick agrees
    }

    void weightSliderDragsWithTheMouse()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        QSlider *slider = h.selectForSlider(0).slider();
        QSignalSpy moved(slider, &QSlider::sliderMoved);
        QSignalSpy changed(&h.pool.engine(), &Engine::configurationChanged);
        QVERIFY(dragSliderTo(slider, 12, 6));
        QVERIFY(moved.size() >= 2); // a real drag on the offscreen platform, not a click
        QCOMPARE(moved.last().first().toInt(), 12);
        QCOMPARE(h.upstream().servers[0].weight, 12);
        QCOMPARE(h.weightCell(0), 12);
        // One engine edit per position the handle moved to: nothing queued, nothing repeated.
        QCOMPARE(changed.size(), moved.size());

        QVERIFY(dragSliderTo(slider, 3, 3));
        QCOMPARE(h.upstream().servers[0].weight, 3);
        QCOMPARE(h.weightCell(0), 3);
    }

    void weightSliderFollowsEditsFromElsewhere()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        WeightSlider &weight = h.selectForSlider(2);
        QSignalSpy changed(&h.pool.engine(), &Engine::configurationChanged);

        // The table's cell: the slider follows and applies nothing of its own.
        QVERIFY(h.model().setData(h.model().index(2, Column::WeightColumn), u"6"_s));
        QCOMPARE(weight.slider()->value(), 6);
        QCOMPARE(weight.valueLabel()->text(), u"6"_s);
        QCOMPARE(changed.size(), 1);

        // A new configuration, as the configuration text applied: a weight above the range
        // widens it.
        ProxyConfig config = h.pool.engine().configuration();
        config.upstreams[0].servers[2].weight = 50;
        QString error;
        QVERIFY2(h.pool.engine().reload(config, &error), qPrintable(error));
        QCOMPARE(changed.size(), 2);
        h.poller->pollNow();
        QCOMPARE(weight.slider()->maximum(), 50);
        QCOMPARE(weight.slider()->value(), 50);
        QCOMPARE(weight.valueLabel()->text(), u"50"_s);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(h.upstream().servers[2].weight, 50);

        // Another server's weight changes nothing here.
        QVERIFY(h.model().setData(h.model().index(0, Column::WeightColumn), u"3"_s));
        QCOMPARE(weight.slider()->value(), 50);
        QCOMPARE(changed.size(), 3);
    }

    void refusedSliderStepGoesBack()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        // The weights add up in an int, as in nginx: room for server 2 to reach weight 2, not 3.
        ProxyConfig config = h.pool.engine().configuration();
        config.upstreams[0].servers[0].weight = std::numeric_limits<int>::max() - 3;
        QString error;
        QVERIFY2(h.pool.engine().reload(config, &error), qPrintable(error));
        h.poller->pollNow();
        QSlider *slider = h.selectForSlider(1).slider();
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(h.upstream().servers[1].weight, 2);
        QVERIFY(!h.editor->message()->isVisible());

        QSignalSpy refused(&h.model(), &UpstreamTableModel::editRefused);
        QTest::keyClick(slider, Qt::Key_Right);
        QCOMPARE(refused.size(), 1);
        QCOMPARE(slider->value(), 2); // put back
        QCOMPARE(h.editor->weightSlider()->valueLabel()->text(), u"2"_s);
        QCOMPARE(h.upstream().servers[1].weight, 2);
        QCOMPARE(h.weightCell(1), 2);
        QVERIFY(h.editor->message()->isVisible());
        QVERIFY2(h.editor->message()->text().contains(u"add up"_s), qPrintable(h.editor->message()->text()));
    }

    void clickingAnAddressActivatesTheBackend()
    {
        Harness h;
        QVERIFY2(h.start(), qPrintable(h.pool.error()));
        QSignalSpy activated(h.editor.get(), &UpstreamEditor::backendActivated);
        const QRect cell = h.view().visualRect(h.model().index(1, Column::AddressColumn));
        QTest::mouseClick(h.view().viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.first().first().toByteArray(), h.pool.peer(1));
    }

    void upstreamPickerListsEveryUpstream()
    {
        ProxyConfig config;
        for (const QString &name : {u"photos"_s, u"api"_s}) {
            UpstreamConfig upstream;
            upstream.name = name;
            config.upstreams.append(upstream);
        }
        ServerConfig server;
        server.serverNames = {u"photos.example.com"_s};
        LocationConfig location;
        location.proxyPass = u"http://photos/"_s;
        server.locations.append(location);
        config.servers.append(server);
        QCOMPARE(UpstreamEditor::serverBlocksUsing(config, u"photos"_s), QStringList{u"photos.example.com"_s});
        QVERIFY(UpstreamEditor::serverBlocksUsing(config, u"api"_s).isEmpty());

        BackendPalette palette;
        UpstreamEditor editor(nullptr, &palette);
        LiveTick tick;
        tick.config = config;
        tick.configChanged = true;
        editor.handleTick(tick);
        QCOMPARE(editor.upstreamBox()->count(), 2);
        QVERIFY(editor.upstreamBox()->itemText(0).contains(u"photos.example.com"_s));
        QCOMPARE(editor.model()->upstream(), u"photos"_s);
    }
};

QTEST_MAIN(TestUpstreamEditor)
#include "tst_upstreameditor.moc"
