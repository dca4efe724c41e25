#pragma once

// The flow view: requests as dots travelling from the proxy (left) to their backend (right),
// in the backend's colour, with a ring that turns from green to red as the request ages; a
// failed request falls away in red. Each backend shows its in-flight queue from the engine's
// counts, coloured by the age of its oldest waiting request, so a slow backend turns red
// while its requests still wait. At high rates the lanes carry the rates as line widths.
//
// Painted in one pass from a FlowModel; the frame timer runs only while the view is on screen
// and something moves, so a hidden view costs one cheap model update per tick.

#include "teaching/flowmodel.h"

#include <QTimer>
#include <QWidget>

namespace lbscope {

class BackendPalette;

class FlowView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowView)

public:
    // 25 frames a second between the ticks, only while dots move: at high rates the lines move
    // with the ticks (10 a second) and frames run only while a failure falls.
    static constexpr int FrameIntervalMs = 40;

    explicit FlowView(BackendPalette *palette, QWidget *parent = nullptr);

    // What the last frame drew, for tests and for anyone describing the view.
    struct DrawnBackend
    {
        QByteArray peer;
        QString name;
        int number = 0;
        QColor color;
        QRectF card;
        qint64 inFlight = 0;
        qint64 oldestAgeMs = 0;
        QColor queueColor;         // the ageing colour of its oldest request in flight
        int queueShown = 0;        // squares drawn for the queue
        QList<QColor> queueColors; // theirs, oldest first
        quint32 rate = 0;
        qreal lineWidth = 0;
        QPointF laneStart;
        QPointF laneEnd;
    };
    struct DrawnDot
    {
        QByteArray peer; // empty: refused at the proxy
        QPointF position;
        qreal radius = 0;
        qreal opacity = 1;
        QColor fill; // the backend's colour, or red for a failure
        QColor ring; // the ageing colour
        FlowModel::Phase phase = FlowModel::Phase::Travelling;
        qint64 ageMs = 0;
        bool failed = false;
        bool pending = false; // in flight, from the engine's count
    };

    const FlowModel &model() const { return m_model; }
    // The frame timer runs (between the ticks), and when the last frame was built.
    bool isAnimating() const { return m_timer.isActive(); }
    qint64 frameMs() const { return m_frameMs; }
    bool aggregated() const { return m_aggregated; }
    const QList<DrawnBackend> &drawnBackends() const { return m_backends; }
    const QList<DrawnDot> &drawnDots() const { return m_dots; }
    // The drawn backend for a peer, or nullptr.
    const DrawnBackend *drawnBackend(QByteArrayView peer) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void handleTick(const lbscope::LiveTick &tick);
    void clear();

protected:
    void paintEvent(QPaintEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void advance();
    void advanceDots();
    void updateTimer();
    void buildFrame(qint64 nowMs);
    QRectF proxyRect() const;
    qreal dotRadius() const;

    BackendPalette *m_palette;
    FlowModel m_model;
    QTimer m_timer;
    qint64 m_frameMs = 0;
    bool m_aggregated = false;
    QList<DrawnBackend> m_backends;
    QList<DrawnDot> m_dots;
    quint32 m_proxyRate = 0;
    qint64 m_proxyActive = 0;
    QString m_method; // "round robin", one line per upstream
};

} // namespace lbscope
