#include "configeditor.h"

#include "config/configreader.h"
#include "config/configwriter.h"
#include "configtextedit.h"
#include "listenports.h"
#include "livetick.h"
#include "nginxhighlighter.h"
#include "proxy/engine.h"

#include <QAction>
#include <QClipboard>
#include <QEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QScrollBar>
#include <QStyle>
#include <QTextBlock>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int LineRole = Qt::UserRole;
constexpr int ColumnRole = Qt::UserRole + 1;

int serverCount(const ProxyConfig &config)
{
    int count = 0;
    for (const UpstreamConfig &upstream : config.upstreams)
        count += int(upstream.servers.size());
    return count;
}

ConfigTextEdit::Mark markFor(const ConfigMessage &message)
{
    const auto kind = message.severity == ConfigMessage::Severity::Error ? ConfigTextEdit::Mark::Kind::Error
                                                                         : ConfigTextEdit::Mark::Kind::Warning;
    return {kind, message.where.line, message.where.column, message.text};
}

} // namespace

ConfigEditor::ConfigEditor(Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_edit(new ConfigTextEdit(this))
    , m_highlighter(new NginxHighlighter(m_edit->document()))
    , m_apply(new QAction(tr("&Apply"), this))
    , m_revert(new QAction(tr("&Revert"), this))
    , m_copy(new QAction(tr("&Copy"), this))
    , m_state(new QLabel(this))
    , m_messages(new QListWidget(this))
    , m_fileName(u"lbscope.conf"_s)
{
    m_edit->setToolTip(tr("The running configuration as nginx text. Edit it and press Apply (Ctrl+Return); "
                          "it can be pasted into a real nginx."));
    m_edit->setAccessibleName(tr("Configuration text"));
    m_highlighter->refreshColors(m_edit->palette());

    m_apply->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_apply->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_apply->setToolTip(tr("Read the text and reload the proxy with it (Ctrl+Return). On an error nothing is "
                           "applied and the error is marked in the text."));
    m_revert->setToolTip(tr("Drop your edits and show the running configuration again"));
    m_copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copy->setToolTip(tr("Copy the whole text to the clipboard (Ctrl+Shift+C), to paste into an nginx.conf"));
    addActions({m_apply, m_revert, m_copy});
    connect(m_apply, &QAction::triggered, this, &ConfigEditor::apply);
    connect(m_revert, &QAction::triggered, this, &ConfigEditor::revert);
    connect(m_copy, &QAction::triggered, this, &ConfigEditor::copyToClipboard);

    auto *toolBar = new QToolBar(this);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addActions({m_apply, m_revert, m_copy});
    auto *spacer = new QWidget(toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(spacer);
    toolBar->addWidget(m_state);
    m_state->setToolTip(tr("Whether the text is what the proxy runs"));

    m_messages->setToolTip(tr("What reading the text found; click a message to go to its line"));
    m_messages->setUniformItemSizes(true);
    m_messages->setWordWrap(false);
    m_messages->setFocusPolicy(Qt::ClickFocus);
    m_messages->hide();
    connect(m_messages, &QListWidget::itemClicked, this, &ConfigEditor::handleMessageActivated);
    connect(m_messages, &QListWidget::itemActivated, this, &ConfigEditor::handleMessageActivated);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toolBar);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_messages);
    setFocusProxy(m_edit);

    connect(m_edit->document(), &QTextDocument::modificationChanged, this, &ConfigEditor::updateState);
    updateState();
}

void ConfigEditor::setFileName(const QString &fileName)
{
    m_fileName = fileName.isEmpty() ? u"lbscope.conf"_s : fileName;
}

bool ConfigEditor::hasUnappliedEdits() const
{
    return m_edit->document()->isModified();
}

QString ConfigEditor::text() const
{
    return m_edit->toPlainText();
}

QString ConfigEditor::messages() const
{
    QStringList lines;
    for (int row = 0; row < m_messages->count(); ++row)
        lines.append(m_messages->item(row)->text());
    return lines.join(u'\n');
}

void ConfigEditor::handleTick(const LiveTick &tick)
{
    if (!tick.configChanged)
        return;
    m_running = tick.config;
    if (m_applied && tick.config == *m_applied)
        return; // what Apply just gave the engine: the user's text (and its comments) stays
    m_applied.reset();
    if (!hasUnappliedEdits()) {
        showRunning();
        clearMessages();
        return;
    }
    if (!m_runningChangedUnderEdits) {
        m_runningChangedUnderEdits = true;
        addRunningChangedNotice();
    }
    updateState();
}

void ConfigEditor::showRunning()
{
    if (!m_running)
        return;
    const QString text =
        QString::fromUtf8(ConfigWriter::write(withBoundPorts(*m_running, m_engine.listeningAddresses())));
    // Keep the reader's place: the same line and scroll position after the rewrite.
    const int line = m_edit->textCursor().blockNumber();
    const int scroll = m_edit->verticalScrollBar()->value();
    m_edit->setPlainText(text);
    m_edit->clearMarks();
    QTextCursor cursor(m_edit->document()->findBlockByNumber(std::min(line, m_edit->blockCount() - 1)));
    m_edit->setTextCursor(cursor);
    m_edit->verticalScrollBar()->setValue(scroll);
    m_runningChangedUnderEdits = false;
    updateState();
}

