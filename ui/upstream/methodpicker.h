#pragma once

// The balancing method of one upstream: round robin, least_conn, ip_hash, hash KEY
// [consistent], random [two]. Each change applies to the running engine at once; a refused
// one (a bad hash key, backup servers under a hash method) is shown beside it and the
// picker goes back to the method that runs.

#include "config/proxyconfig.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;

namespace lbscope {

class Engine;
class ValidatingLineEdit;

class MethodPicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MethodPicker)

public:
    explicit MethodPicker(Engine *engine, QWidget *parent = nullptr);

    // Shows the upstream's running method; edits go to that upstream.
    void showUpstream(const UpstreamConfig &upstream);
    // Why the key would be refused as a hash key (an nginx variable template), or empty.
    static QString hashKeyError(const QString &key);

    QComboBox *methodBox() const { return m_method; }
    ValidatingLineEdit *keyEdit() const { return m_key; }
    QCheckBox *consistentBox() const { return m_consistent; }
    QCheckBox *twoBox() const { return m_two; }
    QString errorText() const;

signals:
    void methodApplied(const QString &upstream);
    void methodRefused(const QString &upstream, const QString &reason);

private:
    void apply();
    void updateVisibility();
    void showError(const QString &reason);

    Engine *m_engine;
    UpstreamConfig m_shown;
    QComboBox *m_method;
    ValidatingLineEdit *m_key;
    QCheckBox *m_consistent;
    QCheckBox *m_two;
    QLabel *m_error;
};

} // namespace lbscope
