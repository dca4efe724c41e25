#pragma once

// Request field lines as nginx 1.22 reads them (its defaults ignore_invalid_headers on,
// underscores_in_headers off), applied to what libhttp-parser found: a name with a space or
// control byte is refused (RFC 9112 5.1), a name of anything but letters, digits and '-' is
// ignored (nginx neither uses nor forwards it), and a value is what follows the colon without
// its leading and trailing spaces (a tab stays, as in nginx).

#include "http/messageparser.h"

namespace lbscope {

// An empty name, or one with a space or control byte: refused in requests and responses.
bool isRefusedFieldName(QByteArrayView name);
// False when the head must be refused with 400.
bool applyNginxFieldRules(QList<HeaderSpan> &headers, const char *base);

} // namespace lbscope