bool ConfigEditor::apply()
{
    clearMessages();
    const auto refuse = [this](const QList<ConfigTextEdit::Mark> &marks) {
        m_edit->setMarks(marks);
        if (m_runningChangedUnderEdits)
            addRunningChangedNotice();
        updateState();
        return false;
    };
    const ConfigReadResult result = ConfigReader::readText(text().toUtf8(), m_fileName);
    QList<ConfigTextEdit::Mark> marks;
    for (const ConfigMessage &warning : result.warnings)
        marks.append(markFor(warning));
    if (result.error) {
        const ConfigMessage &error = *result.error;
        marks.append(markFor(error));
        addMessage(MessageKind::Error, tr("%1 (nothing was applied)").arg(error.toString()), error.where.line,
                   error.where.column);
        if (error.where.line > 0)
            m_edit->goTo(error.where.line, error.where.column);
        return refuse(marks);
    }
    ProxyConfig config = *result.config;
    if (m_running)
        keepBoundListeners(&config, *m_running, m_engine.listeningAddresses());
    QString reloadError;
    if (!m_engine.reload(config, &reloadError)) {
        addMessage(MessageKind::Error, tr("The proxy refused it: %1 (nothing was changed)").arg(reloadError));
        return refuse(marks);
    }
    m_applied = m_engine.configuration();
    m_running = m_applied;
    m_runningChangedUnderEdits = false;
    m_edit->document()->setModified(false);
    m_edit->setMarks(marks);
    const int servers = serverCount(config);
    const int upstreams = int(config.upstreams.size());
    addMessage(MessageKind::Info, tr("Applied: %1, %2. New requests use it; requests in flight finish as they were.")
                                      .arg(upstreams == 1 ? tr("1 upstream") : tr("%1 upstreams").arg(upstreams),
                                           servers == 1 ? tr("1 server") : tr("%1 servers").arg(servers)));
    if (const qsizetype changing = result.responseChangingWarnings()) {
        addMessage(MessageKind::Warning, tr("%n skipped directive(s) change what requests get: this file does not "
                                            "run here as it runs in nginx.", nullptr, int(changing)));
    }
    for (const ConfigMessage &warning : result.warnings)
        addMessage(MessageKind::Warning, tr("%1 (skipped)").arg(warning.toString()), warning.where.line,
                   warning.where.column);
    updateState();
    emit applied();
    return true;
}

void ConfigEditor::revert()
{
    clearMessages();
    m_runningChangedUnderEdits = false;
    m_applied.reset();
    showRunning();
}

void ConfigEditor::copyToClipboard()
{
    QGuiApplication::clipboard()->setText(text());
    m_state->setText(tr("Copied %1 lines").arg(m_edit->blockCount()));
}

void ConfigEditor::addMessage(MessageKind kind, const QString &text, int line, int column)
{
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    auto *item = new QListWidgetItem(text);
    if (kind == MessageKind::Error) {
        icon = QStyle::SP_MessageBoxCritical;
        item->setForeground(ConfigTextEdit::colorFor(ConfigTextEdit::Mark::Kind::Error, palette()));
    } else if (kind == MessageKind::Warning) {
        icon = QStyle::SP_MessageBoxWarning;
        item->setForeground(ConfigTextEdit::colorFor(ConfigTextEdit::Mark::Kind::Warning, palette()));
    }
    item->setIcon(style()->standardIcon(icon));
    item->setToolTip(text);
    item->setData(LineRole, line);
    item->setData(ColumnRole, column);
    m_messages->addItem(item);
    // Up to four messages without scrolling; the list scrolls beyond that.
    const int rowHeight =
        std::max(m_messages->fontMetrics().height(), style()->pixelMetric(QStyle::PM_SmallIconSize)) + 6;
    const int rows = std::min(m_messages->count(), 4);
    m_messages->setFixedHeight(rows * rowHeight + 2 * m_messages->frameWidth() + 2);
    m_messages->show();
}

void ConfigEditor::clearMessages()
{
    m_messages->clear();
    m_messages->hide();
}

void ConfigEditor::addRunningChangedNotice()
{
    addMessage(MessageKind::Info, tr("The running configuration changed (edited in the table). Revert to see it."));
}

void ConfigEditor::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->refreshColors(palette());
}

void ConfigEditor::handleMessageActivated(QListWidgetItem *item)
{
    const int line = item->data(LineRole).toInt();
    if (line > 0)
        m_edit->goTo(line, item->data(ColumnRole).toInt());
}

void ConfigEditor::updateState()
{
    const bool edited = hasUnappliedEdits();
    m_state->setText(edited ? tr("Edited, not applied") : tr("In step with the proxy"));
    m_state->setForegroundRole(edited ? QPalette::Text : QPalette::PlaceholderText);
    QFont font = m_state->font();
    font.setBold(edited);
    m_state->setFont(font);
    m_revert->setEnabled(edited || m_runningChangedUnderEdits);
}

} // namespace lbscope
