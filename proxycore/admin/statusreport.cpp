#include "admin/statusreport.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

const std::array<const char *, 5> statusClasses = {"1xx", "2xx", "3xx", "4xx", "5xx"};

QJsonObject latencyJson(const LatencySummary &summary)
{
    return {{u"count"_s, qint64(summary.count)}, {u"p50_ms"_s, summary.p50Ms}, {u"p90_ms"_s, summary.p90Ms},
            {u"p99_ms"_s, summary.p99Ms},        {u"max_ms"_s, summary.maxMs}, {u"mean_ms"_s, summary.meanMs}};
}

QJsonObject classesJson(const std::array<quint64, 5> &responses)
{
    QJsonObject classes;
    for (std::size_t i = 0; i < responses.size(); ++i)
        classes.insert(QLatin1StringView(statusClasses[i]), qint64(responses[i]));
    return classes;
}

// As nginx Plus's API: the classes, and "codes" with each exact code seen.
QJsonObject peerResponsesJson(const PeerCounts &counts)
{
    QJsonObject responses = classesJson(counts.responses);
    QJsonObject codes;
    const QMap<int, quint64> byCode = counts.statusCodes();
    for (auto it = byCode.cbegin(); it != byCode.cend(); ++it)
        codes.insert(QString::number(it.key()), qint64(it.value()));
    responses.insert(u"codes"_s, codes);
    return responses;
}

QJsonArray rateJson(const QList<quint32> &rate)
{
    QJsonArray series;
    for (quint32 value : rate)
        series.append(qint64(value));
    return series;
}

QJsonObject peerJson(const PeerSnapshot &peer)
{
    const PeerCounts &c = peer.counts;
    QJsonObject failures{{u"total"_s, qint64(c.failures)}};
    for (std::size_t i = 0; i < c.failuresByKind.size(); ++i)
        failures.insert(failureKindName(FailureKind(i)), qint64(c.failuresByKind[i]));
    QJsonObject json{
        {u"peer"_s, QString::fromLatin1(peer.peer)},
        {u"server"_s, peer.server},
        {u"weight"_s, peer.weight},
        {u"backup"_s, peer.backup},
        {u"state"_s, peerStateName(peer.state)},
        {u"requests"_s, qint64(c.requests)},
        {u"responses"_s, peerResponsesJson(c)},
        {u"failures"_s, failures},
        {u"unavailable"_s, qint64(c.unavailable)},
        {u"last_selected_ms"_s, c.lastSelectedMs},
        {u"retries"_s, qint64(c.retries)},
        {u"truncated"_s, qint64(c.truncated)},
        {u"active"_s, c.active},
        {u"bytes_received"_s, qint64(c.bytesFromUpstream)},
        {u"bytes_sent"_s, qint64(c.bytesToUpstream)},
        {u"connect_time"_s, latencyJson(peer.connectTime())},
        {u"header_time"_s, latencyJson(peer.headerTime())},
        {u"response_time"_s, latencyJson(peer.responseTime())},
        {u"rate"_s, rateJson(peer.rate)},
    };
    if (peer.state == PeerState::Failed)
        json.insert(u"failed_until"_s, c.failedUntil);
    if (c.lastFailure.atMs != 0) {
        json.insert(u"last_failure"_s,
                    QJsonObject{{u"reason"_s, describeFailure(c.lastFailure)}, {u"time_ms"_s, c.lastFailure.atMs}});
    }
    return json;
}

// Label values escape backslash, double quote and newline.
QByteArray label(QByteArrayView value)
{
    QByteArray escaped;
    for (char c : value) {
        if (c == '\\' || c == '"')
            escaped.append('\\').append(c);
        else if (c == '\n')
            escaped.append("\\n");
        else
            escaped.append(c);
    }
    return escaped;
}

