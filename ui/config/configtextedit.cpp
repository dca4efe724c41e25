#include "configtextedit.h"

#include "applicationfontfollower.h"
#include "errortextcolor.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QTextBlock>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace lbscope {

class ConfigTextEdit::Gutter final : public QWidget
{
public:
    explicit Gutter(ConfigTextEdit *editor)
        : QWidget(editor)
        , m_editor(editor)
    {
    }

    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintGutter(event); }
    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ToolTip) {
            const auto *help = static_cast<QHelpEvent *>(event);
            const QString text = m_editor->gutterToolTip(help->pos().y());
            if (text.isEmpty())
                return QWidget::event(event); // the gutter's own tooltip
            QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
        return QWidget::event(event);
    }

private:
    ConfigTextEdit *m_editor;
};

ConfigTextEdit::ConfigTextEdit(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    ApplicationFontFollower::follow(this, ApplicationFontFollower::fixedPitch());
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * 4);
    m_gutter->setToolTip(tr("Line numbers; a coloured number marks an error (red) or a warning (amber): hover "
                            "it for the message"));
    connect(this, &QPlainTextEdit::blockCountChanged, this, &ConfigTextEdit::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &ConfigTextEdit::handleUpdateRequest);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &ConfigTextEdit::updateExtraSelections);
    updateGutterWidth();
    updateExtraSelections();
}

QColor ConfigTextEdit::colorFor(Mark::Kind kind, const QPalette &palette)
{
    const bool darkBase = palette.color(QPalette::Base).lightnessF() < 0.5;
    if (kind == Mark::Kind::Error)
        return errorTextColor(palette);
    return darkBase ? QColor(0xff, 0xc1, 0x07) : QColor(0xb2, 0x6a, 0x00);
}

void ConfigTextEdit::setMarks(const QList<Mark> &marks)
{
    m_marks.clear();
    for (const Mark &mark : marks) {
        if (mark.line < 1)
            continue;
        const QTextBlock block = document()->findBlockByNumber(std::min(mark.line, blockCount()) - 1);
        const QString text = block.text();
        QTextCursor cursor(block);
        qsizetype start = std::clamp<qsizetype>(mark.column - 1, 0, text.size());
        qsizetype end = start;
        if (mark.column < 1) {
            start = 0;
            end = text.size();
        } else if (start < text.size() && (text[start] == u'"' || text[start] == u'\'')) {
            end = text.indexOf(text[start], start + 1);
            end = end < 0 ? text.size() : end + 1;
        } else {
            while (end < text.size() && !text[end].isSpace() && text[end] != u';' && text[end] != u'{' &&
                   text[end] != u'}')
                ++end;
        }
        if (end == start) { // a mark on a delimiter or past the end: underline what is there
            start = std::max<qsizetype>(0, std::min(start, text.size() - 1));
            end = text.isEmpty() ? 0 : start + 1;
        }
        cursor.setPosition(block.position() + int(start));
        cursor.setPosition(block.position() + int(end), QTextCursor::KeepAnchor);
        m_marks.append({mark.kind, cursor, mark.message});
    }
    updateExtraSelections();
    m_gutter->update();
}

QList<int> ConfigTextEdit::markedLines(Mark::Kind kind) const
{
    QList<int> lines;
    for (const PlacedMark &mark : m_marks) {
        if (mark.kind == kind)
            lines.append(mark.cursor.block().blockNumber() + 1);
    }
    return lines;
}

void ConfigTextEdit::goTo(int line, int column)
{
    const QTextBlock block = document()->findBlockByNumber(std::clamp(line, 1, blockCount()) - 1);
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + std::clamp(column - 1, 0, block.length() - 1));
    setTextCursor(cursor);
    centerCursor();
    setFocus(Qt::OtherFocusReason);
}

void ConfigTextEdit::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextEdit::ExtraSelection current;
    QColor lineColor = palette().color(QPalette::Highlight);
    lineColor.setAlphaF(0.12f);
    current.format.setBackground(lineColor);
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    selections.append(current);
    for (const PlacedMark &mark : std::as_const(m_marks)) {
        const QColor color = colorFor(mark.kind, palette());
        QTextEdit::ExtraSelection line;
        QColor wash = color;
        wash.setAlphaF(0.14f);
        line.format.setBackground(wash);
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        line.cursor = QTextCursor(mark.cursor.block());
        selections.append(line);
        QTextEdit::ExtraSelection token;
        QColor tokenWash = color;
        tokenWash.setAlphaF(0.3f);
        token.format.setBackground(tokenWash); // the underline alone is thin on a projector
        token.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        token.format.setUnderlineColor(color);
        token.format.setToolTip(mark.message);
        token.cursor = mark.cursor;
        selections.append(token);
    }
    setExtraSelections(selections);
}

const ConfigTextEdit::PlacedMark *ConfigTextEdit::markOnBlock(int blockNumber) const
{
    const PlacedMark *found = nullptr;
    for (const PlacedMark &mark : m_marks) {
        if (mark.cursor.block().blockNumber() == blockNumber && (!found || mark.kind == Mark::Kind::Error))
            found = &mark;
    }
    return found;
}

int ConfigTextEdit::gutterWidth() const
{
    const int digits = int(QString::number(std::max(1, blockCount())).size());
    return fontMetrics().horizontalAdvance(u'9') * std::max(3, digits) + 16;
}

void ConfigTextEdit::updateGutterWidth()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
}

void ConfigTextEdit::handleUpdateRequest(const QRect &rect, int dy)
{
    if (dy != 0)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
}

void ConfigTextEdit::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_gutter->setGeometry(area.left(), area.top(), gutterWidth(), area.height());
}

void ConfigTextEdit::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * 4);
        updateGutterWidth();
        updateExtraSelections();
    }
}

void ConfigTextEdit::paintGutter(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    const QPalette &pal = palette();
    painter.fillRect(event->rect(), pal.color(QPalette::AlternateBase));
    painter.setFont(font());
    const int current = textCursor().blockNumber();
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top()) {
            const QRect row(0, top, m_gutter->width() - 6, height);
            const PlacedMark *mark = markOnBlock(block.blockNumber());
            QFont numberFont = font();
            numberFont.setBold(mark || block.blockNumber() == current);
            painter.setFont(numberFont);
            if (mark) {
                const QColor color = colorFor(mark->kind, pal);
                painter.fillRect(QRect(0, top, m_gutter->width() - 3, height), color);
                painter.setPen(color.lightnessF() > 0.6 ? QColor(Qt::black) : QColor(Qt::white));
            } else {
                painter.setPen(block.blockNumber() == current ? pal.color(QPalette::Text)
                                                              : pal.color(QPalette::PlaceholderText));
            }
            painter.drawText(row, Qt::AlignRight | Qt::AlignVCenter, QString::number(block.blockNumber() + 1));
        }
        block = block.next();
        top += height;
    }
}

QString ConfigTextEdit::gutterToolTip(int y) const
{
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (y >= top && y < top + height) {
            const PlacedMark *mark = markOnBlock(block.blockNumber());
            return mark ? mark->message : QString();
        }
        block = block.next();
        top += height;
    }
    return {};
}

} // namespace lbscope
