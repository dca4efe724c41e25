#pragma once

#include <QString>

namespace lbscope {

// Where a directive came from, for messages and for the GUI ("line 12").
struct SourceLocation
{
    QString file;
    int line = 0;
    int column = 0;

    friend bool operator==(const SourceLocation &, const SourceLocation &) = default;
};

} // namespace lbscope
