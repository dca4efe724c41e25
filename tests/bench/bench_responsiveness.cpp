// The window under load: the real MainWindow on the demo pool while the traffic generator sends
// RATE requests per second for SECONDS, printing how late the GUI event loop ran and how the
// process's memory moved. Run through tests/bench/bench-responsiveness.

#include "../ui/demopoolfixture.h"
#include "../ui/responsivenessrun.h"
#include "configdocument.h"
#include "mainwindow.h"

#include <QApplication>
#include <QStandardPaths>

#include <cstdio>

using namespace lbscope;
using namespace lbscope::test;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const QStringList args = app.arguments();
    const double rate = args.value(1, QStringLiteral("5000")).toDouble();
    const int seconds = args.value(2, QStringLiteral("60")).toInt();

    DemoPoolFixture pool;
    // Upstream keepalive, so that the proxy, not connection setup, sets the pace.
    if (!pool.start(QStringLiteral("    keepalive 16;\n"), {1, 1, 1}, DemoPoolFixture::Keepalive::On)) {
        std::fprintf(stderr, "the demo pool did not start: %s\n", qPrintable(pool.error()));
        return 1;
    }
    ConfigDocument document(pool.engine());
    MainWindow window(pool.engine(), document);
    window.resize(1280, 720);
    window.show();

    ResponsivenessFigures figures;
    QString error;
    if (!runResponsiveness(pool.proxyPort(), rate, seconds, &figures, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const TrafficProgress &traffic = figures.traffic;
    std::printf("traffic: %.0f req/s asked for %d s, %.0f req/s achieved, %llu done, %llu failed%s\n", rate, seconds,
                traffic.achievedRate, qulonglong(traffic.done), qulonglong(traffic.failed),
                figures.late ? " (the proxy fell behind: stopped at the deadline)" : "");
    std::printf("GUI event loop lateness: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%lld samples every %d ms)\n",
                figures.p50Ms, figures.p99Ms, figures.maxMs, qlonglong(figures.samples), LoopLatencyProbe::IntervalMs);
    std::printf("RSS: %lld KiB a quarter in, %lld KiB half way, %lld KiB at the end (%+lld KiB since half way), "
                "peak %lld KiB\n",
                qlonglong(figures.rssQuarterKiB), qlonglong(figures.rssHalfKiB), qlonglong(figures.rssEndKiB),
                qlonglong(figures.rssEndKiB - figures.rssHalfKiB), qlonglong(figures.rssPeakKiB));
    return traffic.failed == 0 ? 0 : 3;
}
