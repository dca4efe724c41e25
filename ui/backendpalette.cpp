#include "backendpalette.h"

namespace lbscope {

namespace {

// Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion,
// reddish purple, sky blue, a darkened yellow (pure yellow vanishes on white), grey.
constexpr std::array<QRgb, BackendPalette::ColorCount> Colors = {
    0xff0072b2, 0xffe69f00, 0xff009e73, 0xffd55e00, 0xffcc79a7, 0xff56b4e9, 0xffb8a000, 0xff8c8c8c,
};

} // namespace

BackendPalette::BackendPalette(QObject *parent)
    : QObject(parent)
{
}

QColor BackendPalette::colorAt(int index)
{
    return QColor::fromRgba(Colors[std::size_t(index % ColorCount)]);
}

int BackendPalette::indexFor(QByteArrayView peer)
{
    const QByteArray key = peer.toByteArray();
    const auto found = m_indices.constFind(key);
    if (found != m_indices.cend())
        return *found;
    const int index = int(m_indices.size());
    m_indices.insert(key, index);
    emit backendAdded(key);
    return index;
}

QColor BackendPalette::colorFor(const QByteArrayView peer)
{
    return colorAt(indexFor(peer));
}

int BackendPalette::numberFor(const QByteArrayView peer)
{
    return indexFor(peer) + 1;
}

QColor BackendPalette::textColorOn(const QColor &background)
{
    // Relative luminance, roughly (WCAG): dark text on light fills, white on dark ones.
    const double luminance = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace lbscope
