#include "presentationmode.h"

#include "applicationfontfollower.h"
#include "charts/chartstyle.h"

#include <QApplication>
#include <QEvent>
#include <QMainWindow>
#include <QResizeEvent>
#include <QSettings>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

const auto SettingKey = u"view/presentationMode"_s;

} // namespace

PresentationMode::PresentationMode(QMainWindow *window)
    : QObject(window)
    , m_window(window)
{
}

PresentationMode::~PresentationMode()
{
    if (m_enabled)
        restoreApplicationLook();
}

void PresentationMode::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    if (enabled)
        enter();
    else
        leave();
    m_enabled = enabled;
    QSettings().setValue(SettingKey, enabled);
    emit toggled(enabled);
}

void PresentationMode::restoreSetting()
{
    setEnabled(QSettings().value(SettingKey, false).toBool());
}

void PresentationMode::enter()
{
    m_font = QApplication::font();
    m_palette = QApplication::palette();
    m_lineScale = charts::lineScale();
    m_windowStates = m_window->windowState();
    m_geometry = m_window->saveGeometry();
    m_state = m_window->saveState();
    m_normalSize = m_window->size();
    m_restoringDocks = false;
    m_window->removeEventFilter(this);

    // Full screen before the larger font can grow the window: the platform goes back to the
    // normal geometry it saw last when the mode ends.
    if (m_window->isVisible())
        m_window->showFullScreen();
    else
        m_window->setWindowState(m_window->windowState() | Qt::WindowFullScreen);
    // The line scale before the font: the font change makes every chart restyle, and read it.
    charts::setLineScale(m_lineScale * LineScale);
    QApplication::setPalette(highContrastPalette());
    QApplication::setFont(ApplicationFontFollower::scaled(FontScale, m_font.bold())(m_font));
}

void PresentationMode::leave()
{
    restoreApplicationLook();
    m_window->setWindowState(m_windowStates);
    // The window's minimum size shrinks back with the font only once the layouts ran (queued
    // layout requests); before that it would hold the restored geometry larger than it was.
    QTimer::singleShot(0, m_window, [this, geometry = m_geometry] {
        m_window->restoreGeometry(geometry);
        if (m_window->size() == m_normalSize)
            restoreDocks();
    });
    // The docks once the window has its size back (the platform may report it later): a resize
    // after restoreState would share the difference out over them again.
    m_restoringDocks = true;
    m_window->installEventFilter(this);
}

bool PresentationMode::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Resize && m_restoringDocks &&
        static_cast<QResizeEvent *>(event)->size() == m_normalSize) {
        // After the window's own handling of the resize, so the dock layout has the new size.
        QMetaObject::invokeMethod(this, &PresentationMode::restoreDocks, Qt::QueuedConnection);
    }
    return QObject::eventFilter(watched, event);
}

void PresentationMode::restoreDocks()
{
    if (!m_restoringDocks)
        return;
    m_restoringDocks = false;
    m_window->removeEventFilter(this);
    // The smaller font's layout requests first, or their new minimum sizes would move the docks.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    m_window->restoreState(m_state);
    m_geometry.clear();
    m_state.clear();
}

void PresentationMode::restoreApplicationLook()
{
    charts::setLineScale(m_lineScale);
    QApplication::setPalette(m_palette);
    QApplication::setFont(m_font);
}

QPalette PresentationMode::highContrastPalette()
{
    const QColor white(0xff, 0xff, 0xff);
    const QColor ink(0x0a, 0x0a, 0x0a);
    QPalette palette(ink, QColor(0xee, 0xee, 0xee), white, QColor(0x55, 0x55, 0x55), QColor(0x99, 0x99, 0x99), ink,
                     white, white, white);
    palette.setColor(QPalette::AlternateBase, QColor(0xeb, 0xeb, 0xeb));
    palette.setColor(QPalette::Highlight, QColor(0x00, 0x3f, 0xbf));
    palette.setColor(QPalette::HighlightedText, white);
    palette.setColor(QPalette::Link, QColor(0x00, 0x3f, 0xbf));
    palette.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xe0));
    palette.setColor(QPalette::ToolTipText, ink);
    // Captions drawn in the placeholder colour stay readable from the back of the room.
    palette.setColor(QPalette::PlaceholderText, QColor(0x40, 0x40, 0x40));
    const QColor disabled(0x6e, 0x6e, 0x6e);
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    return palette;
}

} // namespace lbscope
