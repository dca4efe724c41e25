// The configuration view shows the running configuration as nginx text, follows edits made
// elsewhere unless the user has edits of their own, and applies the text only when all of it
// reads: an error is marked at its line and column and nothing changes.

#include "config/configeditor.h"
#include "config/configtextedit.h"
#include "demopoolfixture.h"
#include "livepoller.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

// The 0-based line of the first line containing `needle`, -1 if none.
int lineContaining(const QString &text, const QString &needle)
{
    return int(text.split(u'\n').indexOf(QRegularExpression(u".*"_s + QRegularExpression::escape(needle) + u".*"_s)));
}

// Puts the cursor at the end of a 0-based line, as a user clicking there would.
void moveToEndOfLine(ConfigTextEdit *edit, int line)
{
    QTextCursor cursor(edit->document()->findBlockByNumber(line));
    cursor.movePosition(QTextCursor::EndOfBlock);
    edit->setTextCursor(cursor);
}

QToolButton *buttonFor(QWidget *parent, QAction *action)
{
    const auto buttons = parent->findChildren<QToolButton *>();
    for (QToolButton *button : buttons) {
        if (button->defaultAction() == action)
            return button;
    }
    return nullptr;
}

// LBSCOPE_SHOTS=DIR saves what the test sees, to look at.
void saveShot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("LBSCOPE_SHOTS");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents(); // the layout requests of the last changes
    widget->grab().save(dir + u'/' + name + u".png"_s);
}

} // namespace

class TestConfigEditor : public QObject
{
    Q_OBJECT

private:
    struct View
    {
        DemoPoolFixture pool;
        std::unique_ptr<LivePoller> poller;
        std::unique_ptr<ConfigEditor> editor;

        bool start()
        {
            if (!pool.start())
                return false;
            poller = std::make_unique<LivePoller>(pool.engine());
            editor = std::make_unique<ConfigEditor>(pool.engine());
            editor->setFileName(u"photos.conf"_s);
            QObject::connect(poller.get(), &LivePoller::ticked, editor.get(), &ConfigEditor::handleTick);
            editor->resize(640, 400);
            editor->show();
            poller->pollNow();
            return QTest::qWaitForWindowExposed(editor.get());
        }
        void clickApply() { QTest::mouseClick(buttonFor(editor.get(), editor->applyAction()), Qt::LeftButton); }
    };

private slots:
    void showsTheRunningConfigurationAndAppliesItAgain()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        const QString text = view.editor->text();
        QVERIFY(text.contains(u"upstream photos {"_s));
        QVERIFY(text.contains(u"server %1:3101;"_s.arg(view.pool.host())));
        // The proxy runs on a port the system chose: the text names that port, not 0.
        QVERIFY2(text.contains(u"listen 127.0.0.1:%1;"_s.arg(view.pool.proxyPort())), qPrintable(text));
        QVERIFY(!view.editor->hasUnappliedEdits());

