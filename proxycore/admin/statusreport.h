#pragma once

// A stats snapshot as the status endpoint serves it: JSON for /status, and the Prometheus
// text exposition format (version 0.0.4) for /metrics.

#include "stats/statssnapshot.h"

#include <QByteArray>
#include <QJsonObject>

namespace lbscope {

QJsonObject statusJson(const StatsSnapshot &snapshot);
QByteArray prometheusMetrics(const StatsSnapshot &snapshot);

} // namespace lbscope
