#pragma once

// What the window learns from the engine on one tick of the LivePoller: value types only, so
// every view reads the same moment and none of them asks the engine itself.

#include "balancing/balancerstatesnapshot.h"
#include "config/proxyconfig.h"
#include "demo/demofleet.h"
#include "demo/demolog.h"
#include "stats/accesslog.h"
#include "stats/statssnapshot.h"

#include <QList>

namespace lbscope {

struct LiveTick
{
    quint64 sequence = 0; // 1 for the first tick
    qint64 nowMs = 0;     // wall clock when the tick was taken
    StatsSnapshot stats;
    // The balancers' own state: one per worker, or one for an upstream with a zone.
    QList<BalancerStateSnapshot> balancerStates;
    // The access records that ended since the previous tick, oldest first. At most
    // LivePoller::MaxRecordsPerTick; what the ring or that cap dropped is counted in
    // skippedRecords.
    QList<AccessRecord> records;
    quint64 skippedRecords = 0;
    // The running configuration; configChanged is true on the first tick and on every tick
    // after an edit or a reload.
    ProxyConfig config;
    bool configChanged = false;
    // The built-in demo instances now (empty without any). demoRestarted: a new set of
    // instances replaced the old.
    QList<DemoFleet::Instance> demoInstances;
    bool demoRestarted = false;
    // The log of the one instance the window follows (LivePoller::setFollowedDemoLog): the
    // entries it wrote since the previous tick, at most LivePoller::MaxDemoLogLinesPerTick, the
    // newest. demoLogReset: they do not continue the previous tick's (another instance, a
    // restart, or lines skipped), so a view starts afresh.
    QString demoLogInstance;
    QList<DemoLogEntry> demoLog;
    bool demoLogReset = false;
};

} // namespace lbscope
