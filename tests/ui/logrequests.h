#pragma once

// Real requests through the demo pool for the log tests: one keep-alive connection, one
// request after another, so the records end in the order they were sent.

#include "../integration/httptestclient.h"

#include <QByteArrayList>

namespace lbscope::test {

// Sends GET for each path; false when a response is missing or its status is not the
// one the path asks for (/status/NNN answers NNN, everything else 200).
inline bool sendRequests(quint16 port, const QByteArrayList &paths)
{
    HttpTestClient client;
    if (!client.connectTo(port))
        return false;
    for (const QByteArray &path : paths) {
        client.send("GET " + path + " HTTP/1.1\r\nHost: photos.example.com\r\n\r\n");
        const auto response = client.readResponse();
        const int expected = path.startsWith("/status/") ? path.mid(8).toInt() : 200;
        if (!response || response->status != expected)
            return false;
    }
    return true;
}

inline QByteArrayList repeated(const QByteArray &path, int count)
{
    QByteArrayList paths;
    for (int i = 0; i < count; ++i)
        paths.append(path);
    return paths;
}

} // namespace lbscope::test
