#pragma once

// A listener configured with port 0 (the window's "any free port", used when the usual port is
// taken, and by the tests) runs on a port the system chose. The configuration text shows that
// port, so that it is valid nginx and says where the proxy really is; when the text comes
// back with that same address and port, it means the listener already running, and the port
// goes back to 0 so that a reload keeps it instead of binding a second socket to it.

#include "config/proxyconfig.h"

#include <QHostAddress>
#include <QList>
#include <QPair>

namespace lbscope {

using BoundAddresses = QList<QPair<QHostAddress, quint16>>;

// running with every port-0 listen replaced by the port it is bound to (Engine::listeningAddresses()).
ProxyConfig withBoundPorts(const ProxyConfig &running, const BoundAddresses &bound);
// Sets back to 0 the listens of `edited` that name a port-0 listener of `running` by its bound port.
void keepBoundListeners(ProxyConfig *edited, const ProxyConfig &running, const BoundAddresses &bound);

} // namespace lbscope
