#pragma once

// lbscope fire URL [options]: fires test requests at a proxy with the traffic generator and
// prints where they went. main() hands over when the first argument is "fire".

#include <QStringList>

class QCoreApplication;

// arguments: the whole command line, as QCoreApplication::arguments() gives it. Returns the
// exit code: 0 when every request got an HTTP response, 1 when some failed, 2 on bad arguments.
int runFireCommand(QCoreApplication &app, const QStringList &arguments);
