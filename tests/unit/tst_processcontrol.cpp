// The pieces of nginx's command line and process behaviour (proxycore/process): how nginx
// 1.22 reads its options, its error log's line format and levels, its pid file, -s's signal
// names, and its upstream error wording. What nginx itself prints for these is compared in
// tests/integration/tst_nginxcommandline.cpp; here each rule is held on its own.

#include "config/proxyconfig.h"
#include "process/commandline.h"
#include "process/errorlog.h"
#include "process/pidfile.h"
#include "process/signalcommand.h"
#include "proxy/upstreamerrormessage.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace lbscope;
using namespace Qt::StringLiterals;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestProcessControl : public QObject
{
    Q_OBJECT

private slots:
    void commandLineForms_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("globals");
        QTest::addColumn<bool>("test");
        QTest::addColumn<bool>("quiet");
        QTest::addColumn<int>("mode");

        using Mode = CommandLine::Mode;
        QTest::newRow("nothing: the window")
            << QStringList() << QString() << QString() << QString() << false << false << int(Mode::Window);
        QTest::newRow("--config: the window") << QStringList{u"--config"_s, u"a.conf"_s} << QString() << u"a.conf"_s
                                              << QString() << false << false << int(Mode::Window);
        QTest::newRow("-c: headless") << QStringList{u"-c"_s, u"a.conf"_s} << QString() << u"a.conf"_s << QString()
                                      << false << false << int(Mode::Headless);
        QTest::newRow("-c --no-demo: the window") << QStringList{u"-c"_s, u"a.conf"_s, u"--no-demo"_s} << QString()
                                                  << u"a.conf"_s << QString() << false << false << int(Mode::Window);
        QTest::newRow("--headless --config") << QStringList{u"--headless"_s, u"--config=a.conf"_s} << QString()
                                             << u"a.conf"_s << QString() << false << false << int(Mode::Headless);
        QTest::newRow("-tq joined") << QStringList{u"-tq"_s, u"-c"_s, u"a.conf"_s} << QString() << u"a.conf"_s
                                    << QString() << true << true << int(Mode::Test);
        QTest::newRow("-cFILE -pDIR joined") << QStringList{u"-tpDIR"_s, u"-ca.conf"_s} << u"DIR"_s << u"a.conf"_s
                                             << QString() << true << false << int(Mode::Test);
        QTest::newRow("value in the next word after letters")
            << QStringList{u"-tc"_s, u"a.conf"_s} << QString() << u"a.conf"_s << QString() << true << false
            << int(Mode::Test);
        QTest::newRow("the last one wins") << QStringList{u"-c"_s, u"a.conf"_s, u"-c"_s, u"b.conf"_s} << QString()
                                           << u"b.conf"_s << QString() << false << false << int(Mode::Headless);
        QTest::newRow("-g") << QStringList{u"-g"_s, u"daemon off;"_s} << QString() << QString() << u"daemon off;"_s
                            << false << false << int(Mode::Headless);
        QTest::newRow("-T is a test") << QStringList{u"-T"_s} << QString() << QString() << QString() << true << false
                                      << int(Mode::Test);
        QTest::newRow("-t before -s") << QStringList{u"-t"_s, u"-s"_s, u"reload"_s} << QString() << QString()
                                      << QString() << true << false << int(Mode::Test);
        QTest::newRow("-s") << QStringList{u"-sreload"_s} << QString() << QString() << QString() << false << false
                            << int(Mode::Signal);
        QTest::newRow("-h") << QStringList{u"-h"_s} << QString() << QString() << QString() << false << false
                            << int(Mode::Help);
        QTest::newRow("-?") << QStringList{u"-?"_s} << QString() << QString() << QString() << false << false
                            << int(Mode::Help);
    }

    void commandLineForms()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, prefix);
        QFETCH(QString, config);
        QFETCH(QString, globals);
        QFETCH(bool, test);
        QFETCH(bool, quiet);
        QFETCH(int, mode);
        QString error;
        const std::optional<CommandLine> line = CommandLine::parse(arguments, &error);
        QVERIFY2(line, qPrintable(error));
        QCOMPARE(line->prefix.value_or(QString()), prefix);
        QCOMPARE(line->configFile.value_or(QString()), config);
        QCOMPARE(line->globalDirectives, globals);
        QCOMPARE(line->test, test);
        QCOMPARE(line->quiet, quiet);
        QCOMPARE(int(line->mode()), mode);
    }

    // Worded as nginx 1.22 words them (checked by hand with /usr/sbin/nginx and in
    // tst_nginxcommandline).
    void commandLineErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown letter") << QStringList{u"-tqx"_s} << u"invalid option: \"x\""_s;
        QTest::newRow("not an option") << QStringList{u"foo"_s} << u"invalid option: \"foo\""_s;
        QTest::newRow("-c") << QStringList{u"-c"_s} << u"option \"-c\" requires file name"_s;
        QTest::newRow("-e") << QStringList{u"-e"_s} << u"option \"-e\" requires file name"_s;
        QTest::newRow("-p") << QStringList{u"-p"_s} << u"option \"-p\" requires directory name"_s;
        QTest::newRow("-g") << QStringList{u"-g"_s} << u"option \"-g\" requires parameter"_s;
        QTest::newRow("-s") << QStringList{u"-s"_s} << u"option \"-s\" requires parameter"_s;
        QTest::newRow("-s bogus") << QStringList{u"-s"_s, u"bogus"_s} << u"invalid option: \"-s bogus\""_s;
        QTest::newRow("long") << QStringList{u"--bogus"_s} << u"unknown option \"--bogus\" (try lbscope --help)"_s;
    }

    void commandLineErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, error);
        QString said;
        QVERIFY(!CommandLine::parse(arguments, &said));
        QCOMPARE(said, error);
    }

    // nginx joins the prefix and the name and cleans nothing; -c without -p counts from the
    // current directory here (nginx's compiled-in prefix is /usr/share/nginx on Debian).
    void paths()
    {
        QString error;
        const auto parse = [&](const QStringList &arguments) { return *CommandLine::parse(arguments, &error); };
        QCOMPARE(parse({u"-p"_s, u"/srv/p"_s, u"-c"_s, u"conf/x.conf"_s}).configPath(), u"/srv/p/conf/x.conf"_s);
        QCOMPARE(parse({u"-p"_s, u"/srv/p/"_s, u"-c"_s, u"../x.conf"_s}).configPath(), u"/srv/p/../x.conf"_s);
        QCOMPARE(parse({u"-p"_s, u"/srv/p"_s, u"-c"_s, u"/etc/x.conf"_s}).configPath(), u"/etc/x.conf"_s);
        QCOMPARE(parse({u"-p"_s, u"/srv/p"_s}).configPath(), u"/srv/p/conf/nginx.conf"_s);
        QCOMPARE(parse({u"-c"_s, u"x.conf"_s}).configPath(), QDir::currentPath() + u"/x.conf"_s);
        QCOMPARE(parse({u"-p"_s, u"/srv/p"_s, u"-e"_s, u"logs/e.log"_s}).errorLogPath(), u"/srv/p/logs/e.log"_s);
        QCOMPARE(parse({u"-e"_s, u"stderr"_s}).errorLogPath(), u"stderr"_s);
        QVERIFY(parse({u"-c"_s, u"x.conf"_s}).nginxPaths());
        QVERIFY(!parse({u"--config"_s, u"x.conf"_s}).nginxPaths());

        ProxyConfig config;
        config.sourceFile = u"/etc/lb/a.conf"_s;
        QCOMPARE(config.resolvePath(u"logs/a.log"_s), u"/etc/lb/logs/a.log"_s); // --config: the file's folder
        config.prefix = u"/srv/p/"_s;
        QCOMPARE(config.resolvePath(u"logs/a.log"_s), u"/srv/p/logs/a.log"_s);
        QCOMPARE(config.resolvePath(u"/var/a.log"_s), u"/var/a.log"_s);
    }

    void errorLogLine()
    {
        const QDateTime time(QDate(2026, 12, 1), QTime(20, 46, 12));
        QCOMPARE(ErrorLog::formatLine(time, ErrorLogLevel::Warn, 1234, 1235, u"a message"_s),
                 QByteArray("2026/12/01 20:46:12 [warn] 1234#1235: a message\n"));
        QCOMPARE(ErrorLog::openError(u"/x/y.log"_s, ENOENT),
                 u"open() \"/x/y.log\" failed (2: No such file or directory)"_s);
    }

    // Each target takes its level and every more severe one; a rename then reopen starts a new
    // file, as logrotate expects.
    void errorLogLevelsAndReopen()
    {
        QTemporaryDir dir;
        const QString warnLog = dir.filePath(u"warn.log"_s);
        const QString infoLog = dir.filePath(u"info.log"_s);
        ErrorLog log;
        QString error;
        QVERIFY2(log.open({{warnLog, ErrorLogLevel::Warn}, {infoLog, ErrorLogLevel::Info}}, &error), qPrintable(error));
        QVERIFY(log.wants(ErrorLogLevel::Info));
        QVERIFY(!log.wants(ErrorLogLevel::Debug));
        log.write(ErrorLogLevel::Emerg, u"one"_s);
        log.write(ErrorLogLevel::Notice, u"two"_s);
        log.write(ErrorLogLevel::Debug, u"three"_s);
        QCOMPARE(readAll(warnLog).count('\n'), 1);
        QCOMPARE(readAll(infoLog).count('\n'), 2);
        static const QRegularExpression line(
            u"^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[emerg\\] %1#\\d+: one\n$"_s.arg(
                QCoreApplication::applicationPid()));
        QVERIFY2(line.match(QString::fromUtf8(readAll(warnLog))).hasMatch(), readAll(warnLog).constData());

        QVERIFY(QFile::rename(warnLog, warnLog + u".1"_s));
        QVERIFY(log.reopen(&error));
        log.write(ErrorLogLevel::Error, u"four"_s);
        QVERIFY(readAll(warnLog).endsWith(": four\n"));
        QCOMPARE(readAll(warnLog + u".1"_s).count('\n'), 1);

        QVERIFY(!log.open({{dir.filePath(u"missing/e.log"_s), ErrorLogLevel::Error}}, &error));
        QVERIFY(error.endsWith(u"failed (2: No such file or directory)"_s));
        log.write(ErrorLogLevel::Error, u"five"_s); // the failed open changed nothing
        QVERIFY(readAll(warnLog).endsWith(": five\n"));
    }

    void pidFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"x.pid"_s);
        QString error;
        {
            PidFile file;
            QVERIFY(file.write(path, &error));
            QCOMPARE(readAll(path), QByteArray::number(QCoreApplication::applicationPid()) + '\n');
            QCOMPARE(PidFile::read(path, &error), QCoreApplication::applicationPid());
            const QString moved = dir.filePath(u"y.pid"_s);
            QVERIFY(file.moveTo(moved, &error));
            QVERIFY(!QFile::exists(path));
            QVERIFY(QFile::exists(moved));
        }
        QVERIFY(!QFile::exists(dir.filePath(u"y.pid"_s))); // removed at exit

        const auto readBack = [&](const QByteArray &text) {
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return std::optional<qint64>();
            file.write(text);
            file.close();
            return PidFile::read(path, &error);
        };
        QCOMPARE(readBack("42\r\n"), 42);
        QVERIFY(!readBack(" 42\n"));
        QCOMPARE(error, u"invalid PID number \" 42\" in \"%1\""_s.arg(path));
        QVERIFY(!readBack(""));
        QCOMPARE(error, u"invalid PID number \"\" in \"%1\""_s.arg(path));
        QVERIFY(!PidFile::read(dir.filePath(u"none.pid"_s), &error));
        QCOMPARE(error, u"open() \"%1\" failed (2: No such file or directory)"_s.arg(dir.filePath(u"none.pid"_s)));

        // nginx -t: creatable, not truncated.
        QVERIFY(PidFile::checkCreatable(path, &error));
        QCOMPARE(readAll(path), QByteArray(""));
        QVERIFY(!PidFile::checkCreatable(dir.filePath(u"no/x.pid"_s), &error));
    }

    void signalNames()
    {
        QCOMPARE(SignalCommand::signalNumber(u"stop"_s), SIGTERM);
        QCOMPARE(SignalCommand::signalNumber(u"quit"_s), SIGQUIT);
        QCOMPARE(SignalCommand::signalNumber(u"reopen"_s), SIGUSR1);
        QCOMPARE(SignalCommand::signalNumber(u"reload"_s), SIGHUP);
        QVERIFY(!SignalCommand::signalNumber(u"SIGHUP"_s));
        QCOMPARE(SignalCommand::signalName(SIGUSR1), u"SIGUSR1"_s);
        QCOMPARE(SignalCommand::signalName(SIGINT), u"SIGINT"_s);
    }

    // nginx 1.22's words, from its error log (tst_nginxcommandline compares a live one).
    void upstreamError()
    {
        UpstreamErrorFacts facts;
        facts.client = "127.0.0.1";
        facts.requestLine = "GET /x?y=1 HTTP/1.1";
        facts.upstream = "http://127.0.0.1:3000/x?y=1";
        facts.host = "example.org";
        facts.hasHost = true;
        QCOMPARE(
            upstreamErrorMessage(u"connect() failed (111: Connection refused) while connecting to upstream", facts),
            u"connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, "
            "server: , request: \"GET /x?y=1 HTTP/1.1\", upstream: \"http://127.0.0.1:3000/x?y=1\", host: "
            "\"example.org\""_s);
    }
};

QTEST_GUILESS_MAIN(TestProcessControl)
#include "tst_processcontrol.moc"
