#pragma once

// The Logs dock: the access records in a table with a filter bar (backend, status classes,
// text), follow and pause, export of what the filter shows, and the selected request's
// details beside or below the table.

#include "livetick.h"
#include "stats/accesslogexport.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QToolButton;
QT_END_NAMESPACE

namespace lbscope {

class AccessLogFilterModel;
class AccessLogModel;
class BackendPalette;
class RequestDetailView;

class LogPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogPanel)

public:
    // Below this width the table drops the time, client, method and upstream-time columns.
    static constexpr int NarrowWidth = 760;

    explicit LogPanel(BackendPalette *palette, QWidget *parent = nullptr);

    void handleTick(const lbscope::LiveTick &tick);
    // Shows only the requests that backend answered; empty: all backends.
    void setBackendFilter(const QByteArray &peer);
    // Selects that record in the table and shows its details, stopping Follow so it stays in
    // view; drops the backend filter when that hides it. False when the table does not hold it
    // (gone from the ring, waiting while paused, or hidden by the status or text filter).
    bool showRecord(quint64 id);

    // Writes the rows the filter shows now, oldest first. Returns how many, or -1 with
    // *error set.
    qsizetype exportShown(const QString &path, AccessLogExport::Format format, QString *error) const;

    bool isFollowing() const;
    void setFollowing(bool follow);
    bool isPaused() const;
    void setPaused(bool paused);
    // Records that arrived while paused and are not in the table yet.
    quint64 pendingCount() const { return m_pendingSeen; }

    AccessLogModel *model() const { return m_model; }
    AccessLogFilterModel *filterModel() const { return m_filter; }
    QTableView *tableView() const { return m_table; }
    RequestDetailView *detailView() const { return m_detail; }

signals:
    // The user clicked a backend in the log.
    void backendActivated(const QByteArray &peer);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    QWidget *createFilterBar();
    QWidget *createActionBar();
    void setUpTable();
    void sizeTable();
    void addBackend(const QByteArray &peer);
    void applyStatusToggles();
    void applyBackendCombo();
    void handleRowsInserted();
    void handleScrolled(int value);
    void handleCurrentChanged(const QModelIndex &current);
    void handleClicked(const QModelIndex &index);
    void handlePauseToggled(bool paused);
    void exportWithDialog();
    void clearLog();
    void scrollToEnd();
    void updateStatusText();

    BackendPalette *m_palette;
    AccessLogModel *m_model;
    AccessLogFilterModel *m_filter;
    QComboBox *m_backendCombo = nullptr;
    QList<QToolButton *> m_statusToggles; // 2xx, 3xx, 4xx, 5xx
    QLineEdit *m_search = nullptr;
    QToolButton *m_follow = nullptr;
    QToolButton *m_pause = nullptr;
    QLabel *m_statusText = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_clear = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_table = nullptr;
    RequestDetailView *m_detail = nullptr;

    bool m_updating = false;       // the model is taking a tick: scrolling and selection moves are ours
    QList<AccessRecord> m_pending; // while paused, at most the model's capacity
    quint64 m_pendingSeen = 0;
    quint64 m_pendingDropped = 0;
};

} // namespace lbscope
