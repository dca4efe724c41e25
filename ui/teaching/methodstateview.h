#pragma once

// The part of the Algorithm state panel that draws one method family's state for one pick.
// The panel hands every new pick to notePick (in order, for views that grow a table as
// clients or keys appear) and the pick on display to showPick. The numbers come from the
// pick's decision and balancer state; a view never works one out itself.

#include "teaching/statepick.h"

#include <QList>
#include <QWidget>

class QLabel;
class QTableWidget;
class QTableWidgetItem;

namespace lbscope {

class BackendPalette;

class MethodStateView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MethodStateView)

public:
    explicit MethodStateView(BackendPalette *palette, QWidget *parent = nullptr);

    virtual void notePick(const StatePick &pick);
    virtual void showPick(const StatePick &pick) = 0;
    // A new upstream or a cleared panel: forget what notePick gathered.
    virtual void reset();

protected:
    // A read-only table with fixed rows, readable on a projector.
    QTableWidget *makeTable(const QStringList &headers, const QString &objectName);
    // The server cell: the backend's colour and number, its address; chosen rows are marked.
    QTableWidgetItem *serverItem(const QByteArray &name, bool chosen);
    static QTableWidgetItem *numberItem(const QString &text);
    // A figure (a key, a hash, the pick) in large bold type that follows presentation mode.
    QLabel *makeFigure(const QString &objectName, bool wrap = false);
    // Bold and tinted in the chosen backend's colour, so the winner stands out from the back.
    void markChosenRow(QTableWidget *table, int row, const QByteArray &name);
    // "skipped: failed", "backup"...: why a peer of the pick's list took no part.
    static QString skipText(const StatePick &pick, int index);

    void changeEvent(QEvent *event) override;

    BackendPalette *m_palette;

private:
    void fitHeadings(QTableWidget *table);

    QList<QTableWidget *> m_tables;
};

} // namespace lbscope
