#pragma once

// One -t or -T run of a program (/usr/sbin/nginx or the built lbscope) and what the tests
// compare of it: the exit code, the status lines, the dump on stdout and the messages of the
// startup log (-e), without their date and pid, and without LB Scope's own warnings about
// directives it skips, which nginx has no reason to write.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

namespace lbscope::test {

struct ConfigTestRun
{
    int exitCode = -1;
    QStringList statusLines; // "syntax is ok", "test is successful", "test failed"
    QByteArray output;
    QStringList logMessages; // "[emerg] text in FILE:LINE"

    static ConfigTestRun run(const QString &binary, const QStringList &arguments, const QString &logPath)
    {
        QFile::remove(logPath);
        QProcess process;
        process.start(binary, arguments);
        ConfigTestRun result;
        if (!process.waitForFinished(10'000)) {
            process.kill();
            process.waitForFinished();
            return result;
        }
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        static const QRegularExpression name(QStringLiteral("^(nginx|lbscope): "));
        const QStringList errors = QString::fromUtf8(process.readAllStandardError()).split(u'\n');
        for (const QString &line : errors) {
            if (line.contains(QLatin1StringView("syntax is ok")) ||
                line.contains(QLatin1StringView("test is successful")) ||
                line.contains(QLatin1StringView("test failed")))
                result.statusLines.append(QString(line).remove(name));
        }
        result.output = process.readAllStandardOutput();
        QFile log(logPath);
        if (log.open(QIODevice::ReadOnly)) {
            static const QRegularExpression head(
                QStringLiteral("^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d (\\[[a-z]+\\]) \\d+#\\d+: "));
            const QStringList lines = QString::fromUtf8(log.readAll()).split(u'\n', Qt::SkipEmptyParts);
            for (const QString &line : lines) {
                const QString message = QString(line).replace(head, QStringLiteral("\\1 "));
                if (!message.startsWith(QLatin1StringView("[warn] ignoring ")))
                    result.logMessages.append(message);
            }
        }
        return result;
    }
};

inline bool writeTestFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

} // namespace lbscope::test
