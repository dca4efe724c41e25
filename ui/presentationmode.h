#pragma once

// Presentation mode, for a projector: the application font larger (every widget and chart
// follows it), thicker chart lines, a high-contrast light palette and the window full screen
// (the menu bar stays). Leaving gives back exactly the font, palette, geometry and dock layout
// from before. Whether it is on is kept in QSettings and comes back at the next start.

#include <QByteArray>
#include <QFont>
#include <QObject>
#include <QPalette>
#include <QSize>

QT_BEGIN_NAMESPACE
class QMainWindow;
QT_END_NAMESPACE

namespace lbscope {

class PresentationMode final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PresentationMode)

public:
    static constexpr qreal FontScale = 1.25;
    static constexpr qreal LineScale = 1.6;

    // window: the one made full screen; also the parent.
    explicit PresentationMode(QMainWindow *window);
    // Gives the application its font and palette back if the mode is still on.
    ~PresentationMode() override;

    bool isEnabled() const { return m_enabled; }
    void setEnabled(bool enabled);
    // Turns the mode on if it was on when the application last ran.
    void restoreSetting();

    // The window's geometry and dock state from before the mode (empty when it is off): what
    // the window saves at close so that the next normal start is not full screen.
    QByteArray normalGeometry() const { return m_geometry; }
    QByteArray normalState() const { return m_state; }

    // White base, near-black text, a strong blue highlight.
    static QPalette highContrastPalette();

signals:
    void toggled(bool enabled);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void enter();
    void leave();
    void restoreDocks();
    void restoreApplicationLook();

    QMainWindow *m_window;
    bool m_enabled = false;
    QFont m_font;
    QPalette m_palette;
    qreal m_lineScale = 1.0;
    Qt::WindowStates m_windowStates;
    QByteArray m_geometry;
    QByteArray m_state;
    QSize m_normalSize;
    bool m_restoringDocks = false; // left the mode; the dock layout comes back with the window's size
};

} // namespace lbscope
