#pragma once

// nginx's temporary files (client_body_temp_path, proxy_temp_path): one per body that does not
// fit its memory buffers, removed when it is done with.

#include <QString>
#include <QTemporaryFile>

#include <memory>

namespace lbscope {

// An open temporary file in dir (empty: the system's temporary folder); nullptr with *error
// set when none can be created there.
std::unique_ptr<QTemporaryFile> openTemporaryFile(const QString &dir, const QString &prefix, QString *error);

} // namespace lbscope
