#include "livepoller.h"

#include "proxy/engine.h"

#include <QDateTime>

namespace lbscope {

LivePoller::LivePoller(Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &LivePoller::pollNow);
    // Queued when an edit comes from another thread: the flag is only read here.
    connect(&m_engine, &Engine::configurationChanged, this, &LivePoller::handleConfigurationChanged);
}

void LivePoller::start(int intervalMs)
{
    m_timer.start(intervalMs);
}

void LivePoller::stop()
{
    m_timer.stop();
}

void LivePoller::pollNow()
{
    ++m_tick.sequence;
    m_tick.nowMs = QDateTime::currentMSecsSinceEpoch();
    m_tick.stats = m_engine.snapshot();
    m_tick.balancerStates = m_engine.balancerStates();

    m_tick.records.clear();
    const AccessLog &log = m_engine.accessLog();
    const quint64 last = log.lastId();
    // Behind by more than a tick can show: skip to the newest records rather than fall further behind.
    const quint64 from = last > m_cursor + quint64(MaxRecordsPerTick) ? last - quint64(MaxRecordsPerTick) : m_cursor;
    const quint64 readUpTo = log.readAfter(from, &m_tick.records, MaxRecordsPerTick);
    const quint64 firstRead = m_tick.records.isEmpty() ? readUpTo + 1 : m_tick.records.first().id;
    m_tick.skippedRecords = firstRead > m_cursor + 1 ? firstRead - m_cursor - 1 : 0;
    m_cursor = readUpTo;

    m_tick.configChanged = m_configDirty;
    if (m_configDirty) {
        m_tick.config = m_engine.configuration();
        m_configDirty = false;
    }
    pollDemoInstances();
    emit ticked(m_tick);
}

void LivePoller::pollDemoInstances()
{
    const DemoFleet *fleet = m_engine.demoInstances();
    m_tick.demoRestarted = fleet != m_fleet;
    if (m_tick.demoRestarted) {
        m_fleet = fleet;
        m_demoCursors.clear();
    }
    m_tick.demoLogs.clear();
    m_tick.demoInstances = fleet ? fleet->instances() : QList<DemoFleet::Instance>();
    for (const DemoFleet::Instance &instance : std::as_const(m_tick.demoInstances)) {
        quint64 &cursor = m_demoCursors[instance.name];
        if (instance.requests < cursor) // a new instance under an old name
            cursor = 0;
        if (instance.requests == cursor)
            continue;
        LiveTick::DemoLogBatch batch{instance.name, {}};
        cursor = fleet->logAfter(instance.name, cursor, &batch.entries);
        if (!batch.entries.isEmpty())
            m_tick.demoLogs.append(std::move(batch));
    }
}

} // namespace lbscope
