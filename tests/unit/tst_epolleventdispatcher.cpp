// The epoll dispatcher runs this whole test's main thread (main() below installs it), so
// QTRY_COMPARE, QSignalSpy::wait and every socket here go through it; the workers' case (a
// QThread started on it, quit from outside) has a test of its own.

#include "eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace lbscope;

namespace {

// A server that echoes what each client sends, on 127.0.0.1 and an ephemeral port.
class EchoServer : public QTcpServer
{
public:
    EchoServer()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->write(socket->readAll()); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
};

} // namespace

class TestEpollEventDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void installed() { QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance())); }

    void timersFireInDeadlineOrder()
    {
        QList<int> order;
        for (const int ms : {30, 10, 0, 20})
            QTimer::singleShot(ms, this, [&order, ms] { order.append(ms); });
        QTRY_COMPARE(order.size(), 4);
        QCOMPARE(order, (QList<int>{0, 10, 20, 30}));
    }

    void repeatingTimerAndRemainingTime()
    {
        QTimer repeating;
        int fired = 0;
        connect(&repeating, &QTimer::timeout, this, [&] {
            if (++fired == 5)
                repeating.stop(); // stopped in its own handler: no sixth
        });
        QElapsedTimer clock;
        clock.start();
        repeating.start(10);
        QTRY_COMPARE(fired, 5);
        QVERIFY2(clock.elapsed() >= 45, qPrintable(QString::number(clock.elapsed())));
        QTimer later;
        later.start(10'000);
        const int remaining = later.remainingTime();
        QVERIFY2(remaining > 9'000 && remaining <= 10'000, qPrintable(QString::number(remaining)));
        QTimer tick;
        tick.start(5);
        QSignalSpy ticks(&tick, &QTimer::timeout);
        QVERIFY(ticks.wait(2'000));
        QCOMPARE(fired, 5);
    }

    // TimerQueue on its own, at given times.
    void queueOrdersAndReschedules()
    {
        TimerQueue queue;
        QObject a;
        QObject b;
        queue.add(1, 30, Qt::PreciseTimer, &a, 1'000);
        queue.add(2, 10, Qt::PreciseTimer, &b, 1'000);
        queue.add(3, 0, Qt::PreciseTimer, &a, 1'000);
        QCOMPARE(queue.waitMs(1'000), 0);
        std::vector<TimerQueue::Due> due;
        queue.takeDue(1'000, &due);
        QCOMPARE(due.size(), std::size_t(1)); // the zero-interval one, once per pass
        QCOMPARE(due[0].id, 3);
        queue.delivered(3);
        due.clear();
        queue.takeDue(1'015, &due);
        QCOMPARE(due.size(), std::size_t(2));
        QCOMPARE(due[0].id, 3);
        QCOMPARE(due[1].id, 2);
        QCOMPARE(queue.remainingMs(2, 1'015), 5); // its period kept: due at 1'020
        QCOMPARE(queue.remainingMs(1, 1'015), 15);
        QCOMPARE(queue.remainingMs(9, 1'015), -1);
        QCOMPARE(queue.timersOf(&a).size(), 2);
        QVERIFY(queue.removeAll(&a));
        QCOMPARE(queue.waitMs(1'015), 5);
    }

    // A handler that stops a timer due in the same pass, and starts another that gets the
    // stopped one's id: the stopped one is not delivered, nor the new one in that pass.
    void queueStoppedByAnEarlierHandler()
    {
        TimerQueue queue;
        QObject first;
        QObject second;
        QObject replacement;
        queue.add(1, 10, Qt::PreciseTimer, &first, 0);
        queue.add(2, 10, Qt::PreciseTimer, &second, 0);
        std::vector<TimerQueue::Due> due;
        queue.takeDue(10, &due);
        QCOMPARE(due.size(), std::size_t(2));
        QVERIFY(queue.stillDue(due[0]));
        QVERIFY(queue.remove(2));
        queue.add(2, 0, Qt::PreciseTimer, &replacement, 10);
        QVERIFY(!queue.stillDue(due[1]));
    }

    // A timer still being delivered (a nested loop in its handler) is not due again, and
    // stopped timers do not pile up in the heap.
    void queueNoReentryAndBoundedHeap()
    {
        TimerQueue queue;
        QObject owner;
        queue.add(1, 5, Qt::PreciseTimer, &owner, 0);
        std::vector<TimerQueue::Due> due;
        queue.takeDue(5, &due);
        QCOMPARE(due.size(), std::size_t(1));
        due.clear();
        queue.takeDue(10, &due); // still inside the first delivery
        QVERIFY(due.empty());
        queue.delivered(1);
        queue.takeDue(15, &due);
        QCOMPARE(due.size(), std::size_t(1));
        for (int i = 0; i < 100'000; ++i) {
            queue.add(2, 60'000, Qt::CoarseTimer, &owner, i);
            queue.remove(2);
        }
        QVERIFY(queue.heapSize() <= 2 * 1 + 64 + 1);
    }

    // A timer whose handler runs a nested event loop is not delivered again inside it.
    void noReentryFromANestedLoop()
    {
        QTimer repeating;
        int depth = 0;
        int maxDepth = 0;
        int fired = 0;
        connect(&repeating, &QTimer::timeout, this, [&] {
            ++depth;
            maxDepth = std::max(maxDepth, depth);
            if (++fired == 1) {
                QEventLoop nested;
                QTimer::singleShot(50, &nested, &QEventLoop::quit);
                nested.exec();
            }
            --depth;
        });
        repeating.start(2);
        QTRY_VERIFY(fired >= 3);
        QCOMPARE(maxDepth, 1);
    }

    void socketsEchoAMegabyte()
    {
        EchoServer server;
        QVERIFY(server.listen(QHostAddress(QHostAddress::LocalHost), 0));
        QTcpSocket client;
        QByteArray received;
        connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
        client.connectToHost(QHostAddress(QHostAddress::LocalHost), server.serverPort());
        QVERIFY(client.waitForConnected(5'000) || client.state() == QAbstractSocket::ConnectedState);
        const QByteArray payload(1 << 20, 'x');
        client.write(payload);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), payload.size(), 10'000);
        QCOMPARE(received, payload);
    }

    // A zero-interval timer runs every pass, yet sockets are still served.
    void busyTimerDoesNotStarveSockets()
    {
        QTimer busy;
        int spins = 0;
        connect(&busy, &QTimer::timeout, this, [&] { ++spins; });
        busy.start(0);
        EchoServer server;
        QVERIFY(server.listen(QHostAddress(QHostAddress::LocalHost), 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress(QHostAddress::LocalHost), server.serverPort());
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        client.write("ping");
        QTRY_COMPARE(client.bytesAvailable(), qint64(4));
        QCOMPARE(client.readAll(), QByteArray("ping"));
        QVERIFY(spins > 0);
    }

    // Many idle connections stay registered while one more is served, and all of them close.
    void manyIdleConnections()
    {
        constexpr int idle = 1'000;
        EchoServer server;
        server.setMaxPendingConnections(idle + 1);
        server.setListenBacklogSize(idle + 64); // 50 by default: the rest would wait for SYN retries
        QVERIFY(server.listen(QHostAddress(QHostAddress::LocalHost), 0));
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < idle; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            clients.back()->connectToHost(QHostAddress(QHostAddress::LocalHost), server.serverPort());
        }
        const auto connected = [&] {
            return std::count_if(clients.begin(), clients.end(),
                                 [](const auto &client) { return client->state() == QAbstractSocket::ConnectedState; });
        };
        QTRY_COMPARE_WITH_TIMEOUT(connected(), qsizetype(idle), 20'000);
        QTRY_COMPARE_WITH_TIMEOUT(server.findChildren<QTcpSocket *>().size(), idle, 20'000);
        QTcpSocket &last = *clients.back();
        last.write("still here");
        QTRY_COMPARE(last.bytesAvailable(), qint64(10));
        clients.clear();
        QTRY_COMPARE_WITH_TIMEOUT(server.findChildren<QTcpSocket *>().size(), 0, 20'000);
    }

    // Queued calls from other threads wake the wait; none is lost.
    void wakeUpsFromOtherThreads()
    {
        constexpr int calls = 2'000;
        int received = 0;
        QObject receiver;
        std::vector<std::thread> senders;
        for (int t = 0; t < 4; ++t) {
            senders.emplace_back([&] {
                for (int i = 0; i < calls / 4; ++i)
                    QMetaObject::invokeMethod(
                        &receiver, [&received] { ++received; }, Qt::QueuedConnection);
            });
        }
        for (std::thread &sender : senders)
            sender.join();
        QTRY_COMPARE(received, calls);
    }

    void deleteLaterRuns()
    {
        QPointer<QObject> object = new QObject;
        object->deleteLater();
        QTRY_VERIFY(object.isNull());
    }

    // As the engine uses it: a worker thread started on it runs timers and queued calls, and
    // quits when asked from outside.
    void workerThread()
    {
        QThread thread;
        thread.setEventDispatcher(new EpollEventDispatcher);
        auto *context = new QObject;
        context->moveToThread(&thread);
        connect(&thread, &QThread::finished, context, &QObject::deleteLater);
        thread.start();
        std::atomic<bool> timerFired{false};
        std::atomic<bool> onEpoll{false};
        QMetaObject::invokeMethod(context, [&] {
            onEpoll = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr;
            QTimer::singleShot(10, [&] { timerFired = true; });
        });
        QTRY_VERIFY(timerFired.load());
        QVERIFY(onEpoll.load());
        // Calls from two threads at once while it sleeps and wakes: none may be left waiting
        // (a lost wake-up leaves the worker asleep with calls queued).
        constexpr int callsPerSender = 20'000;
        std::atomic<int> calls{0};
        std::vector<std::thread> senders;
        for (int t = 0; t < 2; ++t) {
            senders.emplace_back([&] {
                for (int i = 0; i < callsPerSender; ++i) {
                    QMetaObject::invokeMethod(
                        context, [&calls] { ++calls; }, Qt::QueuedConnection);
                    if (i % 64 == 0)
                        std::this_thread::yield(); // let the worker drain and sleep again
                }
            });
        }
        for (std::thread &sender : senders)
            sender.join();
        QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 2 * callsPerSender, 20'000);
        thread.quit();
        QVERIFY(thread.wait(5'000));
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollEventDispatcher test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
