#pragma once

// The inline form that adds a server to the upstream: address and weight, checked as they
// are typed; Enter or "Add" applies it to the engine, Escape closes the form.

#include <QWidget>

class QLabel;
class QPushButton;
class QSpinBox;

namespace lbscope {

class UpstreamTableModel;
class ValidatingLineEdit;

class AddServerForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddServerForm)

public:
    explicit AddServerForm(UpstreamTableModel *model, QWidget *parent = nullptr);

    // Shows the form with the address field focused, prefilled with `suggestion`.
    void open(const QString &suggestion);
    ValidatingLineEdit *addressEdit() const { return m_address; }
    QSpinBox *weightBox() const { return m_weight; }
    QString reason() const;

signals:
    void serverAdded(const QString &address);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void submit();
    void showReason(const QString &reason);

    UpstreamTableModel *m_model;
    ValidatingLineEdit *m_address;
    QSpinBox *m_weight;
    QPushButton *m_add;
    QLabel *m_reason;
};

} // namespace lbscope
