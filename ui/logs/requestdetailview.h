#pragma once

// The detail pane under the log: one request in full, with the balancer's decision for each
// attempt in words, the head that went to the backend and the line the demo instance logged.

#include "stats/accesslog.h"
#include "stats/statssnapshot.h"

#include <QWidget>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QTextBrowser;
QT_END_NAMESPACE

namespace lbscope {

class BackendPalette;

class RequestDetailView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestDetailView)

public:
    // Hooks for data the access record does not carry yet (filled in by the window).
    using UpstreamHeadProvider = std::function<QByteArray(const AccessRecord &)>;
    using DemoLineProvider = std::function<QString(const AccessRecord &)>;

    explicit RequestDetailView(BackendPalette *palette, QWidget *parent = nullptr);

    void setRecord(const AccessRecord &record);
    void clearRecord();
    const AccessRecord *record() const { return m_record ? &*m_record : nullptr; }
    // The latest snapshot: it names the peers a decision refers to by index.
    void setStats(const StatsSnapshot &stats) { m_stats = stats; }

    // The request head as it was sent to the backend (after proxy_set_header).
    void setUpstreamHeadProvider(UpstreamHeadProvider provider);
    // The access-log line the demo instance wrote for this request.
    void setDemoLineProvider(DemoLineProvider provider);

    // What the pane shows, as plain text (for tests and copying).
    QString plainText() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void render();
    QString titleHtml(const AccessRecord &record) const;
    QString detailsHtml(const AccessRecord &record) const;
    QString decisionsHtml(const AccessRecord &record) const;
    QString swatchHtml(const QByteArray &peer) const;
    QString preHtml(const QString &text) const;

    BackendPalette *m_palette;
    QTextBrowser *m_text;
    std::optional<AccessRecord> m_record;
    StatsSnapshot m_stats;
    UpstreamHeadProvider m_upstreamHead;
    DemoLineProvider m_demoLine;
};

} // namespace lbscope
