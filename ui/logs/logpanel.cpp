#include "logs/logpanel.h"

#include "backendpalette.h"
#include "logs/accesslogfiltermodel.h"
#include "logs/accesslogmodel.h"
#include "logs/requestdetailview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QToolButton *toggleButton(QWidget *parent, const QString &name, const QString &text, const QString &toolTip,
                          bool checked)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(name);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setCheckable(true);
    button->setChecked(checked);
    button->setFocusPolicy(Qt::StrongFocus); // tool buttons take no Tab focus by default
    return button;
}

} // namespace

LogPanel::LogPanel(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
    , m_model(new AccessLogModel(palette, this))
    , m_filter(new AccessLogFilterModel(this))
{
    m_filter->setSourceModel(m_model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(createFilterBar());
    layout->addWidget(createActionBar());

    m_table = new QTableView(this);
    m_table->setObjectName(u"logTable"_s);
    m_detail = new RequestDetailView(palette, this);
    m_detail->setObjectName(u"requestDetail"_s);
    setUpTable();

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 5);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setChildrenCollapsible(false);
    layout->addWidget(m_splitter, 1);

    connect(m_model, &AccessLogModel::backendSeen, this, &LogPanel::addBackend);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &LogPanel::handleRowsInserted);
    connect(m_filter, &AccessLogFilterModel::filterChanged, this, &LogPanel::updateStatusText);
    connect(m_filter, &AccessLogFilterModel::filterChanged, this, [this] {
        if (isFollowing())
            scrollToEnd();
    });
    updateStatusText();
}

QWidget *LogPanel::createFilterBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);

    // No label: "All backends" says what the combo is, and the dock stays narrow.
    m_backendCombo = new QComboBox(bar);
    m_backendCombo->setObjectName(u"backendFilter"_s);
    m_backendCombo->setToolTip(tr("Show only the requests one backend answered (Alt+B)"));
    m_backendCombo->setAccessibleName(tr("Backend filter"));
    // Not AdjustToContents: long addresses would widen the whole dock.
    m_backendCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_backendCombo->setMinimumContentsLength(11);
    m_backendCombo->addItem(tr("All backends"), QByteArray());
    auto *focusCombo = new QShortcut(QKeySequence(tr("Alt+B")), this);
    focusCombo->setContext(Qt::WidgetWithChildrenShortcut);
    connect(focusCombo, &QShortcut::activated, this, [this] { m_backendCombo->setFocus(Qt::ShortcutFocusReason); });
    connect(m_backendCombo, &QComboBox::currentIndexChanged, this, &LogPanel::applyBackendCombo);
    row->addWidget(m_backendCombo);
    row->addSpacing(4);

    const std::array<std::pair<QString, QString>, 4> classes = {{
        {u"2xx"_s, tr("Show successful responses (2xx)")},
        {u"3xx"_s, tr("Show redirects (3xx)")},
        {u"4xx"_s, tr("Show client errors (4xx, and 499: the client went away)")},
        {u"5xx"_s, tr("Show server errors (5xx: the backend failed or none was available)")},
    }};
    for (const auto &[label, tip] : classes) {
        QToolButton *toggle = toggleButton(bar, u"status"_s + label, label, tip, true);
        connect(toggle, &QToolButton::toggled, this, &LogPanel::applyStatusToggles);
        m_statusToggles.append(toggle);
        row->addWidget(toggle);
    }
    row->addSpacing(4);

    m_search = new QLineEdit(bar);
    m_search->setObjectName(u"logSearch"_s);
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Search URI, client, status… (Ctrl+F)"));
    m_search->setToolTip(tr("Show only requests whose URI, client, method, backend or status contain this "
                            "text (not case-sensitive)"));
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(u"Search"_s) + 40);
    connect(m_search, &QLineEdit::textChanged, m_filter, &AccessLogFilterModel::setText);
    row->addWidget(m_search, 1);

    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    return bar;
}

