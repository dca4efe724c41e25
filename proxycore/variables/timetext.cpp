#include "variables/timetext.h"

#include <QDateTime>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>

namespace lbscope {

namespace {

constexpr const char *monthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void appendClock(QByteArray &out, const QTime &time)
{
    appendPadded(out, time.hour(), 2);
    out.append(':');
    appendPadded(out, time.minute(), 2);
    out.append(':');
    appendPadded(out, time.second(), 2);
}

void appendOffset(QByteArray &out, int offsetSeconds, bool colon)
{
    out.append(offsetSeconds < 0 ? '-' : '+');
    const int minutes = std::abs(offsetSeconds) / 60;
    appendPadded(out, minutes / 60, 2);
    if (colon)
        out.append(':');
    appendPadded(out, minutes % 60, 2);
}

QByteArray formatTimeLocal(qint64 ms)
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime);
    const QDate date = when.date();
    QByteArray out;
    appendPadded(out, date.day(), 2);
    out.append('/');
    out.append(monthNames[date.month() - 1]);
    out.append('/');
    out.append(QByteArray::number(date.year()));
    out.append(':');
    appendClock(out, when.time());
    out.append(' ');
    appendOffset(out, when.offsetFromUtc(), false);
    return out;
}

QByteArray formatTimeIso8601(qint64 ms)
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ms, Qt::LocalTime);
    const QDate date = when.date();
    QByteArray out;
    appendPadded(out, date.year(), 4);
    out.append('-');
    appendPadded(out, date.month(), 2);
    out.append('-');
    appendPadded(out, date.day(), 2);
    out.append('T');
    appendClock(out, when.time());
    appendOffset(out, when.offsetFromUtc(), true);
    return out;
}

// Both times change once a second, and converting to local time costs a tzset() (a stat of
// /etc/localtime) per call: like nginx's cached log times, each thread formats a second once.
std::atomic<int> timeZoneGeneration{0};

struct CachedSecond
{
    qint64 second = std::numeric_limits<qint64>::min();
    int timeZone = 0;
    QByteArray text;
};

template <QByteArray (*format)(qint64)> void appendCachedSecond(QByteArray &out, qint64 ms)
{
    thread_local CachedSecond cache;
    const qint64 second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const int timeZone = timeZoneGeneration.load(std::memory_order_relaxed);
    if (cache.second != second || cache.timeZone != timeZone) {
        cache.text = format(second * 1000);
        cache.second = second;
        cache.timeZone = timeZone;
    }
    out.append(cache.text);
}

} // namespace

void appendPadded(QByteArray &out, qint64 value, int width)
{
    char digits[24];
    int length = 0;
    quint64 rest = quint64(std::max<qint64>(value, 0));
    do {
        digits[length++] = char('0' + rest % 10);
        rest /= 10;
    } while (rest > 0);
    for (int i = length; i < width; ++i)
        out.append('0');
    while (length > 0)
        out.append(digits[--length]);
}

void appendSeconds(QByteArray &out, qint64 ms)
{
    ms = std::max<qint64>(ms, 0);
    appendPadded(out, ms / 1000, 1);
    out.append('.');
    appendPadded(out, ms % 1000, 3);
}

void appendTimeLocal(QByteArray &out, qint64 msSinceEpoch)
{
    appendCachedSecond<formatTimeLocal>(out, msSinceEpoch);
}

void appendTimeIso8601(QByteArray &out, qint64 msSinceEpoch)
{
    appendCachedSecond<formatTimeIso8601>(out, msSinceEpoch);
}

void timeZoneChanged()
{
    timeZoneGeneration.fetch_add(1, std::memory_order_relaxed);
}

} // namespace lbscope
