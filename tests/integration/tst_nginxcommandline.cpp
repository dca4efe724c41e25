// nginx's command line and process behaviour, compared with the real nginx 1.22: the same
// prefix, file and options given to /usr/sbin/nginx and to the built lbscope binary.
//   - -t, -T, -q, -g, -p, -c, -e and nginx's option syntax (-tq, -cFILE): exit codes, stderr
//     (with "nginx:" and "lbscope:" both read as the program's name), stdout of -T
//   - -s against a missing or bad pid file
//   - a running process: the pid file, -s reload, -s reopen after the logs were renamed (as
//     logrotate does), an upstream's connect() error in the error log, -s quit letting the
//     request in flight finish while new connections are refused, -s stop; every error log
//     line in nginx's format.

#include "httptestclient.h"
#include "twin/nginxprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace lbscope;
using namespace lbscope::test;
using namespace Qt::StringLiterals;

namespace {

const QString lbscopeBinary = QStringLiteral(LBSCOPE_BINARY_DIR "/app/lbscope");
constexpr int ProcessTimeoutMs = 10'000;

struct Run
{
    int exitCode = -1;
    QString errors; // stderr, the program's name read as "X"
    QByteArray output;
};

QString normalized(const QByteArray &text)
{
    static const QRegularExpression name(u"^(nginx|lbscope): "_s, QRegularExpression::MultilineOption);
    return QString::fromUtf8(text).replace(name, u"X: "_s);
}

Run runProgram(const QString &binary, const QStringList &arguments, const QString &workingDirectory)
{
    QProcess process;
    process.setWorkingDirectory(workingDirectory);
    process.start(binary, arguments);
    Run run;
    if (!process.waitForFinished(ProcessTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.errors = normalized(process.readAllStandardError());
    run.output = process.readAllStandardOutput();
    return run;
}

// The lines of a -t that say how it went, which both word alike whatever the error was.
QStringList statusLines(const QString &errors)
{
    QStringList lines;
    for (const QString &line : errors.split(u'\n')) {
        if (line.contains(u"syntax is ok"_s) || line.contains(u"test is successful"_s) ||
            line.contains(u"test failed"_s))
            lines.append(line);
    }
    return lines;
}

bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Everything after "DATE TIME [level] PID#TID: " and nginx's "*N " connection number.
QString messageOf(const QString &line)
{
    static const QRegularExpression head(
        u"^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[[a-z]+\\] \\d+#\\d+: (\\*\\d+ )?"_s);
    return QString(line).remove(head);
}

// A backend in this process: "/slow" is held until release(), anything else answered at once.
class TestBackend final : public QObject
{
public:
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    bool holding() const { return !m_held.isNull(); }

    TestBackend()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { handle(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QObject::destroyed, this, [this, socket] { m_requests.remove(socket); });
            }
        });
    }

    void release()
    {
        if (m_held)
            answer(m_held, "slow");
        m_held.clear();
    }

private:
    void handle(QTcpSocket *socket)
    {
        QByteArray &request = m_requests[socket];
        request += socket->readAll();
        if (!request.contains("\r\n\r\n"))
            return;
        if (request.startsWith("GET /slow "))
            m_held = socket;
        else
            answer(socket, "ok");
    }

    void answer(QTcpSocket *socket, const QByteArray &body)
    {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_requests;
    QPointer<QTcpSocket> m_held;
};

// What one program did in the running scenario; nginx's and LB Scope's must be equal.
struct Observed
{
    bool pidFileNamesProcess = false;
    int okStatus = 0;
    int downStatus = 0;
    int reloadExit = -1;
    bool reloadNoted = false;
    int reopenExit = -1;
    bool errorLogReopened = false;
    bool accessLogReopened = false;
    QString upstreamError;
    int quitExit = -1;
    bool newConnectionRefused = false;
    int slowStatus = 0;
    QByteArray slowConnection;
    QByteArray slowBody;
    bool exitedAfterQuit = false;
    int exitCode = -1;
    bool pidFileRemoved = false;
    bool shutdownNoted = false;
    QStringList badLines; // error log lines not in nginx's format
    int stopExit = -1;
    bool exitedAfterStop = false;

