#include "addserverform.h"

#include "upstreamtablemodel.h"
#include "validatinglineedit.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include <limits>

using namespace Qt::StringLiterals;

namespace lbscope {

AddServerForm::AddServerForm(UpstreamTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_weight(new QSpinBox(this))
    , m_add(new QPushButton(tr("&Add"), this))
    , m_reason(ValidatingLineEdit::createReasonLabel(this))
{
    m_address = new ValidatingLineEdit(
        [this](const QString &text) { return m_model->addError(text, m_weight->value()); }, this);
    m_address->setObjectName(u"newAddress"_s);
    m_address->setPlaceholderText(ServerFields::hint(ServerFields::Field::Address));
    m_address->setToolTip(tr("The new server's address: an IP address or a host name, and a port"));
    m_address->setMinimumWidth(180);
    m_weight->setObjectName(u"newWeight"_s);
    m_weight->setRange(1, std::numeric_limits<int>::max());
    m_weight->setToolTip(tr("The new server's weight"));
    m_add->setObjectName(u"addServer"_s);
    m_add->setToolTip(tr("Add the server to the running upstream"));
    auto *cancel = new QPushButton(tr("Cancel"), this);
    cancel->setToolTip(tr("Close the form without adding (Escape)"));
    m_reason->setObjectName(u"addReason"_s);

    auto *addressLabel = new QLabel(tr("New server:"), this);
    addressLabel->setBuddy(m_address);
    auto *weightLabel = new QLabel(tr("&weight"), this);
    weightLabel->setBuddy(m_weight);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(addressLabel);
    layout->addWidget(m_address);
    layout->addWidget(weightLabel);
    layout->addWidget(m_weight);
    layout->addWidget(m_add);
    layout->addWidget(cancel);
    layout->addWidget(m_reason, 1);

    connect(m_address, &ValidatingLineEdit::reasonChanged, this, &AddServerForm::showReason);
    connect(m_address, &QLineEdit::returnPressed, this, &AddServerForm::submit);
    connect(m_weight, &QSpinBox::valueChanged, this, [this](int weight) {
        showReason(m_address->text().isEmpty() ? QString() : m_model->addError(m_address->text(), weight));
    });
    connect(m_add, &QPushButton::clicked, this, &AddServerForm::submit);
    connect(cancel, &QPushButton::clicked, this, &QWidget::hide);
    hide();
}

void AddServerForm::open(const QString &suggestion)
{
    m_address->setText(suggestion);
    m_weight->setValue(1);
    showReason(suggestion.isEmpty() ? QString() : m_address->reason());
    show();
    m_address->setFocus();
    m_address->selectAll();
}

QString AddServerForm::reason() const
{
    return m_reason->text();
}

void AddServerForm::showReason(const QString &reason)
{
    m_reason->setText(reason);
    m_add->setEnabled(reason.isEmpty());
}

void AddServerForm::submit()
{
    QString reason;
    const QString address = m_address->text().trimmed();
    if (m_model->addServer(address, m_weight->value(), &reason)) {
        hide();
        emit serverAdded(address);
        return;
    }
    m_address->showReason(reason);
    showReason(reason);
}

void AddServerForm::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace lbscope
