#include "process/pidfile.h"

#include "process/errorlog.h"

#include <QCoreApplication>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

// open(2) with nginx's flags, so a failure has nginx's errno and wording.
int openPidFile(const QString &path, int flags, QString *error)
{
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC, 0644);
    if (fd < 0)
        *error = ErrorLog::openError(path, errno);
    return fd;
}

} // namespace

PidFile::~PidFile()
{
    remove();
}

bool PidFile::write(const QString &path, QString *error)
{
    const int fd = openPidFile(path, O_WRONLY | O_CREAT | O_TRUNC, error);
    if (fd < 0)
        return false;
    const QByteArray text = QByteArray::number(QCoreApplication::applicationPid()) + '\n';
    const ssize_t written = ::write(fd, text.constData(), std::size_t(text.size()));
    const int writeErrno = errno;
    ::close(fd);
    if (written != text.size()) {
        *error = u"write() to \"%1\" failed (%2: %3)"_s.arg(path)
                     .arg(writeErrno)
                     .arg(QString::fromLocal8Bit(std::strerror(writeErrno)));
        return false;
    }
    m_path = path;
    return true;
}

bool PidFile::moveTo(const QString &path, QString *error)
{
    if (path == m_path)
        return true;
    const QString previous = m_path;
    m_path.clear(); // write() sets it only on success
    if (!path.isEmpty() && !write(path, error)) {
        m_path = previous;
        return false;
    }
    if (!previous.isEmpty())
        QFile::remove(previous);
    return true;
}

void PidFile::remove()
{
    if (m_path.isEmpty())
        return;
    QFile::remove(m_path);
    m_path.clear();
}

bool PidFile::checkCreatable(const QString &path, QString *error)
{
    const int fd = openPidFile(path, O_RDWR | O_CREAT, error);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

std::optional<qint64> PidFile::read(const QString &path, QString *error)
{
    const int fd = openPidFile(path, O_RDONLY, error);
    if (fd < 0)
        return std::nullopt;
    char buffer[64];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    QByteArray text(buffer, n > 0 ? qsizetype(n) : 0);
    while (text.endsWith('\n') || text.endsWith('\r'))
        text.chop(1);
    bool ok = !text.isEmpty();
    for (char c : std::as_const(text))
        ok = ok && c >= '0' && c <= '9';
    const qint64 pid = ok ? text.toLongLong(&ok) : 0;
    if (!ok || pid <= 0) {
        *error = u"invalid PID number \"%1\" in \"%2\""_s.arg(QString::fromLatin1(text), path);
        return std::nullopt;
    }
    return pid;
}

} // namespace lbscope
