#pragma once

// The command line's standard output and error as text streams, shared by the commands.

#include <QTextStream>

inline QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}
