#pragma once

// One colour per backend, used by every view of the window, so that "the orange one" means
// the same server in the table, the charts and the log. Colours come from the Okabe-Ito set,
// which stays distinguishable with the common colour-vision deficiencies, in an order that
// keeps neighbours apart. A backend keeps its colour for the window's life, across edits,
// because it is keyed by address ("127.0.0.1:3000"), not by row.

#include <QByteArray>
#include <QColor>
#include <QHash>
#include <QObject>

namespace lbscope {

class BackendPalette final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackendPalette)

public:
    explicit BackendPalette(QObject *parent = nullptr);

    // The backend's colour; a backend seen for the first time gets the next free one.
    QColor colorFor(const QByteArrayView peer);
    // 1, 2, 3...: the number shown beside the colour, for those who cannot tell colours apart.
    int numberFor(const QByteArrayView peer);
    // A text colour readable on top of colorFor(peer).
    static QColor textColorOn(const QColor &background);

    static constexpr int ColorCount = 8;
    static QColor colorAt(int index);

signals:
    void backendAdded(const QByteArray &peer);

private:
    int indexFor(QByteArrayView peer);

    QHash<QByteArray, int> m_indices;
};

} // namespace lbscope
