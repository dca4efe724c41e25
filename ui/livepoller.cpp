#include "livepoller.h"

#include "proxy/engine.h"

#include <QDateTime>

#include <algorithm>

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

void LivePoller::setFollowedDemoLog(const QString &instance)
{
    if (instance == m_followedDemoLog)
        return;
    m_followedDemoLog = instance;
    m_demoLogCursor = 0;
    m_demoLogReset = true;
}

void LivePoller::pollDemoInstances()
{
    const DemoFleet *fleet = m_engine.demoInstances();
    m_tick.demoRestarted = fleet != m_fleet;
    if (m_tick.demoRestarted) {
        m_fleet = fleet;
        m_demoLogCursor = 0;
        m_demoLogReset = true;
    }
    m_tick.demoInstances = fleet ? fleet->instances() : QList<DemoFleet::Instance>();
    m_tick.demoLog.clear();
    m_tick.demoLogInstance = m_followedDemoLog;
    m_tick.demoLogReset = false;
    if (fleet && !m_followedDemoLog.isEmpty())
        pollFollowedDemoLog(*fleet);
}

void LivePoller::pollFollowedDemoLog(const DemoFleet &fleet)
{
    const auto instance = std::find_if(m_tick.demoInstances.cbegin(), m_tick.demoInstances.cend(),
                                       [this](const DemoFleet::Instance &i) { return i.name == m_followedDemoLog; });
    if (instance == m_tick.demoInstances.cend())
        return;
    const quint64 newest = instance->requests;
    if (newest < m_demoLogCursor) { // a new instance under the old name
        m_demoLogCursor = 0;
        m_demoLogReset = true;
    }
    if (newest == m_demoLogCursor && !m_demoLogReset)
        return;
    // Behind by more than a view shows: only the newest lines are read and formatted.
    const quint64 from =
        std::max(m_demoLogCursor,
                 newest > quint64(MaxDemoLogLinesPerTick) ? newest - quint64(MaxDemoLogLinesPerTick) : quint64(0));
    m_tick.demoLogReset = m_demoLogReset || from > m_demoLogCursor;
    m_demoLogReset = false;
    m_demoLogCursor = fleet.logAfter(m_followedDemoLog, from, &m_tick.demoLog, MaxDemoLogLinesPerTick);
}

} // namespace lbscope
