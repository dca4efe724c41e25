#include "logs/requestdetailview.h"

#include "backendpalette.h"
#include "logs/accesslogmodel.h"
#include "logs/decisionexplainer.h"

#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString escaped(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes).toHtmlEscaped();
}

QString heading(const QString &text)
{
    return u"<h4 style=\"margin-top:10px; margin-bottom:4px;\">"_s + text.toHtmlEscaped() + u"</h4>"_s;
}

} // namespace

RequestDetailView::RequestDetailView(BackendPalette *palette, QWidget *parent)
    : QWidget(parent)
    , m_palette(palette)
    , m_text(new QTextBrowser(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
    m_text->setOpenLinks(false);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setToolTip(tr("The selected request: why it went to its backend, what was sent there and "
                          "what the backend logged"));
    m_text->setAccessibleName(tr("Request details"));
    render();
}

void RequestDetailView::setRecord(const AccessRecord &record)
{
    m_record = record;
    render();
}

void RequestDetailView::clearRecord()
{
    m_record.reset();
    render();
}

void RequestDetailView::setUpstreamHeadProvider(UpstreamHeadProvider provider)
{
    m_upstreamHead = std::move(provider);
    render();
}

void RequestDetailView::setDemoLineProvider(DemoLineProvider provider)
{
    m_demoLine = std::move(provider);
    render();
}

QString RequestDetailView::plainText() const
{
    return m_text->toPlainText();
}

void RequestDetailView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        render();
}

QString RequestDetailView::preHtml(const QString &text) const
{
    const QString family = QFontDatabase::systemFont(QFontDatabase::FixedFont).family();
    return u"<pre style=\"font-family:'%1'; margin:0;\">"_s.arg(family.toHtmlEscaped()) + text.toHtmlEscaped() +
           u"</pre>"_s;
}

QString RequestDetailView::swatchHtml(const QByteArray &peer) const
{
    const QColor color = m_palette->colorFor(peer);
    return u"<span style=\"background-color:%1; color:%2;\">&nbsp;<b>%3</b>&nbsp;</span>&nbsp;"_s.arg(
        color.name(), BackendPalette::textColorOn(color).name(), QString::number(m_palette->numberFor(peer)));
}

QString RequestDetailView::titleHtml(const AccessRecord &record) const
{
    QString html = u"<p style=\"font-size:large; margin-bottom:4px;\"><b>%1</b> &rarr; <b>%2</b></p>"_s.arg(
        escaped(record.requestLine().isEmpty() ? QByteArray("(unparsed request)") : record.requestLine()),
        QString::number(record.status));
    const QByteArray peer = AccessLogModel::finalPeer(record);
    html += u"<p style=\"margin-top:0;\">"_s;
    if (peer.isEmpty())
        html += tr("No backend: the proxy answered itself.").toHtmlEscaped();
    else
        html += swatchHtml(peer) + u"<b>"_s + escaped(peer) + u"</b>"_s +
                tr(" in upstream %1, for client %2")
                    .arg(record.upstream, QString::fromLatin1(record.clientAddress))
                    .toHtmlEscaped();
    return html + u"</p>"_s;
}

QString RequestDetailView::detailsHtml(const AccessRecord &record) const
{
    const auto row = [](const QString &name, const QString &value) -> QString {
        return u"<tr><td style=\"padding-right:12px;\">"_s + name.toHtmlEscaped() + u"</td><td>"_s +
               value.toHtmlEscaped() + u"</td></tr>"_s;
    };
    QString html = heading(tr("Request")) + u"<table cellspacing=\"0\" cellpadding=\"1\">"_s;
    QString client = QString::fromLatin1(record.clientAddress);
    if (record.clientPort != 0)
        client += u':' + QString::number(record.clientPort);
    html += row(tr("Client"), client);
    // The realip module took the client from a header; the connection came from this peer.
    if (!record.peerAddress.isEmpty())
        html += row(tr("Via proxy"), QString::fromLatin1(record.peerAddress) + u':' + QString::number(record.peerPort));
    html += row(tr("Ended"), QDateTime::fromMSecsSinceEpoch(record.timeMs).toString(u"yyyy-MM-dd hh:mm:ss.zzz"_s));
    html += row(tr("Total time"), tr("%1 ms").arg(record.requestTimeMs));
    if (!record.upstreamResponseTime.isEmpty()) {
        QStringList times;
        for (const QByteArray &time : AccessLogModel::attempts(record.upstreamResponseTime))
            times.append(tr("%1 ms").arg(AccessLogModel::milliseconds(time)));
        html += row(tr("Upstream time"), times.join(u", "_s));
    }
    html += row(tr("Bytes sent"), tr("%1 (body %2)").arg(record.bytesSent).arg(record.bodyBytesSent));
    if (!record.host.isEmpty())
        html += row(tr("Host"), QString::fromUtf8(record.host));
    if (const QByteArray userAgent = record.requestHeader("user_agent"); !userAgent.isEmpty())
        html += row(tr("User agent"), QString::fromUtf8(userAgent));
    return html + u"</table>"_s;
}