    friend bool operator==(const Observed &, const Observed &) = default;
};

const char *const runningConfig = R"(pid logs/nginx.pid;
error_log logs/error.log notice;
events {
}
http {
    access_log logs/access.log;
    upstream backend {
        server 127.0.0.1:%1;
    }
    upstream down {
        server 127.0.0.1:%2;
    }
    server {
        listen 127.0.0.1:%3;
        location / {
            proxy_pass http://backend;
        }
        location /down {
            proxy_pass http://down;
        }
    }
}
)";

} // namespace

class TestNginxCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_nginx = NginxProcess::findBinary();
        if (m_nginx.isEmpty())
            QSKIP("nginx not installed: scripts/deps installs it; these cases compare with it");
        QVERIFY(QFile::exists(lbscopeBinary));
        QVERIFY(m_dir.isValid());
        // nginx's workers run as nobody when it runs as root: they reopen logs in the prefixes.
        NginxProcess::preparePrefix(m_dir.path());
    }

    void sameAsNginx_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QStringList>("arguments"); // %P: the prefix
        QTest::addColumn<QByteArray>("pidFile");    // what the pid file holds before; empty: none
        QTest::addColumn<bool>("wholeStderr");      // else only the status lines are compared

        const QByteArray good =
            "pid logs/nginx.pid;\nerror_log logs/error.log notice;\nevents {\n}\n"
            "http {\n    access_log logs/access.log;\n    upstream u {\n        server 127.0.0.1:1;\n"
            "    }\n    server {\n        listen 127.0.0.1:1;\n        location / {\n"
            "            proxy_pass http://u;\n        }\n    }\n}\n";
        const QStringList nginxStyle = {
            u"-p"_s, u"%P"_s, u"-c"_s, u"conf/nginx.conf"_s, u"-e"_s, u"logs/startup.log"_s};
        const auto with = [&](QStringList more) { return nginxStyle + more; };

        QTest::newRow("-t") << good << with({u"-t"_s}) << QByteArray() << true;
        QTest::newRow("-t -q") << good << with({u"-t"_s, u"-q"_s}) << QByteArray() << true;
        QTest::newRow("-tq") << good << with({u"-tq"_s}) << QByteArray() << true;
        QTest::newRow("-T (dump)") << good << with({u"-T"_s}) << QByteArray() << true;
        QTest::newRow("-Tq") << good << with({u"-Tq"_s}) << QByteArray() << true;
        QTest::newRow("-tqp joined, -cFILE, -eFILE")
            << good << QStringList{u"-tqp%P"_s, u"-cconf/nginx.conf"_s, u"-elogs/startup.log"_s} << QByteArray()
            << true;
        QTest::newRow("-p with a trailing slash")
            << good
            << QStringList{u"-p"_s, u"%P/"_s, u"-c"_s, u"conf/nginx.conf"_s, u"-e"_s, u"logs/startup.log"_s, u"-t"_s}
            << QByteArray() << true;
        QTest::newRow("-c absolute") << good << QStringList{u"-p"_s, u"%P"_s,
                                                            u"-c"_s, u"%P/conf/nginx.conf"_s,
                                                            u"-e"_s, u"logs/startup.log"_s,
                                                            u"-t"_s}
                                     << QByteArray() << true;
        QTest::newRow("-c missing") << good << QStringList{u"-p"_s, u"%P"_s,
                                                           u"-c"_s, u"conf/none.conf"_s,
                                                           u"-e"_s, u"logs/startup.log"_s,
                                                           u"-t"_s}
                                    << QByteArray() << true;
        QTest::newRow("-g") << good << with({u"-t"_s, u"-g"_s, u"worker_processes 2;"_s}) << QByteArray() << true;
        QTest::newRow("-g daemon off") << good << with({u"-t"_s, u"-g"_s, u"daemon off; master_process on;"_s})
                                       << QByteArray() << true;
        QTest::newRow("-g without ;") << good << with({u"-t"_s, u"-g"_s, u"worker_processes 2"_s}) << QByteArray()
                                      << true;
        QTest::newRow("-g block") << good << with({u"-t"_s, u"-g"_s, u"events {}"_s}) << QByteArray() << true;
        QTest::newRow("-g arguments") << good << with({u"-t"_s, u"-g"_s, u"worker_processes 2 3;"_s}) << QByteArray()
                                      << true;
        QTest::newRow("-g flag value") << good << with({u"-t"_s, u"-g"_s, u"daemon maybe;"_s}) << QByteArray() << true;
        QTest::newRow("-g duplicates the file")
            << good << with({u"-t"_s, u"-g"_s, u"pid other.pid;"_s}) << QByteArray() << false;
        QTest::newRow("bad file") << QByteArray("events {\n}\nhttp {\n") << with({u"-t"_s}) << QByteArray() << false;
        QTest::newRow("bad file -tq") << QByteArray("events {\n}\nhttp {\n") << with({u"-tq"_s}) << QByteArray()
                                      << false;
        QTest::newRow("bad file -T") << QByteArray("worker_processes 1 2;\nevents {\n}\n") << with({u"-T"_s})
                                     << QByteArray() << false;
        QTest::newRow("pid under the prefix, folder missing")
            << QByteArray("pid run/nginx.pid;\nevents {\n}\n") << with({u"-t"_s}) << QByteArray() << true;
        QTest::newRow("error_log under the prefix, folder missing")
            << QByteArray("error_log missing/error.log warn;\nevents {\n}\n") << with({u"-t"_s}) << QByteArray()
            << true;
        QTest::newRow("access_log under the prefix, folder missing")
            << QByteArray("events {\n}\nhttp {\n    access_log missing/access.log;\n}\n") << with({u"-t"_s})
            << QByteArray() << true;
        QTest::newRow("error_log level") << QByteArray("error_log logs/e.log warn info;\nevents {\n}\n")
                                         << with({u"-t"_s}) << QByteArray() << false;
        QTest::newRow("error_log unknown level")
            << QByteArray("error_log logs/e.log loud;\nevents {\n}\n") << with({u"-t"_s}) << QByteArray() << false;
        QTest::newRow("-s, no pid file") << good << with({u"-s"_s, u"reload"_s}) << QByteArray() << true;
        QTest::newRow("-s, pid not a number") << good << with({u"-s"_s, u"reopen"_s}) << QByteArray("abc\n") << true;
        QTest::newRow("-s, empty pid file") << good << with({u"-s"_s, u"quit"_s}) << QByteArray("") << true;
        QTest::newRow("-s, no such process")
            << good << with({u"-s"_s, u"stop"_s}) << QByteArray("2147483646\n") << true;
        QTest::newRow("-s unknown signal") << good << with({u"-s"_s, u"bogus"_s}) << QByteArray() << true;
        QTest::newRow("-s without a signal") << good << with({u"-s"_s}) << QByteArray() << true;
        QTest::newRow("unknown letter") << good << with({u"-tx"_s}) << QByteArray() << true;
        QTest::newRow("not an option") << good << with({u"foo"_s}) << QByteArray() << true;
        QTest::newRow("-c without a file") << good << QStringList{u"-c"_s} << QByteArray() << true;
        QTest::newRow("-p without a folder") << good << QStringList{u"-t"_s, u"-p"_s} << QByteArray() << true;
    }

    void sameAsNginx()
    {
        QFETCH(QByteArray, config);
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, pidFile);
        QFETCH(bool, wholeStderr);

        const QString prefix = m_dir.filePath(u"cases"_s);
        QStringList resolved;
        for (const QString &argument : std::as_const(arguments))
            resolved.append(QString(argument).replace(u"%P"_s, prefix));
        const auto prepare = [&] {
            QDir(prefix).removeRecursively();
            QDir().mkpath(prefix + u"/logs"_s);
            NginxProcess::preparePrefix(prefix);
            if (!pidFile.isNull() && !writeFile(prefix + u"/logs/nginx.pid"_s, pidFile))
                return false;
            return writeFile(prefix + u"/conf/nginx.conf"_s, config);
        };
        // The working directory is not the prefix: -c and the file's paths must count from -p.
        const QString elsewhere = m_dir.path();
        QVERIFY(prepare());
        const Run nginx = runProgram(m_nginx, resolved, elsewhere);
        QVERIFY(prepare());
        const Run lbscope = runProgram(lbscopeBinary, resolved, elsewhere);

        QVERIFY2(nginx.exitCode >= 0, "nginx did not finish");
        QCOMPARE(lbscope.exitCode, nginx.exitCode);
        if (wholeStderr)
            QCOMPARE(lbscope.errors, nginx.errors);
        else
            QCOMPARE(statusLines(lbscope.errors), statusLines(nginx.errors));
        QCOMPARE(lbscope.output, nginx.output);
    }

    // A running process, driven through its pid file with -s, under nginx and under LB Scope.
    void runningProcessAsNginx()
    {
        TestBackend backend;
        QVERIFY(backend.listen());
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 downPort = closed.serverPort();
        closed.close(); // connect() to it is refused

        const Observed nginx = observe(m_nginx, u"nginx"_s, backend, downPort);
        const Observed lbscope = observe(lbscopeBinary, u"lbscope"_s, backend, downPort);

        const auto logs = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning().noquote() << "nginx's error log:\n"
                                     << m_logs[u"nginx"_s] << "\nLB Scope's:\n"
                                     << m_logs[u"lbscope"_s];
        });
        // Spelt out first, so a difference says what differs.
        QCOMPARE(nginx.okStatus, 200);
        QCOMPARE(nginx.downStatus, 502);
        QVERIFY(nginx.upstreamError.startsWith(u"connect() failed (111: Connection refused)"_s));
        QCOMPARE(nginx.slowStatus, 200);
        QCOMPARE(nginx.slowConnection, "close");
        QVERIFY(nginx.newConnectionRefused);
        QVERIFY2(nginx.badLines.isEmpty(), qPrintable(nginx.badLines.join(u'\n')));
        QVERIFY2(lbscope.badLines.isEmpty(), qPrintable(lbscope.badLines.join(u'\n')));
        QCOMPARE(lbscope.pidFileNamesProcess, nginx.pidFileNamesProcess);
        QCOMPARE(lbscope.okStatus, nginx.okStatus);
        QCOMPARE(lbscope.downStatus, nginx.downStatus);
        QCOMPARE(lbscope.upstreamError, nginx.upstreamError);
        QCOMPARE(lbscope.reloadExit, nginx.reloadExit);
        QCOMPARE(lbscope.reloadNoted, nginx.reloadNoted);
        QCOMPARE(lbscope.reopenExit, nginx.reopenExit);
        QCOMPARE(lbscope.errorLogReopened, nginx.errorLogReopened);
        QCOMPARE(lbscope.accessLogReopened, nginx.accessLogReopened);
        QCOMPARE(lbscope.quitExit, nginx.quitExit);
        QCOMPARE(lbscope.newConnectionRefused, nginx.newConnectionRefused);
        QCOMPARE(lbscope.slowStatus, nginx.slowStatus);
        QCOMPARE(lbscope.slowConnection, nginx.slowConnection);
        QCOMPARE(lbscope.slowBody, nginx.slowBody);
        QCOMPARE(lbscope.exitedAfterQuit, nginx.exitedAfterQuit);
        QCOMPARE(lbscope.exitCode, nginx.exitCode);
        QCOMPARE(lbscope.pidFileRemoved, nginx.pidFileRemoved);
        QCOMPARE(lbscope.shutdownNoted, nginx.shutdownNoted);
        QCOMPARE(lbscope.stopExit, nginx.stopExit);
        QCOMPARE(lbscope.exitedAfterStop, nginx.exitedAfterStop);
        QVERIFY(lbscope == nginx);
    }

