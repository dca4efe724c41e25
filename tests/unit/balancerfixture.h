#pragma once

// An upstream of local peers :18081, :18082, ... with the given weights, and its balancer,
// for tests that drive a balancer directly, without sockets.

#include "balancing/balancer.h"

#include <QTest>

namespace lbscope::test {

inline UpstreamConfig upstreamWithWeights(const QList<int> &weights,
                                          BalancingMethod method = BalancingMethod::RoundRobin)
{
    UpstreamConfig config;
    config.name = QStringLiteral("pool");
    config.method = method;
    for (qsizetype i = 0; i < weights.size(); ++i) {
        UpstreamServer server;
        server.host = QStringLiteral("127.0.0.1");
        server.port = quint16(18081 + i);
        server.address = server.host + u':' + QString::number(server.port);
        server.weight = weights[i];
        config.servers.append(server);
    }
    return config;
}

struct BalancerFixture
{
    explicit BalancerFixture(const UpstreamConfig &config)
    {
        QString error;
        if (!PeerGroup::build(config, &group, &error))
            qFatal("%s", qPrintable(error));
        balancer = Balancer::create(config, group);
    }

    PeerGroup group;
    std::unique_ptr<Balancer> balancer;
};

} // namespace lbscope::test
