#pragma once

// What one request came to, at the client and at the backends, for the tests that send the
// same bytes through nginx and LB Scope and compare the two: the status, Location (with the
// proxy's own port written :PORT, as each listens on its own), an X-Uri header the
// configuration may add, the body, and the request line and X- headers each backend got.

#include "httptestclient.h"

#include <QByteArrayList>
#include <QTest>

namespace lbscope::test {

struct ProxyOutcome
{
    int status = 0;
    QByteArray location;
    QByteArray uriHeader; // X-Uri (and X-V): variables as add_header saw them
    QByteArray body;
    QByteArrayList backendLines; // "[name: ]GET /x HTTP/1.0 +X-Level: outer", in the order they came
    bool answered = false;

    QByteArray describe() const
    {
        return QByteArray::number(status) + " Location[" + location + "] X-Uri[" + uriHeader + "] body[" +
               body.left(60).trimmed() + "] backends[" + backendLines.join(" | ") + "]" +
               (answered ? "" : " (no response)");
    }

    // Sends request on a new connection to port and reads the answer, then waits for the close.
    void fetch(quint16 port, const QByteArray &request)
    {
        HttpTestClient client;
        if (!client.connectTo(port))
            return;
        client.send(request);
        if (const std::optional<HttpResponse> response = client.readResponse(false, 10'000)) {
            answered = true;
            status = response->status;
            const QByteArray ownPort = ':' + QByteArray::number(port);
            location = response->header("Location").replace(ownPort, ":PORT");
            uriHeader = response->header("X-Uri") + response->header("X-V");
            body = response->body;
        }
        client.waitForClose(10'000);
    }

    // The request line and X- headers of each request a backend received, named when name is.
    void addBackend(const QByteArray &name, const QByteArrayList &received)
    {
        for (const QByteArray &raw : received) {
            const QByteArrayList headLines = raw.left(raw.indexOf("\r\n\r\n")).split('\n');
            QByteArray summary = (name.isEmpty() ? QByteArray() : name + ": ") + headLines.value(0).trimmed();
            for (const QByteArray &line : headLines.mid(1)) {
                if (line.toLower().startsWith("x-"))
                    summary += " +" + line.trimmed();
            }
            backendLines.append(summary);
        }
    }
};

// QVERIFY2s that lbscope came to what nginx did; nginx's built-in pages name nginx, so only
// bodies LB Scope does not write itself are compared. The caller returns on
// QTest::currentTestFailed().
inline void verifySameAsNginx(const ProxyOutcome &nginx, const ProxyOutcome &lbscope)
{
    const QByteArray both = "\nnginx:   " + nginx.describe() + "\nlbscope: " + lbscope.describe();
    QVERIFY2(lbscope.status == nginx.status, both.constData());
    QVERIFY2(lbscope.location == nginx.location, both.constData());
    QVERIFY2(lbscope.uriHeader == nginx.uriHeader, both.constData());
    QVERIFY2(lbscope.backendLines == nginx.backendLines, both.constData());
    QVERIFY2(lbscope.answered == nginx.answered, both.constData());
    if (!nginx.body.contains("<center>nginx"))
        QVERIFY2(lbscope.body == nginx.body, both.constData());
}

} // namespace lbscope::test