class MetricsWriter
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const QByteArray &name, const QByteArray &labels, double value)
    {
        m_out += name;
        if (!labels.isEmpty())
            m_out += '{' + labels + '}';
        m_out += ' ' + QByteArray::number(value, 'g', 15) + '\n';
    }
    void histogram(const char *name, const QByteArray &labels, const LatencyCounts &counts)
    {
        // One bucket bound per doubling: exactly where our finer buckets end.
        const QByteArray prefix = labels.isEmpty() ? QByteArray() : labels + ',';
        quint64 cumulative = 0;
        for (int bucket = 0; bucket < LatencyHistogram::Buckets; ++bucket) {
            cumulative += counts.buckets[std::size_t(bucket)];
            if (bucket % LatencyHistogram::SubBuckets != LatencyHistogram::SubBuckets - 1 || bucket < 7)
                continue;
            const double le = double(LatencyHistogram::upperBoundMicros(bucket)) / 1e6;
            sample(QByteArray(name) + "_bucket", prefix + "le=\"" + QByteArray::number(le, 'g', 15) + '"',
                   double(cumulative));
        }
        sample(QByteArray(name) + "_bucket", prefix + "le=\"+Inf\"", double(counts.count));
        sample(QByteArray(name) + "_sum", labels, double(counts.sumMicros) / 1e6);
        sample(QByteArray(name) + "_count", labels, double(counts.count));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

QByteArray peerLabels(const PeerSnapshot &peer)
{
    return "upstream=\"" + label(peer.upstream.toUtf8()) + "\",peer=\"" + label(peer.peer) + '"';
}

template <typename Value>
void peerFamily(MetricsWriter &writer, const StatsSnapshot &snapshot, const char *name, const char *type,
                const char *help, Value value)
{
    writer.family(name, type, help);
    for (const UpstreamSnapshot &upstream : snapshot.upstreams) {
        for (const PeerSnapshot &peer : upstream.peers)
            value(peer, peerLabels(peer));
    }
}

} // namespace

QJsonObject statusJson(const StatsSnapshot &snapshot)
{
    QJsonObject clientErrors;
    for (std::size_t i = 0; i < ClientErrorCodes.size(); ++i)
        clientErrors.insert(QString::number(ClientErrorCodes[i]), qint64(snapshot.proxy.clientErrors[i]));
    const QJsonObject proxy{
        {u"requests"_s, qint64(snapshot.proxy.requests)},
        {u"responses"_s, classesJson(snapshot.proxy.responses)},
        {u"client_errors"_s, clientErrors},
        {u"connections"_s, snapshot.proxy.connections},
        {u"request_time"_s, latencyJson(snapshot.requestTime())},
        {u"rate"_s, rateJson(snapshot.rate)},
    };
    QJsonArray upstreams;
    for (const UpstreamSnapshot &upstream : snapshot.upstreams) {
        QJsonArray peers;
        for (const PeerSnapshot &peer : upstream.peers)
            peers.append(peerJson(peer));
        upstreams.append(
            QJsonObject{{u"name"_s, upstream.name}, {u"method"_s, upstream.methodText}, {u"peers"_s, peers}});
    }
    return {
        {u"version"_s, QCoreApplication::applicationVersion()},
        {u"time_ms"_s, snapshot.takenAtMs},
        {u"since_ms"_s, snapshot.sinceMs},
        {u"proxy"_s, proxy},
        {u"upstreams"_s, upstreams},
    };
}