QWidget *LogPanel::createActionBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);

    m_follow = toggleButton(bar, u"follow"_s, tr("&Follow"),
                            tr("Keep the newest request in view; scrolling up stops following, scrolling to "
                               "the bottom starts it again"),
                            true);
    connect(m_follow, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            scrollToEnd();
    });
    row->addWidget(m_follow);

    m_pause =
        toggleButton(bar, u"pause"_s, tr("&Pause"),
                     tr("Freeze the table to read it; new requests are counted and shown when you resume"), false);
    connect(m_pause, &QToolButton::toggled, this, &LogPanel::handlePauseToggled);
    row->addWidget(m_pause);

    m_statusText = new QLabel(bar);
    m_statusText->setObjectName(u"logStatus"_s);
    m_statusText->setToolTip(tr("Requests shown with the current filter, and in the log"));
    // It may be clipped in a narrow dock rather than widen it; the tooltip has it whole.
    m_statusText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_statusText->setMinimumWidth(m_statusText->fontMetrics().horizontalAdvance(u"000 requests"_s));
    row->addWidget(m_statusText, 1);

    m_export = new QPushButton(tr("E&xport…"), bar);
    m_export->setObjectName(u"export"_s);
    m_export->setToolTip(tr("Save the requests the filter shows as CSV or JSON Lines"));
    connect(m_export, &QPushButton::clicked, this, &LogPanel::exportWithDialog);
    row->addWidget(m_export);

    m_clear = new QPushButton(tr("C&lear"), bar);
    m_clear->setObjectName(u"clear"_s);
    m_clear->setToolTip(tr("Empty the table; the proxy's own log is not touched"));
    connect(m_clear, &QPushButton::clicked, this, &LogPanel::clearLog);
    row->addWidget(m_clear);
    return bar;
}

void LogPanel::setUpTable()
{
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setAccessibleName(tr("Access log"));

    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setSectionResizeMode(AccessLogModel::UriColumn, QHeaderView::Stretch);
    sizeTable();

    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogPanel::handleScrolled);
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        if (isFollowing())
            scrollToEnd();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LogPanel::handleCurrentChanged);
    connect(m_table, &QTableView::clicked, this, &LogPanel::handleClicked);
}

// Row heights and column widths from the font: again when it changes (presentation mode).
void LogPanel::sizeTable()
{
    const QFontMetrics metrics = m_table->fontMetrics();
    m_table->verticalHeader()->setDefaultSectionSize(metrics.height() + 8);
    m_table->setIconSize(QSize(metrics.height(), metrics.height()));
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setMinimumSectionSize(metrics.horizontalAdvance(u"000"_s) + 12);
    const auto width = [&](const QString &sample) { return metrics.horizontalAdvance(sample) + 20; };
    columns->resizeSection(AccessLogModel::TimeColumn, width(u"00:00:00.000"_s));
    columns->resizeSection(AccessLogModel::ClientColumn, width(u"127.000.00.1"_s));
    columns->resizeSection(AccessLogModel::MethodColumn, width(u"DELETE"_s));
    columns->resizeSection(AccessLogModel::StatusColumn, width(u"Status"_s));
    columns->resizeSection(AccessLogModel::BackendColumn, width(u"127.000.000.1:0000"_s) + metrics.height() + 8);
    columns->resizeSection(AccessLogModel::UpstreamTimeColumn, width(u"Upstream"_s));
    columns->resizeSection(AccessLogModel::TotalTimeColumn, width(u"0000 ms"_s));
}

void LogPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        sizeTable();
}

