#include "process/errorlog.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

constexpr QLatin1StringView StderrName("stderr");

qint64 currentThreadId()
{
    return static_cast<qint64>(::syscall(SYS_gettid));
}

} // namespace

ErrorLog::~ErrorLog()
{
    close();
}

QList<ErrorLog::Target> ErrorLog::targetsOf(const ProxyConfig &config, const QString &fallback)
{
    QList<Target> targets;
    for (const ErrorLogDirective &log : config.errorLogs)
        targets.append(Target{log.isStderr() ? QString(StderrName) : config.resolvePath(log.path), log.level});
    if (targets.isEmpty())
        targets.append(Target{fallback.isEmpty() ? QString(StderrName) : fallback, ErrorLogLevel::Error});
    return targets;
}

QString ErrorLog::openError(const QString &path, int errorNumber)
{
    return u"open() \"%1\" failed (%2: %3)"_s.arg(path)
        .arg(errorNumber)
        .arg(QString::fromLocal8Bit(std::strerror(errorNumber)));
}

bool ErrorLog::openAll(const QList<Target> &targets, QList<OpenTarget> *opened, QString *error)
{
    for (const Target &target : targets) {
        if (target.path == StderrName) {
            opened->append(OpenTarget{target, STDERR_FILENO});
            continue;
        }
        const int fd =
            ::open(QFile::encodeName(target.path).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            *error = openError(target.path, errno);
            closeAll(*opened);
            return false;
        }
        opened->append(OpenTarget{target, fd});
    }
    return true;
}

void ErrorLog::closeAll(QList<OpenTarget> &opened)
{
    for (const OpenTarget &target : std::as_const(opened)) {
        if (target.fd != STDERR_FILENO)
            ::close(target.fd);
    }
    opened.clear();
}

bool ErrorLog::open(const QList<Target> &targets, QString *error)
{
    QList<OpenTarget> opened;
    if (!openAll(targets, &opened, error))
        return false;
    const QMutexLocker locker(&m_mutex);
    closeAll(m_targets);
    m_targets = opened;
    m_mostVerbose = ErrorLogLevel::Emerg;
    for (const OpenTarget &target : std::as_const(m_targets))
        m_mostVerbose = std::max(m_mostVerbose, target.target.level);
    return true;
}

bool ErrorLog::reopen(QString *error)
{
    QList<Target> targets;
    {
        const QMutexLocker locker(&m_mutex);
        for (const OpenTarget &target : std::as_const(m_targets))
            targets.append(target.target);
    }
    return open(targets, error);
}

void ErrorLog::close()
{
    const QMutexLocker locker(&m_mutex);
    closeAll(m_targets);
}

bool ErrorLog::wants(ErrorLogLevel level) const
{
    const QMutexLocker locker(&m_mutex);
    return !m_targets.isEmpty() && level <= m_mostVerbose;
}

QByteArray ErrorLog::formatLine(const QDateTime &time, ErrorLogLevel level, qint64 pid, qint64 threadId,
                                const QString &message)
{
    QByteArray line = time.toString(u"yyyy/MM/dd HH:mm:ss"_s).toLatin1();
    line += " [";
    line += errorLogLevelName(level);
    line += "] " + QByteArray::number(pid) + '#' + QByteArray::number(threadId) + ": ";
    line += message.toUtf8();
    line += '\n';
    return line;
}

void ErrorLog::write(ErrorLogLevel level, const QString &message)
{
    if (!wants(level))
        return;
    const QByteArray line =
        formatLine(QDateTime::currentDateTime(), level, QCoreApplication::applicationPid(), currentThreadId(), message);
    const QMutexLocker locker(&m_mutex);
    for (const OpenTarget &target : std::as_const(m_targets)) {
        if (level <= target.target.level) {
            // One write() per line, as nginx does: O_APPEND keeps lines of several writers whole.
            [[maybe_unused]] const ssize_t written = ::write(target.fd, line.constData(), std::size_t(line.size()));
        }
    }
}

} // namespace lbscope
