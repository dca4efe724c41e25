#include "weightslider.h"

#include "applicationfontfollower.h"
#include "backendpalette.h"
#include "upstreamtablemodel.h"

#include <QColor>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr int TicksWanted = 20;

} // namespace

WeightSlider::WeightSlider(UpstreamTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_caption(new QLabel(tr("Wei&ght of"), this))
    , m_serverLabel(new QLabel(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_value(new QLabel(this))
{
    setObjectName(u"weightSlider"_s);
    m_slider->setObjectName(u"weight"_s);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setSingleStep(1);
    m_slider->setFocusPolicy(Qt::StrongFocus);
    // Long enough to aim at a step on a projector, short enough to keep the number beside it.
    m_slider->setMinimumWidth(160);
    m_slider->setMaximumWidth(520);
    m_caption->setBuddy(m_slider);

    ApplicationFontFollower::follow(m_serverLabel, ApplicationFontFollower::scaled(1.0, true));
    m_serverLabel->setAutoFillBackground(true);
    m_serverLabel->setContentsMargins(6, 2, 6, 2);
    ApplicationFontFollower::follow(m_value, ApplicationFontFollower::scaled(1.4, true));
    m_value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_serverLabel);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_value);
    layout->addStretch(0);

    // valueChanged, not sliderMoved: the keyboard, the wheel and a drag with tracking all end here.
    connect(m_slider, &QSlider::valueChanged, this, &WeightSlider::applyValue);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &WeightSlider::handleDataChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &WeightSlider::followModel);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &WeightSlider::followModel);
    setMaximum(DefaultMaximum);
    showNoServer();
}

void WeightSlider::showServer(const QModelIndex &index)
{
    const bool valid = index.isValid() && index.model() == m_model;
    const QPersistentModelIndex server = valid ? m_model->index(index.row(), 0) : QModelIndex();
    if (server == m_server && valid)
        return;
    m_server = server;
    if (valid) {
        const QSignalBlocker blocker(m_slider);
        setMaximum(std::max(DefaultMaximum, m_model->server(index.row()).weight));
    }
    followModel();
}

void WeightSlider::setMaximum(int maximum)
{
    m_slider->setRange(1, maximum);
    m_slider->setTickInterval(std::max(1, maximum / TicksWanted));
    m_slider->setPageStep(std::max(1, maximum / 4));
    m_value->setMinimumWidth(m_value->fontMetrics().horizontalAdvance(QString::number(maximum)) + 4);
}

void WeightSlider::showNoServer()
{
    const QSignalBlocker blocker(m_slider);
    m_slider->setValue(1);
    m_slider->setEnabled(false);
    m_caption->setEnabled(false);
    m_serverLabel->setText(tr("(select a server)"));
    m_serverLabel->setPalette(QPalette());
    m_value->clear();
    const QString why = tr("Select a server in the table to set its weight here.");
    for (QWidget *widget : std::initializer_list<QWidget *>{m_caption, m_serverLabel, m_slider, m_value})
        widget->setToolTip(why);
}

void WeightSlider::followModel()
{
    if (!m_server.isValid()) {
        showNoServer();
        return;
    }
    const int row = m_server.row();
    const UpstreamServer &server = m_model->server(row);
    const QSignalBlocker blocker(m_slider);
    if (server.weight > m_slider->maximum())
        setMaximum(server.weight);
    m_slider->setValue(server.weight);
    m_slider->setEnabled(true);
    m_caption->setEnabled(true);
    m_value->setText(QString::number(server.weight));

    const QModelIndex cell = m_model->index(row, UpstreamTableModel::AddressColumn);
    const QColor color = cell.data(UpstreamTableModel::BackendColorRole).value<QColor>();
    const int number = cell.data(UpstreamTableModel::BackendNumberRole).toInt();
    m_serverLabel->setText(number > 0 ? u"%1  %2"_s.arg(number).arg(server.address) : server.address);
    QPalette palette;
    if (color.isValid()) {
        palette.setColor(QPalette::Window, color);
        palette.setColor(QPalette::WindowText, BackendPalette::textColorOn(color));
    }
    if (palette != m_serverLabel->palette())
        m_serverLabel->setPalette(palette);

    const QString keys = tr("Arrow keys: one step; Page Up/Down: %1 steps.").arg(m_slider->pageStep());
    m_slider->setToolTip(tr("weight=%1 of %2: its share of the requests. Every nginx method uses it (round "
                            "robin, least_conn, ip_hash, hash, random). Each step applies to the running proxy "
                            "at once. %3")
                             .arg(server.weight)
                             .arg(server.address, keys));
    m_caption->setToolTip(tr("The weight of the server selected in the table (Alt+G)"));
    m_serverLabel->setToolTip(tr("The server selected in the table, in its colour in every view"));
    m_value->setToolTip(tr("Its weight now, as the table's Weight column shows it"));
}

void WeightSlider::handleDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    if (!m_server.isValid())
        return;
    const int row = m_server.row();
    // The weight, or the address and its colour; not the figures every tick refreshes.
    if (row < topLeft.row() || row > bottomRight.row() || topLeft.column() > UpstreamTableModel::WeightColumn ||
        bottomRight.column() < UpstreamTableModel::AddressColumn)
        return;
    followModel();
}

void WeightSlider::applyValue(int value)
{
    if (!m_server.isValid())
        return;
    const QModelIndex cell = m_model->index(m_server.row(), UpstreamTableModel::WeightColumn);
    // A refused value is reported by the model (editRefused, which the editor shows); the
    // slider goes back to the weight that holds.
    if (!m_model->setData(cell, QString::number(value), Qt::EditRole))
        followModel();
}

} // namespace lbscope
