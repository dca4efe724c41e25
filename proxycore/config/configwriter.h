#pragma once

// Writes a ProxyConfig as a complete nginx.conf that nginx 1.22 accepts as it is
// (worker_processes, events {}, http { upstream ... server ... }), and that ConfigReader
// reads back to an equal ProxyConfig (apart from source locations, and statusListen: nginx has
// no lbscope_status, so it is written as a comment only).
//
// A configuration read from a file with include directives is written as one file: what the
// included files held (upstreams, servers, settings) comes out in place, the include lines do
// not. Saving after an edit in the GUI so gives a file that runs the same without the others,
// and never rewrites files the user did not open; the included files stay as they were.

#include "proxyconfig.h"

#include <QByteArray>

namespace lbscope {

class ConfigWriter
{
public:
    // No pid or error_log lines: those belong to whoever runs nginx (nginx -g "pid ...;").
    static QByteArray write(const ProxyConfig &config);
};

} // namespace lbscope