QString RequestDetailView::decisionsHtml(const AccessRecord &record) const
{
    QString html = heading(tr("Why this backend"));
    if (record.decisions.isEmpty())
        return html + u"<p>"_s + tr("No balancing decision: the request never reached an upstream.").toHtmlEscaped() +
               u"</p>"_s;
    const PeerNames names = peerNamesFrom(m_stats, record.upstream);
    const QList<QByteArray> addresses = AccessLogModel::attempts(record.upstreamAddr);
    const QList<QByteArray> statuses = AccessLogModel::attempts(record.upstreamStatus);
    const qsizetype attempts = record.decisions.size();
    for (qsizetype i = 0; i < attempts; ++i) {
        const Decision &decision = record.decisions[i];
        const QByteArray address = decision.picked >= 0 ? addresses.value(i) : QByteArray();
        QString title = attempts > 1 ? tr("Attempt %1 of %2").arg(i + 1).arg(attempts) + u": "_s : QString();
        html += u"<p style=\"margin-bottom:2px;\"><b>"_s + title.toHtmlEscaped() + u"</b>"_s;
        if (!address.isEmpty()) {
            html += swatchHtml(address) + escaped(address);
            const QByteArray status = statuses.value(i);
            if (!status.isEmpty())
                html += u" &rarr; "_s + tr("answered %1").arg(QString::fromLatin1(status)).toHtmlEscaped();
        }
        html += u"</p>"_s + preHtml(QString::fromLatin1(decision.describe()));
        const QStringList sentences = DecisionExplainer(decision, names, record.clientAddress, address).sentences();
        html += u"<ul style=\"margin-top:2px;\">"_s;
        for (const QString &sentence : sentences)
            html += u"<li>"_s + sentence.toHtmlEscaped() + u"</li>"_s;
        if (i + 1 < attempts)
            html += u"<li>"_s +
                    tr("That attempt failed, so the request was passed to the next server "
                       "(proxy_next_upstream).")
                        .toHtmlEscaped() +
                    u"</li>"_s;
        html += u"</ul>"_s;
    }
    return html;
}

void RequestDetailView::render()
{
    if (!m_record) {
        m_text->setHtml(u"<p>"_s +
                        tr("Select a request in the log to see which backend it went to, and why.").toHtmlEscaped() +
                        u"</p>"_s);
        return;
    }
    const AccessRecord &record = *m_record;
    QString html = titleHtml(record) + decisionsHtml(record) + detailsHtml(record);

    const QString notAvailable = tr("(not available)");
    const QByteArray head = m_upstreamHead ? m_upstreamHead(record) : QByteArray();
    html += heading(tr("Headers sent upstream"));
    html += head.isEmpty() ? u"<p>"_s + notAvailable.toHtmlEscaped() + u"</p>"_s
                           : preHtml(QString::fromLatin1(head).remove(u'\r').trimmed());
    const QString demoLine = m_demoLine ? m_demoLine(record) : QString();
    html += heading(tr("Demo instance log"));
    html += demoLine.isEmpty() ? u"<p>"_s + notAvailable.toHtmlEscaped() + u"</p>"_s : preHtml(demoLine);
    m_text->setHtml(html);
}

} // namespace lbscope