private:
    // Notes where observe() stopped, for the failure message; returns what was seen so far.
    Observed gaveUp(const Observed &seen, const QString &name, const char *stage)
    {
        m_logs[name] += u"gave up while %1\n"_s.arg(QLatin1StringView(stage));
        return seen;
    }

    // Starts binary in its own prefix, as `-p P -c conf/nginx.conf -e logs/startup.log -g
    // "daemon off;"`, and drives it. Each step is bounded; a failed step leaves the rest unset.
    Observed observe(const QString &binary, const QString &name, TestBackend &backend, quint16 downPort)
    {
        Observed seen;
        const QString prefix = m_dir.filePath(u"run-"_s + name);
        const quint16 port = NginxProcess::freeLoopbackPort();
        QDir().mkpath(prefix + u"/logs"_s);
        NginxProcess::preparePrefix(prefix);
        if (!writeFile(prefix + u"/conf/nginx.conf"_s,
                       QString::fromLatin1(runningConfig).arg(backend.port()).arg(downPort).arg(port).toUtf8()))
            return gaveUp(seen, name, "writing the prefix");
        const QStringList common = {u"-p"_s, prefix, u"-c"_s, u"conf/nginx.conf"_s, u"-e"_s, u"logs/startup.log"_s};
        const QString pidPath = prefix + u"/logs/nginx.pid"_s;
        const QString errorLog = prefix + u"/logs/error.log"_s;
        const QString accessLog = prefix + u"/logs/access.log"_s;
        const auto signal = [&](const QString &which) {
            return runProgram(binary, common + QStringList{u"-s"_s, which}, m_dir.path()).exitCode;
        };
        const auto get = [&](const QByteArray &path, HttpTestClient &client) {
            if (!client.connectTo(port))
                return 0;
            client.send("GET " + path + " HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n");
            const std::optional<HttpResponse> response = client.readResponse();
            return response ? response->status : 0;
        };

        auto process = std::make_unique<QProcess>();
        process->setWorkingDirectory(m_dir.path());
        process->start(binary, common + QStringList{u"-g"_s, u"daemon off;"_s});
        const auto stopProcess = qScopeGuard([&] {
            if (process->state() != QProcess::NotRunning) {
                process->kill();
                process->waitForFinished();
            }
        });
        if (!process->waitForStarted() || !QTest::qWaitFor(
                                              [&] {
                                                  QTcpSocket probe;
                                                  probe.connectToHost(QHostAddress::LocalHost, port);
                                                  return probe.waitForConnected(200) && QFile::exists(pidPath);
                                              },
                                              ProcessTimeoutMs))
            return gaveUp(seen, name, "starting");
        seen.pidFileNamesProcess = readFile(pidPath).trimmed().toLongLong() == process->processId();

        HttpTestClient first;
        seen.okStatus = get("/", first);
        HttpTestClient down;
        seen.downStatus = get("/down", down);

        seen.reloadExit = signal(u"reload"_s);
        if (!QTest::qWaitFor([&] { return readFile(errorLog).contains("reconfiguring\n"); }, ProcessTimeoutMs))
            return gaveUp(seen, name, "waiting for the reload");
        // nginx reloads by replacing its worker process: a worker that starts while the logs
        // are reopened would keep the renamed file. LB Scope's threads take the new file at once.
        static const QRegularExpression oldWorkerGone(u"worker process \\d+ exited"_s);
        if (binary == m_nginx &&
            !QTest::qWaitFor([&] { return QString::fromUtf8(readFile(errorLog)).contains(oldWorkerGone); },
                             ProcessTimeoutMs))
            return gaveUp(seen, name, "waiting for the old worker");

        // logrotate: rename, then -s reopen; new files appear under the old names. nginx's
        // workers reopen a moment after its master: a request may still go to the old file.
        QFile::rename(errorLog, errorLog + u".1"_s);
        QFile::rename(accessLog, accessLog + u".1"_s);
        seen.reopenExit = signal(u"reopen"_s);
        seen.errorLogReopened = QTest::qWaitFor([&] { return QFile::exists(errorLog); }, ProcessTimeoutMs);
        for (int attempt = 0; attempt < 5 && !seen.accessLogReopened; ++attempt) {
            HttpTestClient client;
            get("/", client);
            seen.accessLogReopened =
                QTest::qWaitFor([&] { return readFile(accessLog).contains("\"GET / HTTP/1.1\" 200 "); }, 1000);
        }

        // -s quit with a request in flight: it finishes, new connections are refused.
        HttpTestClient slow;
        if (!slow.connectTo(port))
            return gaveUp(seen, name, "connecting the slow request");
        slow.send("GET /slow HTTP/1.1\r\nHost: example.org\r\n\r\n");
        if (!QTest::qWaitFor([&] { return backend.holding(); }, ProcessTimeoutMs))
            return gaveUp(seen, name, "waiting for the backend to hold it");
        seen.quitExit = signal(u"quit"_s);
        seen.newConnectionRefused = QTest::qWaitFor(
            [&] {
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, port);
                probe.waitForConnected(200);
                return probe.error() == QAbstractSocket::ConnectionRefusedError;
            },
            ProcessTimeoutMs);
        backend.release();
        if (const std::optional<HttpResponse> response = slow.readResponse()) {
            seen.slowStatus = response->status;
            seen.slowConnection = response->header("Connection");
            seen.slowBody = response->body;
        }
        slow.socket().close(); // as a client does after "Connection: close"
        seen.exitedAfterQuit = process->state() == QProcess::NotRunning || process->waitForFinished(ProcessTimeoutMs);
        seen.exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
        seen.pidFileRemoved = !QFile::exists(pidPath);

        m_logs[name] = QString::fromUtf8(readFile(errorLog + u".1"_s) + "--- reopened\n" + readFile(errorLog));
        const QStringList lines =
            QString::fromUtf8(readFile(errorLog + u".1"_s) + readFile(errorLog)).split(u'\n', Qt::SkipEmptyParts);
        static const QRegularExpression format(
            u"^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[(debug|info|notice|warn|error|crit|alert|emerg)\\] \\d+#\\d+: \\S"_s);
        for (const QString &line : lines) {
            if (!format.match(line).hasMatch())
                seen.badLines.append(line);
            const QString message = messageOf(line);
            if (message.startsWith(u"connect() failed"_s))
                seen.upstreamError = message;
            if (message.contains(QRegularExpression(u"^signal 1 \\(SIGHUP\\) received from \\d+, reconfiguring$"_s)))
                seen.reloadNoted = true;
            if (message.contains(QRegularExpression(u"^signal 3 \\(SIGQUIT\\) received from \\d+, shutting down$"_s)))
                seen.shutdownNoted = true;
        }

        // -s stop: a fast stop.
        process = std::make_unique<QProcess>();
        process->setWorkingDirectory(m_dir.path());
        process->start(binary, common + QStringList{u"-g"_s, u"daemon off;"_s});
        if (!process->waitForStarted() ||
            !QTest::qWaitFor([&] { return QFile::exists(pidPath) && readFile(pidPath).endsWith('\n'); },
                             ProcessTimeoutMs))
            return gaveUp(seen, name, "starting again");
        seen.stopExit = signal(u"stop"_s);
        seen.exitedAfterStop =
            (process->state() == QProcess::NotRunning || process->waitForFinished(ProcessTimeoutMs)) &&
            !QFile::exists(pidPath);
        return seen;
    }

    QString m_nginx;
    QTemporaryDir m_dir;
    QHash<QString, QString> m_logs; // each program's error log, for failure messages
};

QTEST_GUILESS_MAIN(TestNginxCommandLine)
#include "tst_nginxcommandline.moc"
