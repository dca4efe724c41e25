#pragma once

// The upstream editor dock: which upstream, its balancing method, and its servers as a live
// table with a legend for their states. Every edit goes to the engine at once; a refused one
// is shown above the table with the reason and changes nothing.

#include "livetick.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QTableView;

namespace lbscope {

class AddServerForm;
class BackendPalette;
class Engine;
class InlineMessage;
class MethodPicker;
class UpstreamTableModel;
class WeightSlider;

class UpstreamEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamEditor)

public:
    explicit UpstreamEditor(Engine *engine, BackendPalette *palette, QWidget *parent = nullptr);

    UpstreamTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // The editor's height with every server's row in view (at least MinRowsShown, as the first
    // tick may not have filled the table yet), at the current font.
    static constexpr int MinRowsShown = 3;
    int heightShowingAllRows() const;
    MethodPicker *methodPicker() const { return m_method; }
    QComboBox *upstreamBox() const { return m_upstreams; }
    AddServerForm *addServerForm() const { return m_addForm; }
    InlineMessage *message() const { return m_message; }
    WeightSlider *weightSlider() const { return m_weightSlider; }
    QAction *addAction() const { return m_addAction; }
    QAction *removeAction() const { return m_removeAction; }
    QAction *moveUpAction() const { return m_moveUpAction; }
    QAction *moveDownAction() const { return m_moveDownAction; }

    // "photos.example.com, 127.0.0.1:8080": the server blocks whose proxy_pass names it.
    static QStringList serverBlocksUsing(const ProxyConfig &config, const QString &upstream);

public slots:
    void handleTick(const lbscope::LiveTick &tick);

protected:
    void changeEvent(QEvent *event) override;

signals:
    // The user clicked a server: other views may show that backend.
    void backendActivated(const QByteArray &peer);

private:
    void updateUpstreamList(const ProxyConfig &config);
    void handleUpstreamPicked(int index);
    void showUpstream(const QString &name);
    void sizeColumns();
    void updateActions();
    int currentRow() const;
    void openAddForm();
    void removeCurrent();
    void moveCurrent(int delta);

    Engine *m_engine;
    UpstreamTableModel *m_model;
    QComboBox *m_upstreams;
    QLabel *m_upstreamName;
    MethodPicker *m_method;
    AddServerForm *m_addForm;
    InlineMessage *m_message;
    QTableView *m_view;
    WeightSlider *m_weightSlider;
    QAction *m_addAction;
    QAction *m_removeAction;
    QAction *m_moveUpAction;
    QAction *m_moveDownAction;
};

} // namespace lbscope
