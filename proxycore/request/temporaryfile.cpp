#include "request/temporaryfile.h"

#include <QDir>

namespace lbscope {

std::unique_ptr<QTemporaryFile> openTemporaryFile(const QString &dir, const QString &prefix, QString *error)
{
    const QString folder = dir.isEmpty() ? QDir::tempPath() : dir;
    QDir().mkpath(folder); // nginx creates its temporary paths at start
    auto file = std::make_unique<QTemporaryFile>(folder + u'/' + prefix + QStringLiteral("-XXXXXX"));
    if (!file->open()) {
        *error = QStringLiteral("cannot create a temporary file in \"%1\": %2").arg(folder, file->errorString());
        return nullptr;
    }
    return file;
}

} // namespace lbscope
