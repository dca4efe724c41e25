#pragma once

// The text area of the configuration view: a monospace QPlainTextEdit with line numbers in a
// gutter, the current line highlighted, and marks for the reader's messages: a wavy underline
// on the token the message points at and a coloured line number in the gutter (hover it for
// the message). Marks follow the text as it is edited, until the next setMarks().

#include <QList>
#include <QPlainTextEdit>

namespace lbscope {

class ConfigTextEdit final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigTextEdit)

public:
    struct Mark
    {
        enum class Kind {
            Error,
            Warning
        };
        Kind kind = Kind::Error;
        int line = 0;   // 1-based; 0: about the whole text, not marked
        int column = 0; // 1-based; 0: the whole line
        QString message;
    };

    explicit ConfigTextEdit(QWidget *parent = nullptr);

    void setMarks(const QList<Mark> &marks);
    void clearMarks() { setMarks({}); }
    // The 1-based line numbers that carry a mark of this kind, in text order.
    QList<int> markedLines(Mark::Kind kind) const;
    // Moves the cursor to a 1-based line and column and shows it.
    void goTo(int line, int column);

    static QColor colorFor(Mark::Kind kind, const QPalette &palette);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    class Gutter;
    struct PlacedMark
    {
        Mark::Kind kind;
        QTextCursor cursor; // covers the marked token; moves with edits
        QString message;
    };

    int gutterWidth() const;
    void paintGutter(QPaintEvent *event);
    QString gutterToolTip(int y) const;
    void updateGutterWidth();
    void handleUpdateRequest(const QRect &rect, int dy);
    void updateExtraSelections();
    const PlacedMark *markOnBlock(int blockNumber) const;

    Gutter *m_gutter;
    QList<PlacedMark> m_marks;
};

} // namespace lbscope