QByteArray prometheusMetrics(const StatsSnapshot &snapshot)
{
    MetricsWriter w;
    const ProxyCounts &proxy = snapshot.proxy;
    w.family("lbscope_requests_total", "counter", "Requests received from clients.");
    w.sample("lbscope_requests_total", {}, double(proxy.requests));
    w.family("lbscope_responses_total", "counter", "Responses sent to clients, by status class.");
    for (std::size_t i = 0; i < proxy.responses.size(); ++i)
        w.sample("lbscope_responses_total", "code=\"" + QByteArray(statusClasses[i]) + '"', double(proxy.responses[i]));
    w.family("lbscope_client_errors_total", "counter", "Requests refused before any backend saw them, by status.");
    for (std::size_t i = 0; i < ClientErrorCodes.size(); ++i)
        w.sample("lbscope_client_errors_total", "code=\"" + QByteArray::number(ClientErrorCodes[i]) + '"',
                 double(proxy.clientErrors[i]));
    w.family("lbscope_connections", "gauge", "Client connections open now.");
    w.sample("lbscope_connections", {}, double(proxy.connections));
    w.family("lbscope_request_seconds", "histogram", "Time from a request's first byte to its last answer byte.");
    w.histogram("lbscope_request_seconds", {}, proxy.requestTime);

    peerFamily(w, snapshot, "lbscope_upstream_requests_total", "counter", "Attempts sent to a peer.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_requests_total", l, double(p.counts.requests));
               });
    peerFamily(w, snapshot, "lbscope_upstream_responses_total", "counter", "A peer's answers, by status class.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   for (std::size_t i = 0; i < p.counts.responses.size(); ++i)
                       w.sample("lbscope_upstream_responses_total", l + ",code=\"" + statusClasses[i] + '"',
                                double(p.counts.responses[i]));
               });
    peerFamily(w, snapshot, "lbscope_upstream_failures_total", "counter", "Failed attempts, by kind.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   for (std::size_t i = 0; i < p.counts.failuresByKind.size(); ++i)
                       w.sample("lbscope_upstream_failures_total",
                                l + ",kind=\"" + QByteArrayView(failureKindName(FailureKind(i))) + '"',
                                double(p.counts.failuresByKind[i]));
               });
    // A family of its own: summing it with the classes above would count every answer twice.
    peerFamily(w, snapshot, "lbscope_upstream_responses_by_code_total", "counter",
               "A peer's answers, by exact status code (codes seen only).",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   const QMap<int, quint64> codes = p.statusCodes();
                   for (auto it = codes.cbegin(); it != codes.cend(); ++it)
                       w.sample("lbscope_upstream_responses_by_code_total",
                                l + ",code=\"" + QByteArray::number(it.key()) + '"', double(it.value()));
               });
    peerFamily(w, snapshot, "lbscope_upstream_unavailable_total", "counter",
               "Times failures made a peer unavailable (max_fails reached).",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_unavailable_total", l, double(p.counts.unavailable));
               });
    peerFamily(w, snapshot, "lbscope_upstream_last_selected_timestamp_seconds", "gauge",
               "When the balancer last picked the peer (0: not since the start or reset).",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_last_selected_timestamp_seconds", l,
                            double(p.counts.lastSelectedMs) / 1000.0);
               });
    peerFamily(w, snapshot, "lbscope_upstream_last_failure_timestamp_seconds", "gauge",
               "When the peer last failed, labelled with why (peers that failed only).",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   if (p.counts.lastFailure.atMs == 0)
                       return;
                   w.sample("lbscope_upstream_last_failure_timestamp_seconds",
                            l + ",reason=\"" + describeFailure(p.counts.lastFailure).toLatin1() + '"',
                            double(p.counts.lastFailure.atMs) / 1000.0);
               });
    peerFamily(w, snapshot, "lbscope_upstream_retries_total", "counter", "Requests that moved on to another peer.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_retries_total", l, double(p.counts.retries));
               });
    peerFamily(w, snapshot, "lbscope_upstream_active", "gauge", "Attempts in flight now.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_active", l, double(p.counts.active));
               });
    peerFamily(w, snapshot, "lbscope_upstream_up", "gauge", "1 while the peer takes new requests.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   const bool up =
                       p.state == PeerState::Up || p.state == PeerState::Backup || p.state == PeerState::BackupInUse;
                   w.sample("lbscope_upstream_up", l, up ? 1 : 0);
               });
    peerFamily(w, snapshot, "lbscope_upstream_received_bytes_total", "counter", "Response bytes read from a peer.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_received_bytes_total", l, double(p.counts.bytesFromUpstream));
               });
    peerFamily(w, snapshot, "lbscope_upstream_sent_bytes_total", "counter", "Request body bytes sent to a peer.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.sample("lbscope_upstream_sent_bytes_total", l, double(p.counts.bytesToUpstream));
               });
    peerFamily(w, snapshot, "lbscope_upstream_connect_seconds", "histogram", "Time to connect to a peer.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.histogram("lbscope_upstream_connect_seconds", l, p.counts.connectTime);
               });
    peerFamily(w, snapshot, "lbscope_upstream_header_seconds", "histogram", "Time to a peer's response head.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.histogram("lbscope_upstream_header_seconds", l, p.counts.headerTime);
               });
    peerFamily(w, snapshot, "lbscope_upstream_response_seconds", "histogram", "Time to the end of a peer's response.",
               [&](const PeerSnapshot &p, const QByteArray &l) {
                   w.histogram("lbscope_upstream_response_seconds", l, p.counts.responseTime);
               });
    return w.take();
}

} // namespace lbscope
