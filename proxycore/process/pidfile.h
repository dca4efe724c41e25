#pragma once

// nginx's pid file: the running process writes its id there ("1234\n") and removes the file
// when it exits; nginx -s reads it to find the process to signal. Messages are nginx's words.

#include <QString>

#include <optional>

namespace lbscope {

class PidFile final
{
public:
    PidFile() = default;
    ~PidFile(); // removes the file it wrote
    Q_DISABLE_COPY_MOVE(PidFile)

    // Writes this process's id to path (truncating it). False with *error when it cannot.
    bool write(const QString &path, QString *error);
    // Moves to a new path after a reload: the new file is written before the old one goes.
    bool moveTo(const QString &path, QString *error);
    void remove();
    QString path() const { return m_path; }

    // nginx -t: the file must be creatable; opened without truncating, as nginx does (so a
    // missing one is left empty).
    static bool checkCreatable(const QString &path, QString *error);
    // nginx -s: the id in path. Trailing CR and LF are dropped, anything else must be digits.
    static std::optional<qint64> read(const QString &path, QString *error);

private:
    QString m_path; // empty: none written
};

} // namespace lbscope
