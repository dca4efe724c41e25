#pragma once

// What the upstream editor lets a user type for one parameter of a `server` line, read with
// nginx's own value syntax (so what is accepted here loads in nginx 1.22), and the reason
// when it is not. One place for the table's editors, the model's setData and the add form.

#include "config/proxyconfig.h"

#include <QCoreApplication>
#include <QString>

namespace lbscope {

class ServerFields
{
    Q_DECLARE_TR_FUNCTIONS(ServerFields)

public:
    enum class Field {
        Address,
        Weight,
        MaxFails,
        FailTimeout,
        MaxConns,
    };

    // Reads `text` into the field of *server; returns why it is refused (and leaves *server
    // as it was), or an empty string.
    static QString apply(Field field, const QString &text, UpstreamServer *server);
    // The field as nginx would write it back: "127.0.0.1:3000", "5", "10s".
    static QString text(Field field, const UpstreamServer &server);
    // A short example of what the field takes, for placeholders and tooltips.
    static QString hint(Field field);
};

} // namespace lbscope
