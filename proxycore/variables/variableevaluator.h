#pragma once

// The value of one variable in a context, as nginx 1.22 computes it.

#include "variables/requestcontext.h"
#include "variables/templateparser.h"

#include <QByteArray>

namespace lbscope {

// Appends part's value to out. False when nginx would call the variable "not found" (log_format
// writes "-" for it); an empty value that was found (a header sent empty, "?a=") is true.
// $lbscope_decision is not found here: the access log writes it.
bool appendVariable(const TemplatePart &part, const RequestContext &context, QByteArray &out);

} // namespace lbscope
