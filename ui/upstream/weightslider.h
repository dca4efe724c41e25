#pragma once

// The weight of the server selected in the upstream table as a slider a class can see on a
// projector. Every step goes through the table model's setData, the same path (checks, engine
// command, refusal reason) as a weight typed into the table, and applies at once: the call is
// synchronous, so a fast drag queues nothing. When the weight changes elsewhere (the table,
// the configuration text, a reload) the slider follows without applying it again.

#include <QPersistentModelIndex>
#include <QWidget>

class QLabel;
class QSlider;

namespace lbscope {

class UpstreamTableModel;

class WeightSlider final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WeightSlider)

public:
    explicit WeightSlider(UpstreamTableModel *model, QWidget *parent = nullptr);

    // The server the slider sets: any cell of its row. An invalid index disables the slider.
    void showServer(const QModelIndex &index);
    // The row shown, or -1.
    int row() const { return m_server.isValid() ? m_server.row() : -1; }

    QSlider *slider() const { return m_slider; }
    QLabel *serverLabel() const { return m_serverLabel; }
    QLabel *valueLabel() const { return m_value; }

    // The range unless the weight is larger; nginx allows any weight up to INT_MAX.
    static constexpr int DefaultMaximum = 20;

private:
    void applyValue(int value);
    void followModel();
    void handleDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);
    void setMaximum(int maximum);
    void showNoServer();

    UpstreamTableModel *m_model;
    QPersistentModelIndex m_server;
    QLabel *m_caption;
    QLabel *m_serverLabel;
    QSlider *m_slider;
    QLabel *m_value;
};

} // namespace lbscope
