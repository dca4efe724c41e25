#pragma once

// add_header: the fields a location (or a server) adds to what the client gets.

#include <QByteArray>
#include <QList>

namespace lbscope {

struct CompiledHeader;
struct RequestContext;

// Appends headers' fields to head: for the statuses nginx names (2xx and 3xx that carry a
// resource), or any status with "always"; a field whose value comes out empty is left out.
void appendAddHeaders(QByteArray &head, const QList<CompiledHeader> &headers, int status,
                      const RequestContext &context);

} // namespace lbscope
