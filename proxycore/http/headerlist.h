#pragma once

// The header lines of one message, read the way nginx's variables read them: either live
// spans into a parser's buffer, or a block of "Name: value" lines kept after the message
// (an access record's copy). Either way nothing is copied to look a header up.

#include "http/headers.h"
#include "http/messageparser.h"

#include <QByteArray>
#include <QByteArrayView>

namespace lbscope {

class HeaderList
{
public:
    HeaderList() = default;
    HeaderList(const MessageParser &parser, const char *base)
        : m_parser(&parser)
        , m_base(base)
    {
    }
    // Lines ending in "\r\n" or "\n"; a line without a colon (a status line) is skipped.
    static HeaderList fromLines(QByteArrayView lines);
    // The header lines of a parsed message as they came, from the first name to the end of
    // the last value, for keeping after the parser's buffer is gone.
    static QByteArray copyLines(const MessageParser &parser, const char *base);

    bool isEmpty() const { return m_parser ? m_parser->headers().isEmpty() : m_lines.isEmpty(); }

    // Calls visit(name, value) for each header in order (value trimmed) until it returns false.
    template <typename Visit> void forEach(Visit visit) const
    {
        if (m_parser) {
            for (const HeaderSpan &header : m_parser->headers()) {
                if (!visit(header.name.in(m_base), trimmed(header.value.in(m_base))))
                    return;
            }
            return;
        }
        for (QByteArrayView rest = m_lines; !rest.isEmpty();) {
            const qsizetype newline = rest.indexOf('\n');
            QByteArrayView line = newline < 0 ? rest : rest.first(newline);
            rest = newline < 0 ? QByteArrayView() : rest.sliced(newline + 1);
            if (line.endsWith('\r'))
                line.chop(1);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            if (!visit(line.first(colon), trimmed(line.sliced(colon + 1))))
                return;
        }
    }

    // nginx's $http_NAME lookups: NAME in lower case with '_' for '-'. appendFirst appends the
    // first such header's value; appendAll every one, separator between. False: none.
    bool appendFirst(QByteArrayView variableName, QByteArray &out) const;
    bool appendAll(QByteArrayView variableName, QByteArrayView separator, QByteArray &out) const;

private:
    const MessageParser *m_parser = nullptr;
    const char *m_base = nullptr;
    QByteArrayView m_lines;
};

} // namespace lbscope