void LogPanel::handleTick(const LiveTick &tick)
{
    m_detail->setStats(tick.stats);
    for (const UpstreamSnapshot &upstream : tick.stats.upstreams) {
        for (const PeerSnapshot &peer : upstream.peers)
            addBackend(peer.peer);
    }
    if (isPaused()) {
        m_pending.append(tick.records);
        m_pendingSeen += quint64(tick.records.size()) + tick.skippedRecords;
        m_pendingDropped += tick.skippedRecords;
        const qsizetype excess = m_pending.size() - m_model->capacity();
        if (excess > 0) {
            m_pending.remove(0, excess);
            m_pendingDropped += quint64(excess);
        }
    } else if (!tick.records.isEmpty() || tick.skippedRecords > 0) {
        m_updating = true;
        m_model->handleTick(tick);
        m_updating = false;
    }
    updateStatusText();
}

void LogPanel::handlePauseToggled(bool paused)
{
    if (!paused) {
        LiveTick resumed;
        resumed.records = std::exchange(m_pending, {});
        resumed.skippedRecords = m_pendingDropped;
        m_pendingSeen = 0;
        m_pendingDropped = 0;
        m_updating = true;
        m_model->handleTick(resumed);
        m_updating = false;
        if (isFollowing())
            scrollToEnd();
    }
    updateStatusText();
}

bool LogPanel::isPaused() const
{
    return m_pause->isChecked();
}

void LogPanel::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

bool LogPanel::isFollowing() const
{
    return m_follow->isChecked();
}

void LogPanel::setFollowing(bool follow)
{
    m_follow->setChecked(follow);
}

void LogPanel::scrollToEnd()
{
    const bool updating = std::exchange(m_updating, true);
    m_table->scrollToBottom();
    m_updating = updating;
}

void LogPanel::handleRowsInserted()
{
    if (isFollowing())
        scrollToEnd();
}

void LogPanel::handleScrolled(int value)
{
    if (m_updating)
        return;
    // The user scrolled: following means being at the bottom.
    const bool atBottom = value >= m_table->verticalScrollBar()->maximum();
    if (atBottom != isFollowing())
        m_follow->setChecked(atBottom);
}

void LogPanel::addBackend(const QByteArray &peer)
{
    if (peer.isEmpty() || m_backendCombo->findData(peer) >= 0)
        return;
    // In the palette's order, so the combo reads 1, 2, 3 like the other views.
    const int number = m_palette->numberFor(peer);
    int at = 1;
    while (at < m_backendCombo->count() && m_palette->numberFor(m_backendCombo->itemData(at).toByteArray()) < number)
        ++at;
    m_backendCombo->insertItem(at, m_model->backendIcon(peer), QString::fromLatin1(peer), peer);
}

void LogPanel::setBackendFilter(const QByteArray &peer)
{
    addBackend(peer);
    m_backendCombo->setCurrentIndex(std::max(0, m_backendCombo->findData(peer)));
}

bool LogPanel::showRecord(quint64 id)
{
    // Rows are in id order: a binary search over the model's ring.
    int low = 0;
    int high = m_model->rowCount();
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (m_model->recordAt(middle)->id < id)
            low = middle + 1;
        else
            high = middle;
    }
    if (low >= m_model->rowCount() || m_model->recordAt(low)->id != id)
        return false;
    const QModelIndex source = m_model->index(low, AccessLogModel::UriColumn);
    QModelIndex shown = m_filter->mapFromSource(source);
    if (!shown.isValid()) {
        setBackendFilter({});
        shown = m_filter->mapFromSource(source);
    }
    if (!shown.isValid())
        return false;
    setFollowing(false);
    m_table->setCurrentIndex(shown);
    // Our scroll: near the bottom it must not switch Follow back on.
    const bool updating = std::exchange(m_updating, true);
    m_table->scrollTo(shown, QAbstractItemView::PositionAtCenter);
    m_updating = updating;
    return true;
}

void LogPanel::applyBackendCombo()
{
    m_filter->setBackend(m_backendCombo->currentData().toByteArray());
}

