#pragma once

#include <QString>

// The window: opens `configPath`, or the last session's pool, or the seed's photos pool, with
// their demo instances running. Returns the exit code.
int runWindow(int &argc, char **argv, const QString &configPath, bool demo);

// Whether a window can be shown at all; if not, *why says so in one line.
bool displayAvailable(QString *why);
