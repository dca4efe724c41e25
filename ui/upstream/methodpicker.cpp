#include "methodpicker.h"

#include "variables/valuetemplate.h"
#include "proxy/engine.h"
#include "validatinglineedit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

using namespace Qt::StringLiterals;

namespace lbscope {

MethodPicker::MethodPicker(Engine *engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_method(new QComboBox(this))
    , m_key(new ValidatingLineEdit(&MethodPicker::hashKeyError, this))
    , m_consistent(new QCheckBox(tr("&consistent"), this))
    , m_two(new QCheckBox(tr("t&wo (least_conn of two)"), this))
    , m_error(ValidatingLineEdit::createReasonLabel(this))
{
    auto *label = new QLabel(tr("&Method:"), this);
    label->setBuddy(m_method);
    m_method->setObjectName(u"method"_s);
    m_method->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    const struct
    {
        QString text;
        BalancingMethod method;
        QString toolTip;
    } methods[] = {
        {tr("round robin"), BalancingMethod::RoundRobin,
         tr("Smooth weighted round robin (nginx's default): each server in turn, by weight.")},
        {u"least_conn"_s, BalancingMethod::LeastConn,
         tr("The server with the fewest active connections (relative to weight); ties by round robin.")},
        {u"ip_hash"_s, BalancingMethod::IpHash,
         tr("The same client address (its first three octets) always goes to the same server.")},
        {u"hash"_s, BalancingMethod::Hash, tr("The same key (e.g. the URI) always goes to the same server.")},
        {u"random"_s, BalancingMethod::Random, tr("A random server, by weight; with \"two\": the less loaded of two.")},
    };
    for (const auto &entry : methods) {
        m_method->addItem(entry.text, int(entry.method));
        m_method->setItemData(m_method->count() - 1, entry.toolTip, Qt::ToolTipRole);
    }
    m_method->setToolTip(tr("How the upstream picks a server for each request. Applies at once."));

    m_key->setObjectName(u"hashKey"_s);
    m_key->setPlaceholderText(u"$request_uri"_s);
    m_key->setToolTip(tr("The hash key: text with nginx variables, e.g. $request_uri, $remote_addr, $arg_user. "
                         "Press Enter to apply."));
    m_key->setMinimumWidth(140);
    m_consistent->setObjectName(u"consistent"_s);
    m_consistent->setToolTip(tr("Ketama consistent hashing: adding or removing a server moves few keys."));
    m_two->setObjectName(u"randomTwo"_s);
    m_two->setToolTip(tr("random two least_conn: pick two servers at random, send to the one with fewer "
                         "active connections."));
    m_error->setObjectName(u"methodError"_s);
    m_error->hide();

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label);
    layout->addWidget(m_method);
    layout->addWidget(m_key);
    layout->addWidget(m_consistent);
    layout->addWidget(m_two);
    layout->addWidget(m_error);
    layout->addStretch(1);

    connect(m_method, &QComboBox::activated, this, [this] {
        if (m_method->currentData().toInt() == int(BalancingMethod::Hash) && m_key->text().trimmed().isEmpty())
            m_key->setText(u"$request_uri"_s); // a working key at once; the user may change it
        updateVisibility();
        apply();
    });
    connect(m_key, &QLineEdit::returnPressed, this, &MethodPicker::apply);
    connect(m_key, &ValidatingLineEdit::reasonChanged, this, &MethodPicker::showError);
    connect(m_consistent, &QCheckBox::toggled, this, &MethodPicker::apply);
    connect(m_two, &QCheckBox::toggled, this, &MethodPicker::apply);
    updateVisibility();
}

QString MethodPicker::hashKeyError(const QString &key)
{
    if (key.trimmed().isEmpty())
        return tr("hash needs a key, e.g. $request_uri");
    if (key.contains(u' ') || key.contains(u';'))
        return tr("the key is one word: no spaces or ';'");
    QString error;
    if (!ValueTemplate::compile(key, &error))
        return error;
    return {};
}

QString MethodPicker::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void MethodPicker::showUpstream(const UpstreamConfig &upstream)
{
    m_shown = upstream;
    const QSignalBlocker blockMethod(m_method);
    const QSignalBlocker blockConsistent(m_consistent);
    const QSignalBlocker blockTwo(m_two);
    m_method->setCurrentIndex(m_method->findData(int(upstream.method)));
    // What the user is typing stays; otherwise the running key (another method keeps the last one).
    if (upstream.method == BalancingMethod::Hash && !(m_key->hasFocus() && m_key->isModified()))
        m_key->setText(upstream.hashKey);
    m_consistent->setChecked(upstream.hashConsistent);
    m_two->setChecked(upstream.randomTwo);
    updateVisibility();
}

void MethodPicker::updateVisibility()
{
    const auto method = BalancingMethod(m_method->currentData().toInt());
    m_key->setVisible(method == BalancingMethod::Hash);
    m_consistent->setVisible(method == BalancingMethod::Hash);
    m_two->setVisible(method == BalancingMethod::Random);
}

void MethodPicker::showError(const QString &reason)
{
    m_error->setText(reason.isEmpty() ? QString() : u"⚠ "_s + reason);
    m_error->setToolTip(reason);
    m_error->setVisible(!reason.isEmpty());
}

void MethodPicker::apply()
{
    const auto method = BalancingMethod(m_method->currentData().toInt());
    const QString key = m_key->text().trimmed();
    QString reason = method == BalancingMethod::Hash ? hashKeyError(key) : QString();
    const bool consistent = m_consistent->isChecked();
    const bool two = m_two->isChecked();
    const bool unchanged =
        method == m_shown.method &&
        (method != BalancingMethod::Hash || (key == m_shown.hashKey && consistent == m_shown.hashConsistent)) &&
        (method != BalancingMethod::Random || two == m_shown.randomTwo);
    if (reason.isEmpty() && unchanged) {
        showError({});
        return; // an unchanged method must not restart the balancer
    }
    if (reason.isEmpty() && m_engine->setMethod(m_shown.name, method, key, consistent, two, &reason)) {
        m_shown.method = method;
        m_shown.hashKey = method == BalancingMethod::Hash ? key : QString();
        m_shown.hashConsistent = method == BalancingMethod::Hash && consistent;
        m_shown.randomTwo = method == BalancingMethod::Random && two;
        m_key->setModified(false);
        showError({});
        emit methodApplied(m_shown.name);
        return;
    }
    if (method == BalancingMethod::Hash && !hashKeyError(key).isEmpty()) {
        m_key->showReason(reason); // a bad key stays where it was typed, to be corrected
    } else {
        // Refused for another reason (backup servers under hash, ...): back to what runs.
        const UpstreamConfig running = m_shown;
        showUpstream(running);
    }
    showError(reason);
    emit methodRefused(m_shown.name, reason);
}

} // namespace lbscope
