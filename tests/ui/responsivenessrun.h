#pragma once

// Drives the traffic generator through a running window's proxy at a steady rate and measures
// what a user would feel: how late the GUI event loop ran (LoopLatencyProbe) and whether the
// process's memory stayed flat. Shared by the loose ctest check and the benchmark.

#include "../integration/processmemory.h"
#include "looplatencyprobe.h"
#include "traffic/trafficgenerator.h"

#include <QEventLoop>
#include <QTimer>

namespace lbscope::test {

struct ResponsivenessFigures
{
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    qsizetype samples = 0;
    qint64 rssQuarterKiB = 0; // a quarter into the run
    qint64 rssHalfKiB = 0;    // half way: at 5,000 req/s the 100,000-record rings have filled
    qint64 rssEndKiB = 0;
    qint64 rssPeakKiB = 0;
    TrafficProgress traffic;
    bool late = false; // the proxy could not keep up: the run was stopped at its deadline
};

inline bool runResponsiveness(quint16 proxyPort, double rate, int seconds, ResponsivenessFigures *figures,
                              QString *error)
{
    TrafficPlan plan;
    plan.address = QHostAddress::LocalHost;
    plan.port = proxyPort;
    plan.host = QByteArrayLiteral("photos.example.com");
    plan.mode = TrafficPlan::Mode::Rate;
    plan.rate = rate;
    plan.durationSeconds = seconds;
    plan.concurrency = 64;
    TrafficGenerator generator;
    if (!generator.start(plan, error))
        return false;

    LoopLatencyProbe probe;
    probe.start();
    QTimer memory;
    int tick = 0;
    QObject::connect(&memory, &QTimer::timeout, &memory, [&] {
        ++tick;
        const qint64 rss = residentKiB();
        figures->rssPeakKiB = std::max(figures->rssPeakKiB, rss);
        if (tick == std::max(1, seconds / 4))
            figures->rssQuarterKiB = rss;
        if (tick == std::max(1, seconds / 2))
            figures->rssHalfKiB = rss;
    });
    memory.start(1000);

    QEventLoop loop;
    QObject::connect(&generator, &TrafficGenerator::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot((seconds + 5) * 1000, &loop, &QEventLoop::quit);
    if (generator.isRunning())
        loop.exec();
    figures->late = generator.isRunning();
    if (figures->late)
        generator.stop();
    probe.stop();
    figures->rssEndKiB = residentKiB();
    figures->traffic = generator.progress();
    figures->p50Ms = probe.percentileMs(0.50);
    figures->p99Ms = probe.percentileMs(0.99);
    figures->maxMs = probe.maxMs();
    figures->samples = probe.samples();
    return true;
}

} // namespace lbscope::test
