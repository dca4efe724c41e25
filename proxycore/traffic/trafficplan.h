#pragma once

// What the traffic generator fires: where to, which requests, how many and how fast. A value
// type: the traffic panel builds one, `lbscope fire` parses one from its arguments, and the
// generator's thread works on a copy.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

class QRandomGenerator;

namespace lbscope {

struct TrafficPlan
{
    enum class Mode {
        Single, // one request
        Burst,  // count requests, as fast as the concurrency allows
        Rate,   // rate per second for durationSeconds (0: until stopped), at most count (0: no cap)
    };

    // One piece of a path template: literal text, the request counter {n} or {rand:A-B}.
    struct PathPart
    {
        enum class Kind {
            Text,
            Counter,
            Random
        };
        Kind kind = Kind::Text;
        QByteArray text;
        quint64 low = 0;
        quint64 high = 0;
    };

    static constexpr int DefaultTimeoutMs = 10'000;
    static constexpr int DefaultConcurrency = 8;
    static constexpr int MaxConcurrency = 10'000;
    static constexpr int MaxSimulatedClients = 65'536;
    static constexpr qint64 MaxBodySize = 64 * 1024 * 1024;
    static constexpr double MaxRate = 1'000'000.0;
    static constexpr quint64 MaxRandomBound = Q_UINT64_C(1) << 53;
    // The header sequenceHeaderBase adds; nginx logs it as $http_x_lbscope_seq.
    static constexpr char SequenceHeader[] = "X-LBScope-Seq";

    QHostAddress address{QHostAddress::LocalHost};
    quint16 port = 80;
    QByteArray method = QByteArrayLiteral("GET");
    QString pathTemplate = QStringLiteral("/");
    QByteArray host; // the Host header; empty: address:port
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 bodySize = 0; // bytes of 'x'; POST, PUT and PATCH always send a Content-Length
    Mode mode = Mode::Single;
    quint64 count = 0;
    double rate = 0.0;
    double durationSeconds = 0.0;
    int concurrency = 0; // 0: 1 for Single, DefaultConcurrency otherwise
    bool keepAlive = true;
    int simulatedClients = 0; // 0: off; else requests bind round robin to clientAddress(0..K-1)
    int timeoutMs = DefaultTimeoutMs;
    // Seeds {rand:A-B}; 0: a new seed each run. Two runs with the same seed send the same paths
    // in the same order (the nginx twin and the method comparison send identical traffic).
    quint32 randomSeed = 0;
    // Set: every request carries "X-LBScope-Seq: base + n" (n counts from 0 in the run), so that
    // two proxies' logs of the same traffic can be paired request for request (the nginx twin).
    std::optional<quint64> sequenceHeaderBase;

    // Takes address, port, Host header and path from http://HOST[:PORT][/PATH][?QUERY]. HOST is
    // an IP address or localhost: a test tool should not depend on a resolver.
    bool setUrl(const QString &url, QString *error);

    // An empty string when the plan can run, else what is wrong with it.
    QString validate() const;

    int effectiveConcurrency() const;
    QByteArray hostHeader() const;
    bool sendsBody() const;
    // How many requests the plan sends; nullopt when it runs until stopped.
    std::optional<quint64> totalRequests() const;

    // Simulated client i: 127.(i / 256 % 256).(i % 256).1. The first three octets differ, which
    // is what nginx's ip_hash looks at, and every address is on Linux's loopback.
    static QHostAddress clientAddress(int index);
    // Where a client on this machine reaches a proxy listening on `listener`: the address
    // itself, or loopback for a listener on every address.
    static QHostAddress targetFor(const QHostAddress &listener);

    static QList<PathPart> parsePathTemplate(const QString &text, QString *error);
    static QByteArray expandPath(const QList<PathPart> &parts, quint64 sequence, QRandomGenerator &random);
};

} // namespace lbscope
