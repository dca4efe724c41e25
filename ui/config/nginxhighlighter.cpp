#include "nginxhighlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

bool isDelimiter(QChar ch)
{
    return ch.isSpace() || ch == u';' || ch == u'{' || ch == u'}' || ch == u'"' || ch == u'\'';
}

// A hue at a lightness that stands out on the palette's base colour, light or dark.
QColor toneFor(int hue, int saturation, const QPalette &palette)
{
    const bool darkBase = palette.color(QPalette::Base).lightnessF() < 0.5;
    return QColor::fromHsl(hue, saturation, darkBase ? 175 : 85);
}

QColor mix(const QColor &a, const QColor &b, double weightOfA)
{
    const double w = weightOfA;
    return QColor::fromRgbF(float(a.redF() * w + b.redF() * (1 - w)), float(a.greenF() * w + b.greenF() * (1 - w)),
                            float(a.blueF() * w + b.blueF() * (1 - w)));
}

// Does the statement starting at `from` open a block ('{' before any ';' on this line)?
bool opensBlock(const QString &text, qsizetype from)
{
    for (qsizetype i = from; i < text.size(); ++i) {
        const QChar ch = text[i];
        if (ch == u'{')
            return true;
        if (ch == u';' || ch == u'#' || ch == u'}')
            return false;
    }
    return false;
}

} // namespace

NginxHighlighter::NginxHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    refreshColors(QGuiApplication::palette());
}

void NginxHighlighter::refreshColors(const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    m_comment = {};
    m_comment.setForeground(mix(text, base, 0.55));
    m_comment.setFontItalic(true);
    m_directive = {};
    m_directive.setForeground(toneFor(210, 200, palette)); // blue
    m_block = {};
    m_block.setForeground(toneFor(285, 170, palette)); // purple
    m_block.setFontWeight(QFont::Bold);
    m_string = {};
    m_string.setForeground(toneFor(115, 200, palette)); // green
    m_variable = {};
    m_variable.setForeground(toneFor(25, 230, palette)); // orange
    m_number = {};
    m_number.setForeground(toneFor(335, 190, palette)); // magenta
    m_punctuation = {};
    m_punctuation.setForeground(mix(text, base, 0.8));
    m_punctuation.setFontWeight(QFont::Bold);
    rehighlight();
}

void NginxHighlighter::highlightBlock(const QString &text)
{
    const int previous = std::max(0, previousBlockState());
    bool inStatement = (previous & InStatement) != 0;
    qsizetype i = 0;
    if (previous & (InDoubleQuote | InSingleQuote))
        i = highlightString(text, 0, (previous & InDoubleQuote) ? u'"' : u'\'');
    int state = 0;
    while (i < text.size()) {
        const QChar ch = text[i];
        if (ch.isSpace()) {
            ++i;
        } else if (ch == u'#') {
            setFormat(int(i), int(text.size() - i), m_comment);
            break;
        } else if (ch == u';' || ch == u'{' || ch == u'}') {
            setFormat(int(i), 1, m_punctuation);
            inStatement = false;
            ++i;
        } else if (ch == u'"' || ch == u'\'') {
            const qsizetype end = highlightString(text, i + 1, ch);
            setFormat(int(i), 1, m_string);
            if (end > text.size()) { // the string goes on on the next line
                state |= ch == u'"' ? InDoubleQuote : InSingleQuote;
                break;
            }
            inStatement = true;
            i = end;
        } else {
            qsizetype end = i;
            while (end < text.size() && !isDelimiter(text[end]))
                ++end;
            highlightWord(text, i, end, !inStatement);
            inStatement = true;
            i = end;
        }
    }
    if (inStatement)
        state |= InStatement;
    setCurrentBlockState(state);
}

// Colours a quoted string from `from` (after the opening quote) to its closing quote; returns
// the index after it, or text.size() + 1 when the line ends inside the string.
qsizetype NginxHighlighter::highlightString(const QString &text, qsizetype from, QChar quote)
{
    qsizetype i = from;
    while (i < text.size() && text[i] != quote)
        i += text[i] == u'\\' ? 2 : 1;
    const qsizetype end = std::min(i + 1, text.size());
    setFormat(int(from), int(end - from), m_string);
    highlightVariables(text, from, std::min(i, text.size()));
    return i < text.size() ? i + 1 : text.size() + 1;
}

void NginxHighlighter::highlightWord(const QString &text, qsizetype start, qsizetype end, bool statementName)
{
    const int length = int(end - start);
    if (statementName) {
        setFormat(int(start), length, opensBlock(text, end) ? m_block : m_directive);
        return;
    }
    // Numbers, sizes and times: 8, 10s, 1h30m, 64k, 0.5; also the value of key=value parameters.
    static const QRegularExpression number(u"^(\\d+(\\.\\d+)?(ms|[kKmMgGshdwy])?)+$"_s);
    const QStringView word = QStringView(text).sliced(start, length);
    const qsizetype equals = word.indexOf(u'=');
    const qsizetype valueStart = equals < 0 ? 0 : equals + 1;
    if (number.match(word.sliced(valueStart)).hasMatch())
        setFormat(int(start + valueStart), int(length - valueStart), m_number);
    highlightVariables(text, start, end);
}

void NginxHighlighter::highlightVariables(const QString &text, qsizetype start, qsizetype end)
{
    static const QRegularExpression variable(u"\\$(\\{[A-Za-z0-9_]+\\}|[A-Za-z0-9_]+)"_s);
    auto matches = variable.globalMatch(QStringView(text).sliced(start, end - start));
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        setFormat(int(start + match.capturedStart()), int(match.capturedLength()), m_variable);
    }
}

} // namespace lbscope