        // Applying the text as it is keeps the listener the proxy already has.
        const quint16 port = view.pool.proxyPort();
        view.clickApply();
        QVERIFY2(view.editor->messages().startsWith(u"Applied"_s), qPrintable(view.editor->messages()));
        QCOMPARE(view.pool.proxyPort(), port);
        QCOMPARE(view.pool.engine().configuration().servers[0].listens[0].port, 0);
    }

    void aBrokenLineIsMarkedAndNothingIsApplied()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        const ProxyConfig before = view.pool.engine().configuration();
        ConfigTextEdit *edit = view.editor->textEdit();
        const int last = lineContaining(view.editor->text(), u":3101;"_s);
        QVERIFY(last > 0);
        moveToEndOfLine(edit, last);
        QTest::keyClick(edit, Qt::Key_Return);
        QTest::keyClicks(edit, u"server 127.0.0.1:99999;"_s);
        QVERIFY(view.editor->hasUnappliedEdits());

        const int line = last + 2; // 1-based, the new line
        const QString typed = edit->document()->findBlockByNumber(line - 1).text();
        const int column = int(typed.indexOf(u"127.0.0.1:99999"_s)) + 1;
        view.clickApply();
        const QString where = u"photos.conf:%1:%2: "_s.arg(line).arg(column);
        QVERIFY2(view.editor->messages().startsWith(where), qPrintable(view.editor->messages()));
        QVERIFY(view.editor->messages().contains(u"invalid port"_s));
        QCOMPARE(edit->markedLines(ConfigTextEdit::Mark::Kind::Error), QList<int>{line});
        QCOMPARE(edit->textCursor().blockNumber() + 1, line); // the cursor went to the error
        saveShot(view.editor.get(), u"configeditor-error"_s);
        bool underlined = false;
        for (const QTextEdit::ExtraSelection &selection : edit->extraSelections()) {
            if (selection.format.underlineStyle() == QTextCharFormat::WaveUnderline) {
                QCOMPARE(selection.cursor.blockNumber() + 1, line);
                QCOMPARE(selection.cursor.selectedText(), u"127.0.0.1:99999"_s);
                underlined = true;
            }
        }
        QVERIFY(underlined);
        QCOMPARE(view.pool.engine().configuration(), before);
        QVERIFY(view.editor->hasUnappliedEdits());

        // Fixed, with Ctrl+Return this time: the engine has the fourth server.
        QTextCursor cursor = edit->textCursor();
        cursor.movePosition(QTextCursor::EndOfBlock);
        edit->setTextCursor(cursor);
        for (int i = 0; i < 6; ++i) // "99999;"
            QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, u"3102;"_s);
        QVERIFY(QTest::qWaitForWindowActive(view.editor.get()));
        QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY2(view.editor->messages().startsWith(u"Applied"_s), qPrintable(view.editor->messages()));
        const ProxyConfig after = view.pool.engine().configuration();
        QCOMPARE(after.upstreams[0].servers.size(), 4);
        QCOMPARE(after.upstreams[0].servers[3].address, u"127.0.0.1:3102"_s);
        QVERIFY(edit->markedLines(ConfigTextEdit::Mark::Kind::Error).isEmpty());
        QVERIFY(!view.editor->hasUnappliedEdits());
        // The tick that brings the applied configuration leaves the user's text as it is.
        const QString text = view.editor->text();
        view.poller->pollNow();
        QVERIFY(view.poller->lastTick().configChanged);
        QCOMPARE(view.editor->text(), text);
    }

    void directivesOutsideTheSubsetAreWarnedAndSkipped()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        ConfigTextEdit *edit = view.editor->textEdit();
        const int line = lineContaining(view.editor->text(), u"server_name"_s);
        moveToEndOfLine(edit, line);
        QTest::keyClick(edit, Qt::Key_Return);
        QTest::keyClicks(edit, u"gzip on;"_s);
        view.clickApply();
        const QString messages = view.editor->messages();
        QVERIFY2(messages.startsWith(u"Applied"_s), qPrintable(messages));
        QVERIFY2(messages.contains(u"photos.conf:%1: "_s.arg(line + 2)), qPrintable(messages));
        QVERIFY(messages.contains(u"gzip"_s));
        QCOMPARE(edit->markedLines(ConfigTextEdit::Mark::Kind::Warning), QList<int>{line + 2});
        saveShot(view.editor.get(), u"configeditor-warning"_s);
    }

    void aReloadTheProxyRefusesChangesNothing()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        const ProxyConfig before = view.pool.engine().configuration();
        // A demo instance holds HOST:3000, so a second listener cannot bind there.
        ConfigTextEdit *edit = view.editor->textEdit();
        moveToEndOfLine(edit, lineContaining(view.editor->text(), u"listen "_s));
        QTest::keyClick(edit, Qt::Key_Return);
        QTest::keyClicks(edit, u"listen %1:3000;"_s.arg(view.pool.host()));
        view.clickApply();
        QVERIFY2(view.editor->messages().contains(u"The proxy refused it: bind()"_s),
                 qPrintable(view.editor->messages()));
        QCOMPARE(view.pool.engine().configuration(), before);
        QCOMPARE(view.pool.engine().listeningAddresses().size(), 1);
        QVERIFY(view.editor->hasUnappliedEdits());
    }

    void followsEditsMadeElsewhereUnlessEdited()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        const auto setWeight = [&view](int weight) {
            UpstreamServer server = view.pool.engine().configuration().upstreams[0].servers[1];
            server.weight = weight;
            QString error;
            return view.pool.engine().updateServer(u"photos"_s, server.address, server, &error);
        };
        QVERIFY(setWeight(4));
        QVERIFY(!view.editor->text().contains(u"weight=4"_s)); // not before the tick
        view.poller->pollNow();
        QVERIFY(view.editor->text().contains(u"server %1:3100 weight=4;"_s.arg(view.pool.host())));
        QVERIFY(!view.editor->hasUnappliedEdits());

        // With edits of the user's own, a change from the table does not overwrite them.
        ConfigTextEdit *edit = view.editor->textEdit();
        edit->moveCursor(QTextCursor::Start);
        QTest::keyClicks(edit, u"# my notes"_s);
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(setWeight(5));
        view.poller->pollNow();
        QVERIFY(view.editor->text().startsWith(u"# my notes\n"_s));
        QVERIFY(view.editor->text().contains(u"weight=4;"_s));
        QVERIFY2(view.editor->messages().contains(u"The running configuration changed (edited in the table). "
                                                  "Revert to see it."_s),
                 qPrintable(view.editor->messages()));
        QVERIFY(view.editor->revertAction()->isEnabled());

        view.editor->revertAction()->trigger();
        QVERIFY(!view.editor->text().contains(u"# my notes"_s));
        QVERIFY(view.editor->text().contains(u"weight=5;"_s));
        QVERIFY(!view.editor->hasUnappliedEdits());
        QVERIFY(view.editor->messages().isEmpty());
    }

    void copyPutsTheTextOnTheClipboard()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        QGuiApplication::clipboard()->clear();
        QTest::mouseClick(buttonFor(view.editor.get(), view.editor->copyAction()), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), view.editor->text());
        QVERIFY(QGuiApplication::clipboard()->text().contains(u"upstream photos"_s));
    }

    void highlightsBlocksDirectivesAndValues()
    {
        View view;
        QVERIFY2(view.start(), qPrintable(view.pool.error()));
        QTextDocument *document = view.editor->textEdit()->document();
        const auto formatAt = [document](int line, const QString &word) {
            const QTextBlock block = document->findBlockByNumber(line);
            const int at = int(block.text().indexOf(word));
            for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
                if (at >= range.start && at < range.start + range.length)
                    return range.format;
            }
            return QTextCharFormat();
        };
        const QString text = view.editor->text();
        const int upstream = lineContaining(text, u"upstream photos"_s);
        const int server = lineContaining(text, u":3000;"_s);
        const int header = lineContaining(text, u"$remote_addr"_s);
        QCOMPARE(formatAt(upstream, u"upstream"_s).fontWeight(), int(QFont::Bold));
        const QColor directive = formatAt(server, u"server"_s).foreground().color();
        QVERIFY(directive.isValid());
        QCOMPARE(formatAt(server, u"server"_s).fontWeight() == int(QFont::Bold), false);
        const QColor variable = formatAt(header, u"$remote_addr"_s).foreground().color();
        QVERIFY(variable.isValid());
        QVERIFY(variable != directive);
        QCOMPARE(formatAt(header, u";"_s).fontWeight(), int(QFont::Bold));
    }
};

QTEST_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"
