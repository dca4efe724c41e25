#pragma once

// A line edit that refuses bad input where it is typed: while the text would be refused it
// turns red and says why (in its tooltip and in a label beside it), and Enter does not take
// it (its validator never calls the text acceptable, which Qt's item delegates and dialogs
// honour). The user may go on typing; nothing is applied until the text is right.

#include <QLineEdit>
#include <QPointer>

#include <functional>

class QLabel;

namespace lbscope {

class ValidatingLineEdit final : public QLineEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ValidatingLineEdit)

public:
    // check: the reason a text is refused, or an empty string.
    using Check = std::function<QString(const QString &)>;

    explicit ValidatingLineEdit(Check check, QWidget *parent = nullptr);
    ~ValidatingLineEdit() override;

    // The reason the current text is refused; empty when it is fine.
    const QString &reason() const { return m_reason; }
    bool isAcceptable() const { return m_reason.isEmpty(); }
    // Shows the reason in a label floating under (or above) the editor, in its parent: for
    // editors inside a view, where no layout has room for a label.
    void setFloatingReason(bool floating);
    // A label for reasons beside a field in a layout, in the red every refusal uses.
    static QLabel *createReasonLabel(QWidget *parent);
    // A reason from elsewhere (the engine refused what the check passed): shown the same way
    // until the text changes.
    void showReason(const QString &reason);

signals:
    void reasonChanged(const QString &reason);

protected:
    void moveEvent(QMoveEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void handleTextChanged(const QString &text);
    void setReason(const QString &reason);
    void placeFloatingLabel();

    Check m_check;
    QString m_reason;
    QString m_plainToolTip;
    bool m_floating = false;
    QPointer<QLabel> m_floatingLabel;
};

} // namespace lbscope