void LogPanel::applyStatusToggles()
{
    quint8 classes = 0;
    for (qsizetype i = 0; i < m_statusToggles.size(); ++i) {
        if (m_statusToggles[i]->isChecked())
            classes |= AccessLogFilterModel::bitForClass(int(i) + 2);
    }
    // 1xx and unparsed statuses have no button: they show while nothing is narrowed.
    if (classes == (AccessLogFilterModel::AllStatusClasses & ~AccessLogFilterModel::Other))
        classes = AccessLogFilterModel::AllStatusClasses;
    m_filter->setStatusClasses(classes);
}

void LogPanel::handleCurrentChanged(const QModelIndex &current)
{
    // Rows falling off the ring move the current row; the pane keeps what the user picked.
    if (m_updating)
        return;
    const AccessRecord *record = current.isValid() ? m_model->recordAt(m_filter->mapToSource(current).row()) : nullptr;
    if (record)
        m_detail->setRecord(*record);
}

void LogPanel::handleClicked(const QModelIndex &index)
{
    if (index.column() != AccessLogModel::BackendColumn)
        return;
    const QByteArray peer = index.data(AccessLogModel::PeerRole).toByteArray();
    if (peer.isEmpty())
        return;
    setBackendFilter(peer);
    emit backendActivated(peer);
}

void LogPanel::updateStatusText()
{
    const QLocale locale;
    const int shown = m_filter->rowCount();
    const int held = m_model->rowCount();
    QString text = m_filter->isFiltering()
                       ? tr("%1 of %2 shown").arg(locale.toString(shown), locale.toString(held))
                       : (held == 1 ? tr("1 request") : tr("%1 requests").arg(locale.toString(held)));
    if (isPaused())
        text += u" · "_s + tr("paused, %1 new").arg(locale.toString(m_pendingSeen));
    m_statusText->setText(text);
    m_statusText->setToolTip(text);
}

qsizetype LogPanel::exportShown(const QString &path, AccessLogExport::Format format, QString *error) const
{
    QList<AccessRecord> records;
    records.reserve(m_filter->rowCount());
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        if (const AccessRecord *record = m_model->recordAt(m_filter->mapToSource(m_filter->index(row, 0)).row()))
            records.append(*record);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return -1;
    }
    const qsizetype written = AccessLogExport::write(records, format, &file, error);
    if (written < 0)
        return -1;
    if (!file.commit()) {
        *error = file.errorString();
        return -1;
    }
    return written;
}

void LogPanel::exportWithDialog()
{
    const QString csv = tr("CSV (*.csv)");
    const QString jsonLines = tr("JSON Lines (*.jsonl)");
    QString chosen;
    QString path = QFileDialog::getSaveFileName(this, tr("Export the requests shown"), u"access-log.csv"_s,
                                                csv + u";;"_s + jsonLines, &chosen);
    if (path.isEmpty())
        return;
    const bool json = chosen == jsonLines || path.endsWith(u".jsonl"_s, Qt::CaseInsensitive) ||
                      path.endsWith(u".json"_s, Qt::CaseInsensitive);
    QString error;
    const qsizetype written =
        exportShown(path, json ? AccessLogExport::Format::JsonLines : AccessLogExport::Format::Csv, &error);
    if (written < 0)
        QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
}

void LogPanel::clearLog()
{
    m_pending.clear();
    m_pendingSeen = 0;
    m_pendingDropped = 0;
    m_model->clear();
    m_detail->clearRecord();
    updateStatusText();
}

void LogPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Side by side in a wide dock, stacked in a tall one.
    const Qt::Orientation wanted =
        event->size().width() > event->size().height() * 3 / 2 ? Qt::Horizontal : Qt::Vertical;
    if (m_splitter->orientation() != wanted)
        m_splitter->setOrientation(wanted);
    // In a narrow side dock the URI and backend matter more than these (the detail pane has them).
    const bool narrow = event->size().width() < NarrowWidth;
    for (const int column : {AccessLogModel::TimeColumn, AccessLogModel::ClientColumn, AccessLogModel::MethodColumn,
                             AccessLogModel::UpstreamTimeColumn})
        m_table->setColumnHidden(column, narrow);
}

} // namespace lbscope
