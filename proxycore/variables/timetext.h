#pragma once

// The times nginx writes: $time_local, $time_iso8601, $msec and the "%T.%03M" seconds of
// $request_time, in the server's local time zone.

#include <QByteArray>

namespace lbscope {

// "24/Nov/2026:08:18:58 +0000", English month names whatever the locale.
void appendTimeLocal(QByteArray &out, qint64 msSinceEpoch);
// "2026-11-24T08:18:58+00:00"
void appendTimeIso8601(QByteArray &out, qint64 msSinceEpoch);
// Whole seconds, a dot, milliseconds: "1795508338.123", "3.004".
void appendSeconds(QByteArray &out, qint64 ms);
void appendPadded(QByteArray &out, qint64 value, int width);
// The two times are formatted once a second per thread, so a change of the TZ variable shows
// from the next second on; after this call, from the next evaluation.
void timeZoneChanged();

} // namespace lbscope
