#pragma once

// Colours nginx configuration text: comments, directive names (the first word of a statement),
// block names (upstream, server, location... when they open a block), quoted strings,
// $variables, numbers with their size and time suffixes, and the braces and semicolons that
// give the text its shape. Colours are derived from the palette, so the text reads on a light
// and on a dark background; call refreshColors() when the palette changes.

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace lbscope {

class NginxHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NginxHighlighter)

public:
    explicit NginxHighlighter(QTextDocument *document);

    void refreshColors(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    // Carried from one line to the next in the block state.
    enum StateBits {
        InDoubleQuote = 1,
        InSingleQuote = 2,
        InStatement = 4, // the statement's name has been seen, its ';' or '{' has not
    };

    qsizetype highlightString(const QString &text, qsizetype from, QChar quote);
    void highlightWord(const QString &text, qsizetype start, qsizetype end, bool statementName);
    void highlightVariables(const QString &text, qsizetype start, qsizetype end);

    QTextCharFormat m_comment;
    QTextCharFormat m_directive;
    QTextCharFormat m_block;
    QTextCharFormat m_string;
    QTextCharFormat m_variable;
    QTextCharFormat m_number;
    QTextCharFormat m_punctuation;
};

} // namespace lbscope
