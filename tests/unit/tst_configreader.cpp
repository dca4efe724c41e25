// ConfigReader and the nginx value syntax it relies on. Every error text and position here
// was checked against what nginx 1.22 says about the same file (nginx gives FILE:LINE only).

#include "config/configreader.h"
#include "config/nginxmodules.h"
#include "config/nginxvalues.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <limits>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

const QString fileName = u"t.conf"_s;

ConfigReadResult read(const QByteArray &text)
{
    return ConfigReader::readText(text, fileName);
}

SourceLocation at(int line, int column)
{
    return SourceLocation{fileName, line, column};
}

QStringList messages(const QList<ConfigMessage> &list)
{
    QStringList texts;
    for (const ConfigMessage &message : list)
        texts.append(message.toString());
    return texts;
}

// The body of the error tests: the read fails with exactly this message and yields no config.
void verifyReadError()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    const ConfigReadResult result = read(text);
    QVERIFY(!result.ok());
    QVERIFY(result.error);
    QCOMPARE(result.error->severity, ConfigMessage::Severity::Error);
    QCOMPARE(result.error->toString(), error);
}

QByteArrayList names(const QList<HeaderDirective> &headers)
{
    QByteArrayList result;
    for (const HeaderDirective &header : headers)
        result.append(header.name);
    return result;
}

// One directive inside an upstream block, at line 2 column 5.
QByteArray inUpstream(const QByteArray &line)
{
    return "upstream u {\n    " + line + "\n}\n";
}

// One directive after "server 127.0.0.1;" in an upstream block, at line 3 column 5.
QByteArray afterServer(const QByteArray &line)
{
    return "upstream u {\n    server 127.0.0.1;\n    " + line + "\n}\n";
}

// One directive inside a server block, at line 2 column 5.
QByteArray inServer(const QByteArray &line)
{
    return "server {\n    " + line + "\n}\n";
}

// One directive inside "location /", at line 3 column 9.
QByteArray inLocation(const QByteArray &line)
{
    return "server {\n    location / {\n        " + line + "\n    }\n}\n";
}

const QByteArray debianConfig = R"(user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;
daemon off;

events {
	worker_connections 768;
	# multi_accept on;
}

http {
	sendfile on;
	tcp_nopush on;
	types_hash_max_size 2048;
	# server_tokens off;

	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	types {
		text/html html;
	}

	ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; # Dropping SSLv3, ref: POODLE
	ssl_prefer_server_ciphers on;

	access_log /var/log/nginx/access.log;
	log_format main '$remote_addr - $remote_user [$time_local] "$request" '
	                '$status $body_bytes_sent';
	gzip on;

	upstream app {
		least_conn;
		server 127.0.0.1:3000 weight=2;
		server 127.0.0.1:3001;
	}

	server {
		listen 80 default_server;
		listen [::]:80 default_server;
		root /var/www/html;
		index index.html index.htm index.nginx-debian.html;
		server_name _;

		location / {
			proxy_pass http://app;
			try_files $uri $uri/ =404;
		}
		location ~ /\.ht {
			deny all;
		}
	}

	include /etc/nginx/conf.d/*.conf;
	include /etc/nginx/sites-enabled/*;
}

#mail {
#	server {
#		listen     localhost:110;
#	}
#}
)";

} // namespace

class TestConfigReader final : public QObject
{
    Q_OBJECT

private slots:
    void photosConfig();
    void debianStyleConfig();
    void topLevelBlocks();
    void upstreamServers_data();
    void upstreamServers();
    void balancing_data();
    void balancing();
    void upstreamKeepalive();
    void listen_data();
    void listen();
    void settingsLevels();
    void tokens_data();
    void tokens();
    void implicitUpstreams_data();
    void implicitUpstreams();
    void locationForms();
    void nestedInheritance();
    void structuralErrors_data();
    void structuralErrors();
    void nestingUpToTheBoundReads();
    void noInputCrashesOrHangsTheReader();
    void modulesSaidMissingAreIgnored();
    void parameterErrors_data();
    void parameterErrors();
    void warnings_data();
    void warnings();
    void resolveSettings_data();
    void resolveSettings();
    void resolveServerLevel();
    void resolveClientRules();
    void logFormats_data();
    void logFormats();
    void accessLogLevels();
    void resolveAccessLogs_data();
    void resolveAccessLogs();
    void statusListen_data();
    void statusListen();
    void readFileErrors();
    void includes();
    void errorLogs_data();
    void errorLogs();
    void pidAndMainFlags_data();
    void pidAndMainFlags();
    void globalDirectives_data();
    void globalDirectives();
    void parseTime_data();
    void parseTime();
    void parseSize_data();
    void parseSize();
    void splitHostPort_data();
    void splitHostPort();
};

void TestConfigReader::photosConfig()
{
    const QString path = QStringLiteral(LBSCOPE_SOURCE_DIR) + u"/resources/configs/photos.conf"_s;
    const ConfigReadResult result = ConfigReader::readFile(path);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QVERIFY(result.warnings.isEmpty());
    const ProxyConfig &config = *result.config;
    QCOMPARE(config.sourceFile, path);
    QCOMPARE(config.workerProcesses, 1);

    QCOMPARE(config.upstreams.size(), 1);
    const UpstreamConfig &photos = config.upstreams.front();
    QCOMPARE(photos.name, u"photos"_s);
    QCOMPARE(photos.method, BalancingMethod::RoundRobin);
    QCOMPARE(photos.source, (SourceLocation{path, 2, 1}));
    QCOMPARE(photos.servers.size(), 3);
    const quint16 ports[] = {3000, 3100, 3101};
    for (int i = 0; i < 3; ++i) {
        const UpstreamServer &server = photos.servers.at(i);
        QCOMPARE(server.address, u"127.0.0.1:"_s + QString::number(ports[i]));
        QCOMPARE(server.host, u"127.0.0.1"_s);
        QCOMPARE(server.port, ports[i]);
        QCOMPARE(server.weight, 1);
        QCOMPARE(server.source, (SourceLocation{path, 3 + i, 5}));
    }

    QCOMPARE(config.servers.size(), 1);
    const ServerConfig &server = config.servers.front();
    QCOMPARE(server.listens.size(), 1);
    QCOMPARE(server.listens.front().host, u"127.0.0.1"_s);
    QCOMPARE(server.listens.front().port, quint16(8080));
    QCOMPARE(server.serverNames, QStringList{u"photos.example.com"_s});
    QCOMPARE(server.locations.size(), 1);
    const LocationConfig &location = server.locations.front();
    QCOMPARE(location.prefix, u"/"_s);
    QCOMPARE(location.proxyPass, u"http://photos"_s);
    QCOMPARE(location.source, (SourceLocation{path, 12, 5}));
    QVERIFY(location.settings.proxySetHeaders);
    QCOMPARE(names(*location.settings.proxySetHeaders), (QByteArrayList{"Host", "X-Real-IP"}));
    QCOMPARE(location.settings.proxySetHeaders->at(1).value, u"$remote_addr"_s);
    QCOMPARE(location.settings.proxySetHeaders->at(1).source, (SourceLocation{path, 15, 9}));
    QVERIFY(location.settings.addHeaders);
    QCOMPARE(location.settings.addHeaders->front().value, u"$upstream_addr"_s);
    QVERIFY(!location.settings.addHeaders->front().always);
    QVERIFY(config.findUpstream(u"PHOTOS"));
}

// Debian's nginx.conf with its includes in a folder of the test's: modules-enabled has
// nothing, mime.types a types block, sites-enabled one more server.
void TestConfigReader::debianStyleConfig()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString etc = dir.path() + u'/';
    QVERIFY(QDir().mkpath(etc + u"modules-enabled"_s) && QDir().mkpath(etc + u"conf.d"_s) &&
            QDir().mkpath(etc + u"sites-enabled"_s));
    const auto write = [&](const QString &name, const QByteArray &text) {
        QFile file(etc + name);
        return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
    };
    QVERIFY(write(u"mime.types"_s, "types {\n    text/html html;\n}\n"));
    QVERIFY(write(u"sites-enabled/default"_s, "server {\n    listen 8081;\n    server_name site.test;\n}\n"));
    const QByteArray text = QByteArray(debianConfig).replace("/etc/nginx/", QFile::encodeName(etc));
    const ConfigReadResult result = ConfigReader::readText(text, u"t.conf"_s);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const QStringList expected = {
        u"t.conf:1: ignoring \"user\""_s,
        u"t.conf:14: ignoring \"sendfile\""_s,
        u"t.conf:15: ignoring \"tcp_nopush\""_s,
        u"t.conf:16: ignoring \"types_hash_max_size\""_s,
        etc + u"mime.types:1: ignoring \"types\""_s,
        u"t.conf:20: ignoring \"default_type\""_s,
        u"t.conf:21: ignoring \"types\""_s,
        u"t.conf:25: ignoring \"ssl_protocols\""_s,
        u"t.conf:26: ignoring \"ssl_prefer_server_ciphers\""_s,
        u"t.conf:31: ignoring \"gzip\": nginx would compress responses, LB Scope does not"_s,
        u"t.conf:42: ignoring \"root\": nginx would serve files from disk where nothing is proxied, LB Scope does "
        u"not"_s,
        u"t.conf:43: ignoring \"index\": nginx would serve index files, LB Scope does not"_s,
        u"t.conf:48: ignoring \"try_files\": nginx would try files on disk before anything else, LB Scope does not"_s,
    };
    QCOMPARE(messages(result.warnings), expected);

    const ProxyConfig &config = *result.config;
    QCOMPARE(config.workerProcesses, std::max(1, QThread::idealThreadCount()));
    QCOMPARE(config.pidFile, u"/run/nginx.pid"_s);
    QCOMPARE(config.errorLogs.size(), 1);
    QCOMPARE(config.errorLogs.front().path, u"/var/log/nginx/error.log"_s);
    QCOMPARE(config.errorLogs.front().level, ErrorLogLevel::Error);
    QVERIFY(config.settings.accessLogs);
    QCOMPARE(config.settings.accessLogs->size(), 1);
    QCOMPARE(config.settings.accessLogs->front().path, u"/var/log/nginx/access.log"_s);
    QCOMPARE(config.settings.accessLogs->front().formatName, u"combined"_s);
    QCOMPARE(config.settings.accessLogs->front().source, at(28, 2));
    QCOMPARE(config.logFormats.size(), 1);
    QCOMPARE(config.logFormats.front().name, u"main"_s);
    QCOMPARE(config.logFormats.front().format,
             u"$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"_s);
    QCOMPARE(config.upstreams.size(), 1);
    QCOMPARE(config.upstreams.front().method, BalancingMethod::LeastConn);
    QCOMPARE(config.upstreams.front().servers.front().weight, 2);
    QCOMPARE(config.servers.size(), 2);
    QCOMPARE(config.servers.back().serverNames, QStringList{u"site.test"_s});
    QCOMPARE(config.servers.back().source, (SourceLocation{etc + u"sites-enabled/default"_s, 1, 1}));
    QCOMPARE(result.files.size(), 3);
    QCOMPARE(result.files.at(1).path, etc + u"mime.types"_s);
    const ServerConfig &server = config.servers.front();
    QCOMPARE(server.listens.size(), 2);
    QVERIFY(server.listens.at(0).defaultServer);
    QCOMPARE(server.listens.at(1).host, u"::"_s);
    QCOMPARE(server.serverNames, QStringList{u"_"_s});
    QCOMPARE(server.locations.size(), 2);
    QCOMPARE(server.locations.front().proxyPass, u"http://app"_s);
    QCOMPARE(server.locations.back().match, LocationMatch::Regex);
    QCOMPARE(server.locations.back().prefix, u"/\\.ht"_s);
    QCOMPARE(server.locations.back().settings.accessRules->front().deny, true);
}

void TestConfigReader::topLevelBlocks()
{
    // LB Scope's own files hold upstream and server blocks with no http {} around them.
    const ConfigReadResult result = read("upstream a {\n    server 10.0.0.1;\n}\n"
                                         "server {\n    location /a/ {\n        proxy_pass http://a;\n    }\n}\n"
                                         "http {\n    upstream b {\n        server 10.0.0.2:81;\n    }\n}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.config->upstreams.size(), 2);
    QCOMPARE(result.config->upstreams.at(1).name, u"b"_s);
    QCOMPARE(result.config->servers.size(), 1);
    // No listen: nginx's default, *:80, left to the engine.
    QVERIFY(result.config->servers.front().listens.isEmpty());
}

void TestConfigReader::upstreamServers_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("weight");
    QTest::addColumn<int>("maxFails");
    QTest::addColumn<qint64>("failTimeoutMs");
    QTest::addColumn<int>("maxConns");
    QTest::addColumn<bool>("backup");
    QTest::addColumn<bool>("down");

    QTest::newRow("defaults") << QByteArray("server 127.0.0.1;") << u"127.0.0.1"_s << u"127.0.0.1"_s << 80 << 1 << 1
                              << qint64(10'000) << 0 << false << false;
    QTest::newRow("hostname") << QByteArray("server localhost:3000;") << u"localhost:3000"_s << u"localhost"_s << 3000
                              << 1 << 1 << qint64(10'000) << 0 << false << false;
    QTest::newRow("ipv6") << QByteArray("server [::1]:8080;") << u"[::1]:8080"_s << u"::1"_s << 8080 << 1 << 1
                          << qint64(10'000) << 0 << false << false;
    QTest::newRow("ipv6 default port") << QByteArray("server [::1];") << u"[::1]"_s << u"::1"_s << 80 << 1 << 1
                                       << qint64(10'000) << 0 << false << false;
    QTest::newRow("all parameters")
        << QByteArray("server 10.0.0.1:81 weight=5 max_fails=3 fail_timeout=1m30s max_conns=20 backup;")
        << u"10.0.0.1:81"_s << u"10.0.0.1"_s << 81 << 5 << 3 << qint64(90'000) << 20 << true << false;
    QTest::newRow("zeros") << QByteArray("server 10.0.0.1 max_fails=0 fail_timeout=0 max_conns=0 down;")
                           << u"10.0.0.1"_s << u"10.0.0.1"_s << 80 << 1 << 0 << qint64(0) << 0 << false << true;
    QTest::newRow("repeated parameter, last wins")
        << QByteArray("server 10.0.0.1 weight=2 weight=3;") << u"10.0.0.1"_s << u"10.0.0.1"_s << 80 << 3 << 1
        << qint64(10'000) << 0 << false << false;
    QTest::newRow("fail_timeout bare number") << QByteArray("server 10.0.0.1 fail_timeout=30;") << u"10.0.0.1"_s
                                              << u"10.0.0.1"_s << 80 << 1 << 1 << qint64(30'000) << 0 << false << false;
}

void TestConfigReader::upstreamServers()
{
    QFETCH(QByteArray, line);
    // A second, primary server so that a backup line alone still forms a valid block.
    const ConfigReadResult result = read("upstream u {\n    " + line + "\n    server 10.9.9.9;\n}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const UpstreamServer &server = result.config->upstreams.front().servers.front();
    QTEST(server.address, "address");
    QTEST(server.host, "host");
    QTEST(int(server.port), "port");
    QTEST(server.weight, "weight");
    QTEST(server.maxFails, "maxFails");
    QTEST(server.failTimeoutMs, "failTimeoutMs");
    QTEST(server.maxConns, "maxConns");
    QTEST(server.backup, "backup");
    QTEST(server.down, "down");
    QCOMPARE(server.source, at(2, 5));
}

void TestConfigReader::balancing_data()
{
    QTest::addColumn<QByteArray>("directive");
    QTest::addColumn<BalancingMethod>("method");
    QTest::addColumn<QString>("hashKey");
    QTest::addColumn<bool>("consistent");
    QTest::addColumn<bool>("two");

    QTest::newRow("none") << QByteArray() << BalancingMethod::RoundRobin << QString() << false << false;
    QTest::newRow("least_conn") << QByteArray("least_conn;") << BalancingMethod::LeastConn << QString() << false
                                << false;
    QTest::newRow("ip_hash") << QByteArray("ip_hash;") << BalancingMethod::IpHash << QString() << false << false;
    QTest::newRow("hash") << QByteArray("hash $request_uri;") << BalancingMethod::Hash << u"$request_uri"_s << false
                          << false;
    QTest::newRow("hash consistent") << QByteArray("hash \"$remote_addr$request_uri\" consistent;")
                                     << BalancingMethod::Hash << u"$remote_addr$request_uri"_s << true << false;
    QTest::newRow("random") << QByteArray("random;") << BalancingMethod::Random << QString() << false << false;
    QTest::newRow("random two") << QByteArray("random two;") << BalancingMethod::Random << QString() << false << true;
    QTest::newRow("random two least_conn")
        << QByteArray("random two least_conn;") << BalancingMethod::Random << QString() << false << true;
    QTest::newRow("redefined, last wins")
        << QByteArray("hash $uri consistent; least_conn;") << BalancingMethod::LeastConn << QString() << false << false;
}

void TestConfigReader::balancing()
{
    QFETCH(QByteArray, directive);
    const ConfigReadResult result = read(inUpstream(directive + " server 127.0.0.1;"));
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const UpstreamConfig &upstream = result.config->upstreams.front();
    QTEST(upstream.method, "method");
    QTEST(upstream.hashKey, "hashKey");
    QTEST(upstream.hashConsistent, "consistent");
    QTEST(upstream.randomTwo, "two");
}

void TestConfigReader::upstreamKeepalive()
{
    const ConfigReadResult result = read(afterServer("zone shared 64k; keepalive 16; keepalive_requests 0; "
                                                     "keepalive_timeout 90s; server 127.0.0.2 backup;"));
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const UpstreamConfig &upstream = result.config->upstreams.front();
    QCOMPARE(upstream.keepalive, 16);
    QCOMPARE(upstream.keepaliveRequests, 0);
    QCOMPARE(upstream.keepaliveTimeoutMs, qint64(90'000));
    QCOMPARE(upstream.zoneName, u"shared"_s);
    QCOMPARE(upstream.zoneSize, u"64k"_s);
    QCOMPARE(upstream.servers.size(), 2);
    QVERIFY(result.warnings.isEmpty());
}

void TestConfigReader::listen_data()
{
    QTest::addColumn<QByteArray>("directive");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("defaultServer");

    QTest::newRow("port") << QByteArray("listen 8080;") << u"8080"_s << QString() << 8080 << false;
    // "*" is every IPv4 address, spelt as 0.0.0.0; only a bare port leaves the host empty.
    QTest::newRow("star") << QByteArray("listen *:8080;") << u"*:8080"_s << u"0.0.0.0"_s << 8080 << false;
    QTest::newRow("star alone") << QByteArray("listen *;") << u"*"_s << u"0.0.0.0"_s << 80 << false;
    QTest::newRow("address") << QByteArray("listen 127.0.0.1:8080;") << u"127.0.0.1:8080"_s << u"127.0.0.1"_s << 8080
                             << false;
    QTest::newRow("address alone") << QByteArray("listen 127.0.0.1;") << u"127.0.0.1"_s << u"127.0.0.1"_s << 80
                                   << false;
    QTest::newRow("name") << QByteArray("listen localhost:8080;") << u"localhost:8080"_s << u"localhost"_s << 8080
                          << false;
    QTest::newRow("ipv6") << QByteArray("listen [::1]:8081 default_server;") << u"[::1]:8081"_s << u"::1"_s << 8081
                          << true;
    QTest::newRow("default") << QByteArray("listen 80 default;") << u"80"_s << QString() << 80 << true;
}

void TestConfigReader::listen()
{
    QFETCH(QByteArray, directive);
    const ConfigReadResult result = read(inServer(directive));
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ListenAddress &listen = result.config->servers.front().listens.front();
    QTEST(listen.text, "text");
    QTEST(listen.host, "host");
    QTEST(int(listen.port), "port");
    QTEST(listen.defaultServer, "defaultServer");
    QCOMPARE(listen.source, at(2, 5));
}

void TestConfigReader::settingsLevels()
{
    const ConfigReadResult result = read(R"(http {
    proxy_connect_timeout 5s;
    proxy_set_header A a;
    client_max_body_size 1g;
    server {
        client_header_timeout 10s;
        keepalive_timeout 30s;
        keepalive_requests 50;
        location / {
            proxy_http_version 1.1;
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 1500ms;
            proxy_send_timeout 1m;
            proxy_read_timeout 1h;
            proxy_buffer_size 8k;
            client_body_timeout 20;
            add_header X "a b" always;
        }
    }
}
)");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    QCOMPARE(config.settings.proxyConnectTimeoutMs, std::optional<qint64>(5000));
    QCOMPARE(config.settings.clientMaxBodySize, std::optional<qint64>(1024LL * 1024 * 1024));
    QCOMPARE(names(config.settings.proxySetHeaders.value()), QByteArrayList{"A"});
    QVERIFY(!config.settings.proxyReadTimeoutMs);

    const ProxySettings &server = config.servers.front().settings;
    QCOMPARE(server.clientHeaderTimeoutMs, std::optional<qint64>(10'000));
    QCOMPARE(server.keepaliveTimeoutMs, std::optional<qint64>(30'000));
    QCOMPARE(server.keepaliveRequests, std::optional<int>(50));
    QVERIFY(!server.proxySetHeaders);

    const ProxySettings &location = config.servers.front().locations.front().settings;
    QCOMPARE(location.proxyHttpVersionMinor, std::optional<int>(1));
    QCOMPARE(location.proxyNextUpstream, std::optional<quint32>(NextUpstreamError | NextUpstreamTimeout |
                                                                NextUpstreamHttp502 | NextUpstreamNonIdempotent));
    QCOMPARE(location.proxyNextUpstreamTries, std::optional<int>(3));
    QCOMPARE(location.proxyNextUpstreamTimeoutMs, std::optional<qint64>(1500));
    QCOMPARE(location.proxySendTimeoutMs, std::optional<qint64>(60'000));
    QCOMPARE(location.proxyReadTimeoutMs, std::optional<qint64>(3'600'000));
    QCOMPARE(location.proxyBufferSize, std::optional<qint64>(8192));
    QCOMPARE(location.clientBodyTimeoutMs, std::optional<qint64>(20'000));
    QCOMPARE(location.addHeaders->front().value, u"a b"_s);
    QVERIFY(location.addHeaders->front().always);
    QCOMPARE(location.addHeaders->front().source, (SourceLocation{fileName, 19, 13}));
}

void TestConfigReader::tokens_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("word") << QByteArray("abc") << u"abc"_s;
    QTest::newRow("double quotes") << QByteArray("\"a b\"") << u"a b"_s;
    QTest::newRow("single quotes") << QByteArray("'a \"b\"'") << u"a \"b\""_s;
    QTest::newRow("empty") << QByteArray("\"\"") << QString();
    QTest::newRow("escaped quote in word") << QByteArray("a\\\"b") << u"a\"b"_s;
    QTest::newRow("escaped backslash") << QByteArray("\"a\\\\b\"") << u"a\\b"_s;
    QTest::newRow("escaped tab") << QByteArray("\"a\\tb\"") << u"a\tb"_s;
    QTest::newRow("other escapes kept") << QByteArray("a\\;b\\x") << u"a\\;b\\x"_s;
    QTest::newRow("escaped quote in quotes") << QByteArray("'it\\'s'") << u"it's"_s;
    QTest::newRow("braced variable") << QByteArray("${host}x") << u"${host}x"_s;
    QTest::newRow("hash inside word") << QByteArray("a#b") << u"a#b"_s;
    QTest::newRow("brace inside word") << QByteArray("a}b") << u"a}b"_s;
    QTest::newRow("quote inside word") << QByteArray("a\"b\"") << u"a\"b\""_s;
    QTest::newRow("newline in quotes") << QByteArray("\"a\nb\"") << u"a\nb"_s;
    QTest::newRow("semicolon in quotes") << QByteArray("\"a;{}#b\"") << u"a;{}#b"_s;
    QTest::newRow("utf-8") << QByteArray("\"caf\xc3\xa9\"") << u"caf\u00e9"_s;
}

void TestConfigReader::tokens()
{
    QFETCH(QByteArray, value);
    const ConfigReadResult result =
        read("# leading comment ; {\nserver { # trailing comment }\n    add_header\tX " + value + ";}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const HeaderDirective &header = result.config->servers.front().settings.addHeaders->front();
    QCOMPARE(header.name, QByteArray("X"));
    QTEST(header.value, "expected");
    QCOMPARE(header.source, at(3, 5));
}

void TestConfigReader::implicitUpstreams_data()
{
    QTest::addColumn<QByteArray>("url");

    QTest::newRow("ip and port") << QByteArray("http://127.0.0.1:3000");
    QTest::newRow("ip") << QByteArray("http://127.0.0.1");
    QTest::newRow("ipv6") << QByteArray("http://[::1]:3000");
    QTest::newRow("host and port") << QByteArray("http://backend.example:3000");
    QTest::newRow("localhost") << QByteArray("http://localhost");
    QTest::newRow("upstream, any case") << QByteArray("HTTP://U");
}

void TestConfigReader::implicitUpstreams()
{
    QFETCH(QByteArray, url);
    const ConfigReadResult result = read(inLocation("proxy_pass " + url + ";") + "upstream u {server 10.0.0.1;}");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.config->servers.front().locations.front().proxyPass, QString::fromUtf8(url));
    QCOMPARE(result.config->upstreams.size(), 1);
}

void TestConfigReader::locationForms()
{
    const ConfigReadResult result = read(inServer("location = /x {\n    }\n    location ~* \\.php$ {\n    }\n"
                                                  "    location ^~/y {\n    }\n    location @named {\n    }\n"
                                                  "    location ~\\.z {\n    }\n    location /n/ {\n"
                                                  "        location ~ m {\n        }\n    }"));
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const QList<LocationConfig> &locations = result.config->servers.front().locations;
    QCOMPARE(locations.size(), 6);
    const QList<std::pair<LocationMatch, QString>> expected = {
        {LocationMatch::Exact, u"/x"_s},         {LocationMatch::RegexCaseless, u"\\.php$"_s},
        {LocationMatch::PrefixNoRegex, u"/y"_s}, {LocationMatch::Named, u"@named"_s},
        {LocationMatch::Regex, u"\\.z"_s},       {LocationMatch::Prefix, u"/n/"_s},
    };
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(locations[i].match, expected[i].first);
        QCOMPARE(locations[i].prefix, expected[i].second);
    }
    QCOMPARE(locations[5].locations.size(), 1);
    QCOMPARE(locations[5].locations[0].match, LocationMatch::Regex);
    QCOMPARE(locations[5].locations[0].source, at(13, 9));
}

// http -> server -> each enclosing location -> the location, nginx's merge at every level.
void TestConfigReader::nestedInheritance()
{
    const ConfigReadResult result = read("http {\nproxy_read_timeout 1s;\nserver {\nproxy_connect_timeout 2s;\n"
                                         "location /a/ {\nproxy_send_timeout 3s;\nproxy_set_header X-A a;\n"
                                         "location /a/b/ {\nproxy_read_timeout 4s;\n}\n}\n}\n}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    const ServerConfig &server = config.servers.front();
    const LocationConfig &outer = server.locations.front();
    const ProxySettings inner = inheritSettings(outer.settings, outer.locations.front().settings);
    const ResolvedLocation resolved = lbscope::resolveSettings(config.settings, server.settings, &inner);
    QCOMPARE(resolved.proxyReadTimeoutMs, 4000);
    QCOMPARE(resolved.proxyConnectTimeoutMs, 2000);
    QCOMPARE(resolved.proxySendTimeoutMs, 3000);
    QCOMPARE(names(resolved.proxySetHeaders), QByteArrayList{"X-A"});
}

void TestConfigReader::structuralErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("stray brace") << QByteArray("}") << u"t.conf:1:1: unexpected \"}\""_s;
    // Deep nesting is refused where it passes the bound, before it can exhaust the stack.
    QTest::newRow("70,000 nested blocks")
        << QByteArray("x {\n").repeated(70'000) << u"t.conf:65:3: blocks nested more than 64 deep"_s;
    QTest::newRow("deep blocks in a server") << QByteArray("server {\n" + QByteArray("x {\n").repeated(100))
                                             << u"t.conf:65:3: blocks nested more than 64 deep"_s;
    QTest::newRow("brace after arguments")
        << QByteArray("upstream u {\n    server 127.0.0.1\n}\n") << u"t.conf:3:1: unexpected \"}\""_s;
    QTest::newRow("missing brace") << QByteArray("upstream u {\n    server 127.0.0.1;\n")
                                   << u"t.conf:3:1: unexpected end of file, expecting \"}\""_s;
    QTest::newRow("missing brace in skipped block") << QByteArray("events {\n    worker_connections 768;\n")
                                                    << u"t.conf:3:1: unexpected end of file, expecting \"}\""_s;
    QTest::newRow("missing semicolon") << QByteArray("upstream u {\n    server 127.0.0.1")
                                       << u"t.conf:2:21: unexpected end of file, expecting \";\" or \"}\""_s;
    QTest::newRow("unterminated quote") << inServer("server_name \"abc;")
                                        << u"t.conf:4:1: unexpected end of file, expecting \";\" or \"}\""_s;
    QTest::newRow("double semicolon") << inServer("listen 80;;") << u"t.conf:2:15: unexpected \";\""_s;
    QTest::newRow("lone brace") << inServer("{") << u"t.conf:2:5: unexpected \"{\""_s;
    QTest::newRow("text after quote") << inServer("server_name \"a\"b;") << u"t.conf:2:20: unexpected \"b\""_s;
    QTest::newRow("brace after quote") << inServer("server_name \"a\"}") << u"t.conf:2:20: unexpected \"}\""_s;
    QTest::newRow("block without brace") << QByteArray("upstream u;")
                                         << u"t.conf:1:1: directive \"upstream\" has no opening \"{\""_s;
    QTest::newRow("directive with brace") << inLocation("proxy_pass http://127.0.0.1:1 {\n}")
                                          << u"t.conf:3:9: directive \"proxy_pass\" is not terminated by \";\""_s;
    QTest::newRow("upstream without name")
        << QByteArray("upstream {\n}\n") << u"t.conf:1:1: invalid number of arguments in \"upstream\" directive"_s;
    QTest::newRow("upstream with two names")
        << QByteArray("upstream a b {\n}\n") << u"t.conf:1:1: invalid number of arguments in \"upstream\" directive"_s;
    QTest::newRow("ip_hash with argument")
        << afterServer("ip_hash x;") << u"t.conf:3:5: invalid number of arguments in \"ip_hash\" directive"_s;
    QTest::newRow("proxy_set_header one argument")
        << inLocation("proxy_set_header X;")
        << u"t.conf:3:9: invalid number of arguments in \"proxy_set_header\" directive"_s;
    QTest::newRow("server_name empty") << inServer("server_name;")
                                       << u"t.conf:2:5: invalid number of arguments in \"server_name\" directive"_s;
    QTest::newRow("client_header_timeout in location")
        << inLocation("client_header_timeout 5s;")
        << u"t.conf:3:9: \"client_header_timeout\" directive is not allowed here"_s;
    QTest::newRow("listen in location") << inLocation("listen 80;")
                                        << u"t.conf:3:9: \"listen\" directive is not allowed here"_s;
    QTest::newRow("proxy_pass in server")
        << inServer("proxy_pass http://127.0.0.1:1;") << u"t.conf:2:5: \"proxy_pass\" directive is not allowed here"_s;
    QTest::newRow("http in http") << QByteArray("http {\n    http {\n    }\n}\n")
                                  << u"t.conf:2:5: \"http\" directive is not allowed here"_s;
    QTest::newRow("upstream in server") << inServer("upstream u {\n    }")
                                        << u"t.conf:2:5: \"upstream\" directive is not allowed here"_s;
    QTest::newRow("location at top") << QByteArray("location / {\n}\n")
                                     << u"t.conf:1:1: \"location\" directive is not allowed here"_s;
    QTest::newRow("listen in upstream") << afterServer("listen 80;")
                                        << u"t.conf:3:5: \"listen\" directive is not allowed here"_s;
    QTest::newRow("worker_processes in http") << QByteArray("http {\n    worker_processes 2;\n}\n")
                                              << u"t.conf:2:5: \"worker_processes\" directive is not allowed here"_s;
    QTest::newRow("duplicate worker_processes") << QByteArray("worker_processes 1;\nworker_processes 2;\n")
                                                << u"t.conf:2:1: \"worker_processes\" directive is duplicate"_s;
    QTest::newRow("duplicate http") << QByteArray("http {\n}\nhttp {\n}\n")
                                    << u"t.conf:3:1: \"http\" directive is duplicate"_s;
    QTest::newRow("duplicate proxy_pass")
        << inLocation("proxy_pass http://127.0.0.1:1;\n        proxy_pass http://127.0.0.1:2;")
        << u"t.conf:4:9: \"proxy_pass\" directive is duplicate"_s;
    QTest::newRow("duplicate timeout") << inServer("proxy_read_timeout 5s;\n    proxy_read_timeout 6s;")
                                       << u"t.conf:3:5: \"proxy_read_timeout\" directive is duplicate"_s;
    QTest::newRow("duplicate proxy_http_version") << inLocation("proxy_http_version 1.1; proxy_http_version 1.0;")
                                                  << u"t.conf:3:33: \"proxy_http_version\" directive is duplicate"_s;
    QTest::newRow("duplicate keepalive") << afterServer("keepalive 1;\n    keepalive 2;")
                                         << u"t.conf:4:5: \"keepalive\" directive is duplicate"_s;
}

void TestConfigReader::nestingUpToTheBoundReads()
{
    const ConfigReadResult result = read(QByteArray("x {\n").repeated(64) + QByteArray("}\n").repeated(64));
    QVERIFY(result.ok());
    QCOMPARE(messages(result.warnings), QStringList{u"t.conf:1: ignoring \"x\""_s});
}

// Mutated real configurations and hostile bytes: every read ends, with a configuration or with
// one error that says FILE:LINE, never both and never a crash.
void TestConfigReader::noInputCrashesOrHangsTheReader()
{
    QList<QByteArray> corpus;
    const QDir dirs[] = {QDir(QStringLiteral(LBSCOPE_SOURCE_DIR "/resources/configs")),
                         QDir(QStringLiteral(LBSCOPE_SOURCE_DIR "/resources/scenarios"))};
    for (const QDir &dir : dirs) {
        for (const QFileInfo &info : dir.entryInfoList({u"*.conf"_s}, QDir::Files)) {
            QFile file(info.filePath());
            QVERIFY(file.open(QIODevice::ReadOnly));
            corpus.append(file.readAll());
        }
    }
    QVERIFY(corpus.size() >= 5);

    QList<QByteArray> inputs = {
        QByteArray(1 << 20, 'a'),                                          // one huge token
        "upstream u {\n    server " + QByteArray(1 << 20, '1') + ";\n}\n", // a huge address
        QByteArray("upstream u {\0\n}\n", 16),                             // a NUL byte
        "server_name \xc3\x28 \xff\xfe;\n",                                // not UTF-8
        "server {\n    server_name \"unterminated;\n}\n",
        "server {\n    server_name 'unterminated;\n}\n",
        QByteArray("}").repeated(10'000),
        QByteArray("{").repeated(10'000),
        QByteArray("\"").repeated(10'001),
        QByteArray("\\").repeated(10'001),
    };
    QRandomGenerator random(20'261'202); // fixed: a failure can be run again
    static const QByteArray Specials = QByteArray("{};\"'\\$#\n\r\t \xff\x80") + QByteArray(1, '\0');
    constexpr int Mutants = 3000;
    for (int i = 0; i < Mutants; ++i) {
        QByteArray text = corpus[random.bounded(int(corpus.size()))];
        for (int edits = 1 + random.bounded(4); edits > 0 && !text.isEmpty(); --edits) {
            const int at = random.bounded(int(text.size()));
            switch (random.bounded(5)) {
            case 0: // a special byte in place of one
                text[at] = Specials[random.bounded(int(Specials.size()))];
                break;
            case 1: // any byte
                text[at] = char(random.bounded(256));
                break;
            case 2: // a piece of the file again, elsewhere
                text.insert(random.bounded(int(text.size())), text.mid(at, random.bounded(1, 40)));
                break;
            case 3: // a piece cut out
                text.remove(at, random.bounded(1, 40));
                break;
            case 4: // cut short
                text.truncate(at);
                break;
            }
        }
        inputs.append(text);
    }

    static const QRegularExpression located(u"^t\\.conf:\\d+(:\\d+)?: "_s);
    QDeadlineTimer deadline(60'000); // the loop's bound in time; it takes well under a second
    for (const QByteArray &text : std::as_const(inputs)) {
        QVERIFY2(!deadline.hasExpired(), "the reader took more than a minute");
        const ConfigReadResult result = read(text);
        QVERIFY(result.ok() != result.error.has_value());
        if (result.error)
            QVERIFY2(located.match(result.error->toString()).hasMatch(), qPrintable(result.error->toString()));
    }
}

// What `lbscope -V` tells tools: every module it names as --without-... has its directive
// ignored (so nothing it configures takes effect), and every module it implements is read.
void TestConfigReader::modulesSaidMissingAreIgnored()
{
    const auto place = [](const NginxModule &module) -> QByteArray {
        switch (module.where) {
        case NginxModule::Where::Http:
            return module.directive + '\n';
        case NginxModule::Where::Upstream:
            return "upstream pool {\n    " + module.directive + "\n    server 127.0.0.1:3000;\n}\n";
        case NginxModule::Where::Location:
            break;
        }
        return inLocation(module.directive);
    };
    for (const NginxModule &module : NginxModules::unimplemented()) {
        const ConfigReadResult result = read(place(module));
        QVERIFY2(result.ok(), qPrintable(QString::fromLatin1(module.configureName)));
        const QByteArray name = module.directive.left(module.directive.indexOf(' '));
        QVERIFY2(
            messages(result.warnings).join(u'\n').contains(u"ignoring \""_s + QString::fromLatin1(name)),
            qPrintable(QString::fromLatin1(module.configureName) + u": "_s + messages(result.warnings).join(u'\n')));
        QVERIFY(NginxModules::configureArguments().contains(QByteArray(" --without-" + module.configureName)));
    }
    for (const NginxModule &module : NginxModules::implemented()) {
        const ConfigReadResult result = read(place(module));
        QVERIFY2(result.ok(), qPrintable(QString::fromLatin1(module.configureName)));
        QVERIFY2(result.warnings.isEmpty(), qPrintable(QString::fromLatin1(module.configureName) + u": "_s +
                                                       messages(result.warnings).join(u'\n')));
        QVERIFY(!NginxModules::configureArguments().contains(module.configureName));
    }
}

void TestConfigReader::structuralErrors()
{
    verifyReadError();
}

void TestConfigReader::parameterErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");

    // Server parameters: the parameter starts at line 2, column 22.
    for (const char *parameter :
         {"weight=0", "weight=abc", "weight=-1", "weight=", "Weight=2", "weight2", "weight=2147483648", "max_fails=-1",
          "max_fails=abc", "max_conns=x", "fail_timeout=500ms", "fail_timeout=30s1m", "fail_timeout=", "resolve",
          "slow_start=10s", "service=http", "drain", "backup=1"}) {
        QTest::addRow("server %s", parameter)
            << inUpstream("server 127.0.0.1 " + QByteArray(parameter) + ";")
            << u"t.conf:2:22: invalid parameter \"%1\""_s.arg(QString::fromLatin1(parameter));
    }
    QTest::newRow("invalid port") << inUpstream("server 127.0.0.1:99999;")
                                  << u"t.conf:2:12: invalid port in upstream \"127.0.0.1:99999\""_s;
    QTest::newRow("port zero") << inUpstream("server 127.0.0.1:0;")
                               << u"t.conf:2:12: invalid port in upstream \"127.0.0.1:0\""_s;
    QTest::newRow("empty port") << inUpstream("server 127.0.0.1:;")
                                << u"t.conf:2:12: invalid port in upstream \"127.0.0.1:\""_s;
    QTest::newRow("uri in server") << inUpstream("server 127.0.0.1/x;")
                                   << u"t.conf:2:12: invalid host in upstream \"127.0.0.1/x\""_s;
    QTest::newRow("scheme in server") << inUpstream("server http://127.0.0.1;")
                                      << u"t.conf:2:12: invalid host in upstream \"http://127.0.0.1\""_s;
    QTest::newRow("empty host") << inUpstream("server \"\";") << u"t.conf:2:12: no host in upstream \"\""_s;
    QTest::newRow("unclosed bracket") << inUpstream("server [::1:80;")
                                      << u"t.conf:2:12: invalid host in upstream \"[::1:80\""_s;
    QTest::newRow("bad ipv6") << inUpstream("server [zz]:80;")
                              << u"t.conf:2:12: invalid IPv6 address in upstream \"[zz]:80\""_s;
    QTest::newRow("unix socket") << inUpstream("server unix:/tmp/s;")
                                 << u"t.conf:2:12: unix domain sockets are not supported"_s;

    for (const char *method : {"ip_hash;", "hash $remote_addr;", "hash $uri consistent;", "random;"}) {
        QTest::addRow("backup after %s", method)
            << ("upstream u {\n    " + QByteArray(method) + "\n    server 127.0.0.1 backup;\n}\n")
            << u"t.conf:3:22: balancing method does not support parameter \"backup\""_s;
    }
    QTest::newRow("only backups") << inUpstream("server 127.0.0.1 backup;")
                                  << u"t.conf:1:1: no servers in upstream \"u\""_s;
    QTest::newRow("no servers") << QByteArray("upstream u {\n}\n") << u"t.conf:1:1: no servers are inside upstream"_s;
    QTest::newRow("duplicate upstream")
        << QByteArray("upstream u {\n    server 127.0.0.1;\n}\nupstream U {\n    server 127.0.0.1;\n}\n")
        << u"t.conf:4:10: duplicate upstream \"U\""_s;
    QTest::newRow("keepalive abc") << afterServer("keepalive abc;")
                                   << u"t.conf:3:15: invalid value \"abc\" in \"keepalive\" directive"_s;
    QTest::newRow("keepalive 0") << afterServer("keepalive 0;")
                                 << u"t.conf:3:15: invalid value \"0\" in \"keepalive\" directive"_s;
    QTest::newRow("keepalive_requests") << afterServer("keepalive_requests x;")
                                        << u"t.conf:3:24: invalid value \"x\" in \"keepalive_requests\" directive"_s;
    QTest::newRow("upstream keepalive_timeout")
        << afterServer("keepalive_timeout 1y;")
        << u"t.conf:3:23: invalid value \"1y\" in \"keepalive_timeout\" directive"_s;
    QTest::newRow("hash parameter") << afterServer("hash $x b;") << u"t.conf:3:13: invalid parameter \"b\""_s;
    QTest::newRow("random three") << afterServer("random three;") << u"t.conf:3:12: invalid parameter \"three\""_s;
    QTest::newRow("random least_conn") << afterServer("random least_conn;")
                                       << u"t.conf:3:12: invalid parameter \"least_conn\""_s;
    QTest::newRow("random two x") << afterServer("random two x;") << u"t.conf:3:16: invalid parameter \"x\""_s;
    QTest::newRow("zone size") << afterServer("zone z 10x;") << u"t.conf:3:12: invalid zone size \"10x\""_s;
    QTest::newRow("zone giga") << afterServer("zone z 1g;") << u"t.conf:3:12: invalid zone size \"1g\""_s;
    QTest::newRow("zone too small") << afterServer("zone z 31k;") << u"t.conf:3:12: zone \"z\" is too small"_s;

    QTest::newRow("http version") << inLocation("proxy_http_version 2.0;")
                                  << u"t.conf:3:28: invalid value \"2.0\" in \"proxy_http_version\" directive"_s;
    QTest::newRow("next upstream") << inLocation("proxy_next_upstream error foo;")
                                   << u"t.conf:3:35: invalid value \"foo\" in \"proxy_next_upstream\" directive"_s;
    QTest::newRow("time unit") << inLocation("proxy_connect_timeout 1x;")
                               << u"t.conf:3:31: invalid value \"1x\" in \"proxy_connect_timeout\" directive"_s;
    QTest::newRow("time month") << inLocation("proxy_connect_timeout 1M;")
                                << u"t.conf:3:31: invalid value \"1M\" in \"proxy_connect_timeout\" directive"_s;
    QTest::newRow("time order") << inLocation("proxy_connect_timeout 30s1m;")
                                << u"t.conf:3:31: invalid value \"30s1m\" in \"proxy_connect_timeout\" directive"_s;
    QTest::newRow("body size") << inLocation("client_max_body_size 1x;")
                               << u"t.conf:3:30: invalid value \"1x\" in \"client_max_body_size\" directive"_s;
    QTest::newRow("buffer size giga") << inLocation("proxy_buffer_size 1g;")
                                      << u"t.conf:3:27: invalid value \"1g\" in \"proxy_buffer_size\" directive"_s;
    QTest::newRow("tries") << inLocation("proxy_next_upstream_tries x;")
                           << u"t.conf:3:35: invalid value \"x\" in \"proxy_next_upstream_tries\" directive"_s;
    QTest::newRow("keepalive_requests negative")
        << inLocation("keepalive_requests -1;")
        << u"t.conf:3:28: invalid value \"-1\" in \"keepalive_requests\" directive"_s;
    QTest::newRow("keepalive header timeout")
        << inLocation("keepalive_timeout 5s x;")
        << u"t.conf:3:30: invalid value \"x\" in \"keepalive_timeout\" directive"_s;
    QTest::newRow("add_header flag") << inLocation("add_header X y never;")
                                     << u"t.conf:3:24: invalid parameter \"never\""_s;
    QTest::newRow("worker_processes") << QByteArray("worker_processes abc;")
                                      << u"t.conf:1:18: invalid value \"abc\" in \"worker_processes\" directive"_s;

    QTest::newRow("https") << inLocation("proxy_pass https://u;") << u"t.conf:3:20: https is not supported"_s;
    QTest::newRow("uri part, unknown upstream") << inLocation("proxy_pass http://u/x;")
                                                << u"t.conf:3:20: host not found in upstream \"u\""_s;
    QTest::newRow("uri part, no host") << inLocation("proxy_pass http:///x;")
                                       << u"t.conf:3:20: no host in upstream \"\""_s;
    QTest::newRow("no scheme") << inLocation("proxy_pass 127.0.0.1:1;") << u"t.conf:3:20: invalid URL prefix"_s;
    QTest::newRow("variables with https") << inLocation("proxy_pass https://$host;")
                                          << u"t.conf:3:20: https is not supported"_s;
    QTest::newRow("proxy_redirect default first") << inLocation("proxy_redirect default;")
        << u"t.conf:3:9: \"proxy_redirect default\" should be placed after the \"proxy_pass\" directive"_s;
    QTest::newRow("proxy_redirect default in a server") << inServer("proxy_redirect default;")
        << u"t.conf:2:5: \"proxy_redirect default\" should be placed after the \"proxy_pass\" directive"_s;
    QTest::newRow("proxy_redirect default with variables")
        << inLocation("proxy_pass http://$host; proxy_redirect default;")
        << u"t.conf:3:34: \"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables"_s;
    QTest::newRow("proxy_redirect off, then a rule") << inLocation("proxy_redirect off; proxy_redirect / /a;")
                                                     << u"t.conf:3:29: \"proxy_redirect\" directive is duplicate"_s;
    QTest::newRow("proxy_redirect rule, then off") << inLocation("proxy_redirect / /a; proxy_redirect off;")
                                                   << u"t.conf:3:30: \"proxy_redirect\" directive is duplicate"_s;
    QTest::newRow("proxy_redirect bogus") << inLocation("proxy_redirect bogus;")
                                          << u"t.conf:3:24: invalid parameter \"bogus\""_s;
    QTest::newRow("proxy_redirect false") << inLocation("proxy_redirect false;")
                                          << u"t.conf:3:24: invalid parameter \"false\""_s;
    QTest::newRow("proxy_redirect three") << inLocation("proxy_redirect a b c;")
                                          << u"t.conf:3:9: invalid number of arguments in \"proxy_redirect\" directive"_s;
    QTest::newRow("proxy_redirect regex") << inLocation("proxy_redirect ~( /x;")
                                          << u"t.conf:3:24: pcre2_compile() failed: missing closing parenthesis in \"(\""_s;
    QTest::newRow("proxy_method twice") << inLocation("proxy_method GET; proxy_method PUT;")
                                        << u"t.conf:3:27: \"proxy_method\" directive is duplicate"_s;
    QTest::newRow("proxy_set_body twice") << inLocation("proxy_set_body a; proxy_set_body b;")
                                          << u"t.conf:3:27: \"proxy_set_body\" directive is duplicate"_s;
    QTest::newRow("proxy_pass_request_headers") << inLocation("proxy_pass_request_headers maybe;")
        << u"t.conf:3:36: invalid value \"maybe\" in \"proxy_pass_request_headers\" directive, it must be \"on\" or \"off\""_s;
    QTest::newRow("proxy_pass_request_body twice")
        << inLocation("proxy_pass_request_body on; proxy_pass_request_body off;")
        << u"t.conf:3:37: \"proxy_pass_request_body\" directive is duplicate"_s;
    QTest::newRow("proxy_hide_header two") << inLocation("proxy_hide_header a b;")
        << u"t.conf:3:9: invalid number of arguments in \"proxy_hide_header\" directive"_s;
    QTest::newRow("proxy_ignore_headers") << inLocation("proxy_ignore_headers X-Accel-Buffering Bogus;")
                                          << u"t.conf:3:48: invalid value \"Bogus\""_s;
    QTest::newRow("keepalive_time") << inLocation("keepalive_time 5x;")
                                    << u"t.conf:3:24: invalid value \"5x\" in \"keepalive_time\" directive"_s;
    QTest::newRow("keepalive_time twice") << inLocation("keepalive_time 1h; keepalive_time 1h;")
                                          << u"t.conf:3:28: \"keepalive_time\" directive is duplicate"_s;
    QTest::newRow("upstream keepalive_time") << afterServer("keepalive_time 5x;")
                                             << u"t.conf:3:20: invalid value \"5x\" in \"keepalive_time\" directive"_s;
    QTest::newRow("upstream keepalive_time twice") << afterServer("keepalive_time 1s; keepalive_time 1s;")
                                                   << u"t.conf:3:24: \"keepalive_time\" directive is duplicate"_s;
    QTest::newRow("no host") << inLocation("proxy_pass http://;") << u"t.conf:3:20: no host in upstream \"\""_s;
    QTest::newRow("proxy_pass port") << inLocation("proxy_pass http://127.0.0.1:1:5;")
                                     << u"t.conf:3:20: invalid port in upstream \"127.0.0.1:1:5\""_s;
    QTest::newRow("proxy_pass unix") << inLocation("proxy_pass http://unix:/tmp/s;")
                                     << u"t.conf:3:20: unix domain sockets are not supported"_s;
    QTest::newRow("unknown upstream") << inLocation("proxy_pass http://nosuch;")
                                      << u"t.conf:3:20: host not found in upstream \"nosuch\""_s;
    QTest::newRow("duplicate location") << inServer("location / {\n    }\n    location / {\n    }")
                                        << u"t.conf:4:14: duplicate location \"/\""_s;
    QTest::newRow("location modifier") << inServer("location x / {\n    }")
                                       << u"t.conf:2:14: invalid location modifier \"x\""_s;
    // Locations: nginx -t's messages (ngx_http_core_location), at the URI.
    QTest::newRow("duplicate ^~ and prefix")
        << inServer("location ^~ /a {\n    }\n    location /a {\n    }") << u"t.conf:4:14: duplicate location \"/a\""_s;
    QTest::newRow("duplicate exact") << inServer("location = /a {\n    }\n    location =/a {\n    }")
                                     << u"t.conf:4:14: duplicate location \"/a\""_s;
    QTest::newRow("duplicate nested")
        << inServer("location /a {\n        location ^~ /ab {\n        }\n        location /ab {\n        }\n    }")
        << u"t.conf:5:18: duplicate location \"/ab\""_s;
    QTest::newRow("nested outside its parent") << inServer("location /y/ {\n        location /x {\n        }\n    }")
                                               << u"t.conf:3:18: location \"/x\" is outside location \"/y/\""_s;
    QTest::newRow("nested exact outside its parent")
        << inServer("location /a {\n        location = /b {\n        }\n    }")
        << u"t.conf:3:20: location \"/b\" is outside location \"/a\""_s;
    QTest::newRow("nested three deep outside")
        << inServer(
               "location /a {\n        location /a/b {\n            location /a/c {\n            }\n        }\n    }")
        << u"t.conf:4:22: location \"/a/c\" is outside location \"/a/b\""_s;
    QTest::newRow("prefix inside a regex location")
        << inServer("location ~ ^/a {\n        location /b {\n        }\n    }")
        << u"t.conf:3:18: location \"/b\" is outside location \"^/a\""_s;
    QTest::newRow("inside an exact location")
        << inServer("location = /a {\n        location /a/b {\n        }\n    }")
        << u"t.conf:3:18: location \"/a/b\" cannot be inside the exact location \"/a\""_s;
    QTest::newRow("inside a named location")
        << inServer("location @n {\n        location /a {\n        }\n    }")
        << u"t.conf:3:18: location \"/a\" cannot be inside the named location \"@n\""_s;
    QTest::newRow("named location nested") << inServer("location /a {\n        location @n {\n        }\n    }")
                                           << u"t.conf:3:18: named location \"@n\" can be on the server level only"_s;
    QTest::newRow("location regex") << inServer("location ~ ( {\n    }")
                                    << u"t.conf:2:16: pcre2_compile() failed: missing closing parenthesis in \"(\""_s;
    QTest::newRow("location caseless regex glued") << inServer("location ~*( {\n    }")
                                                   << u"t.conf:2:14: pcre2_compile() failed: missing closing "
                                                      u"parenthesis in \"(\""_s;
    QTest::newRow("location arguments") << inServer("location = /a /b {\n    }")
                                        << u"t.conf:2:5: invalid number of arguments in \"location\" directive"_s;
    const QString noUriPart = u"\"proxy_pass\" cannot have URI part in location given by regular expression, or "
                              u"inside named location, or inside \"if\" statement, or inside \"limit_except\" block"_s;
    QTest::newRow("proxy_pass URI in a regex location")
        << inServer("location ~ ^/a {\n        proxy_pass http://127.0.0.1:1/x;\n    }")
        << u"t.conf:3:9: "_s + noUriPart;
    QTest::newRow("proxy_pass URI in a named location")
        << inServer("location @a {\n        proxy_pass http://127.0.0.1:1/;\n    }") << u"t.conf:3:9: "_s + noUriPart;

    QTest::newRow("listen port") << inServer("listen 99999;")
                                 << u"t.conf:2:12: invalid port in \"99999\" of the \"listen\" directive"_s;
    QTest::newRow("listen zero") << inServer("listen 0;")
                                 << u"t.conf:2:12: invalid port in \"0\" of the \"listen\" directive"_s;
    QTest::newRow("listen bad port") << inServer("listen 127.0.0.1:x;")
                                     << u"t.conf:2:12: invalid port in \"127.0.0.1:x\" of the \"listen\" directive"_s;
    QTest::newRow("listen parameter") << inServer("listen 80 foo;") << u"t.conf:2:15: invalid parameter \"foo\""_s;
    QTest::newRow("listen case") << inServer("listen 80 Default_server;")
                                 << u"t.conf:2:15: invalid parameter \"Default_server\""_s;
    QTest::newRow("listen unix") << inServer("listen unix:/tmp/s;")
                                 << u"t.conf:2:12: unix domain sockets are not supported"_s;
    // A bare port binds loopback, "*" every address: the keys are what would be bound.
    QTest::newRow("duplicate listen") << inServer("listen 8080;\n    listen 127.0.0.1:8080;")
                                      << u"t.conf:3:12: a duplicate listen 127.0.0.1:8080"_s;
    QTest::newRow("duplicate listen on every address")
        << inServer("listen *:8080;\n    listen 0.0.0.0:8080;") << u"t.conf:3:12: a duplicate listen 0.0.0.0:8080"_s;
    QTest::newRow("duplicate default server")
        << (inServer("listen 83 default_server;") + inServer("listen 83 default_server;"))
        << u"t.conf:5:12: a duplicate default server for 0.0.0.0:83"_s;
    // nginx's words and addresses: a bare port and "*" are one address, 0.0.0.0.
    QTest::newRow("duplicate default server, a bare port and *")
        << (inServer("listen 83 default_server;") + inServer("listen *:83 default_server;"))
        << u"t.conf:5:12: a duplicate default server for 0.0.0.0:83"_s;
    QTest::newRow("server name *x") << inServer("server_name *ex.com;")
                                    << u"t.conf:2:17: server name \"*ex.com\" is invalid"_s;
    QTest::newRow("server name .") << inServer("server_name a .;") << u"t.conf:2:19: server name \".\" is invalid"_s;
    QTest::newRow("server name ~") << inServer("server_name ~;") << u"t.conf:2:17: empty regex in server name \"~\""_s;
    QTest::newRow("server name regex") << inServer("server_name ~^(a;")
                                       << u"t.conf:2:17: pcre2_compile() failed: missing closing parenthesis in "
                                          u"\"^(a\""_s;
    // Checked only where servers share an address, and without a line, as nginx does.
    QTest::newRow("invalid wildcard") << (inServer("listen 83;\n    server_name *.ex*ample.com;") +
                                          inServer("listen 83;"))
                                      << u"invalid server name or wildcard \"*.ex*ample.com\" on 0.0.0.0:83"_s;
    QTest::newRow("a '*' not at a dot border")
        << (inServer("listen 127.0.0.1:83;\n    server_name ex.*.com;") + inServer("listen 127.0.0.1:83;"))
        << u"invalid server name or wildcard \"ex.*.com\" on 127.0.0.1:83"_s;

    QTest::newRow("unknown log format") << QByteArray("access_log /tmp/a.log main;")
                                        << u"t.conf:1:23: unknown log format \"main\""_s;
    QTest::newRow("log format defined after its use")
        << QByteArray("access_log /tmp/a.log main;\nlog_format main '$status';")
        << u"t.conf:1:23: unknown log format \"main\""_s;
    QTest::newRow("parameter in place of the format")
        << QByteArray("access_log /tmp/a.log buffer=32k;") << u"t.conf:1:23: unknown log format \"buffer=32k\""_s;
    QTest::newRow("combined redefined") << QByteArray("log_format combined '$status';")
                                        << u"t.conf:1:12: duplicate \"log_format\" name \"combined\""_s;
    QTest::newRow("format redefined") << QByteArray("log_format a '$status';\nlog_format a '$uri';")
                                      << u"t.conf:2:12: duplicate \"log_format\" name \"a\""_s;
    QTest::newRow("unknown escaping") << QByteArray("log_format a escape=xml '$status';")
                                      << u"t.conf:1:14: unknown log format escaping \"xml\""_s;
    QTest::newRow("unknown variable") << QByteArray("log_format a '$status' '$nosuch';")
                                      << u"t.conf:1:24: unknown \"nosuch\" variable"_s;
    // Any $http_NAME and $arg_NAME is a variable, as in nginx.
    QTest::newRow("any header is known") << QByteArray("log_format a '$http_x_trace_id $arg_page' '$nosuch';")
                                         << u"t.conf:1:43: unknown \"nosuch\" variable"_s;
    QTest::newRow("upstream and response variables are known")
        << QByteArray("log_format a '$upstream_http_x_b $upstream_cookie_s $sent_http_x $upstream_bytes_received "
                      "$cookie_c $request_length' '$nosuch';")
        << u"t.conf:1:118: unknown \"nosuch\" variable"_s;
    // A value with variables is checked when the file is read, as nginx -t does.
    QTest::newRow("proxy_set_header, unknown variable") << QByteArray("proxy_set_header X-A '$nosuch';")
                                                        << u"t.conf:1:22: unknown \"nosuch\" variable"_s;
    QTest::newRow("proxy_set_header, unclosed bracket")
        << QByteArray("proxy_set_header X-C '${cookie_c';")
        << u"t.conf:1:22: the closing bracket in \"cookie_c\" variable is missing"_s;
    QTest::newRow("add_header, lone dollar") << QByteArray("add_header X-A 'a$';")
                                             << u"t.conf:1:16: invalid variable name"_s;
    QTest::newRow("log_format's own variable in a header")
        << QByteArray("add_header X-D $lbscope_decision;") << u"t.conf:1:16: unknown \"lbscope_decision\" variable"_s;
    QTest::newRow("hash, unknown variable") << QByteArray("upstream u {\n    hash $nosuch;\n    server 127.0.0.1:1;\n}")
                                            << u"t.conf:2:10: unknown \"nosuch\" variable"_s;
    QTest::newRow("variable split over strings")
        << QByteArray("log_format a 'x' '$';") << u"t.conf:1:18: invalid parameter \"$\""_s;
    QTest::newRow("dollar and space") << QByteArray("log_format a '$ x';")
                                      << u"t.conf:1:14: invalid parameter \"$ x\""_s;
    QTest::newRow("closing bracket") << QByteArray("log_format a '${status x';")
                                     << u"t.conf:1:14: the closing bracket in \"status\" variable is missing"_s;
    QTest::newRow("log_format without strings")
        << QByteArray("log_format a;") << u"t.conf:1:1: invalid number of arguments in \"log_format\" directive"_s;
    QTest::newRow("log_format in server")
        << inServer("log_format a '$status';") << u"t.conf:2:5: \"log_format\" directive is not allowed here"_s;
    QTest::newRow("access_log off with more")
        << QByteArray("access_log off combined;") << u"t.conf:1:16: invalid parameter \"combined\""_s;
    QTest::newRow("access_log without path")
        << QByteArray("access_log;") << u"t.conf:1:1: invalid number of arguments in \"access_log\" directive"_s;
    QTest::newRow("buffer size") << QByteArray("access_log /tmp/a.log combined buffer=0;")
                                 << u"t.conf:1:32: invalid buffer size \"0\""_s;
    QTest::newRow("buffer size giga") << QByteArray("access_log /tmp/a.log combined buffer=1g;")
                                      << u"t.conf:1:32: invalid buffer size \"1g\""_s;
    QTest::newRow("flush time") << QByteArray("access_log /tmp/a.log combined buffer=1k flush=x;")
                                << u"t.conf:1:42: invalid flush time \"x\""_s;
    QTest::newRow("gzip level") << QByteArray("access_log /tmp/a.log combined gzip=10;")
                                << u"t.conf:1:32: invalid compression level \"10\""_s;
    QTest::newRow("flush without buffer") << QByteArray("access_log /tmp/a.log combined flush=5s;")
                                          << u"t.conf:1:1: no buffer is defined for access_log \"/tmp/a.log\""_s;
    QTest::newRow("access_log parameter")
        << QByteArray("access_log /tmp/a.log combined bogus;") << u"t.conf:1:32: invalid parameter \"bogus\""_s;

    QTest::newRow("status port")
        << QByteArray("lbscope_status 127.0.0.1:x;")
        << u"t.conf:1:16: invalid port in \"127.0.0.1:x\" of the \"lbscope_status\" directive"_s;
    QTest::newRow("status twice") << QByteArray("lbscope_status 9090;\nhttp {\n    lbscope_status 9091;\n}\n")
                                  << u"t.conf:3:5: \"lbscope_status\" directive is duplicate"_s;
    QTest::newRow("status in server") << inServer("lbscope_status 9090;")
                                      << u"t.conf:2:5: \"lbscope_status\" directive is not allowed here"_s;
    QTest::newRow("status unix") << QByteArray("lbscope_status unix:/tmp/s;")
                                 << u"t.conf:1:16: unix domain sockets are not supported"_s;
    QTest::newRow("map in server") << inServer("map $uri $x {\n    }")
                                   << u"t.conf:2:5: \"map\" directive is not allowed here"_s;

    // allow and deny: addresses and networks by nginx's grammar, "all" and "unix:" as written.
    for (const char *address : {"10.0.0.1/33", "10.0.0.1/", "10.0.0.1/x", "10.0.0.0/+8", "1.2.3", "300.1.1.1",
                                "localhost", "ALL", "[::1]", "::1/129", "fe80::1%1", "1:2:3:4:5:6:7::"}) {
        QTest::addRow("allow %s", address)
            << inLocation("allow " + QByteArray(address) + ";")
            << u"t.conf:3:15: invalid parameter \"%1\""_s.arg(QLatin1StringView(address));
    }
    QTest::newRow("deny two") << inLocation("deny 1.2.3.4 5.6.7.8;")
                              << u"t.conf:3:9: invalid number of arguments in \"deny\" directive"_s;
    QTest::newRow("allow in upstream") << afterServer("allow all;")
                                       << u"t.conf:3:5: \"allow\" directive is not allowed here"_s;
    // set_real_ip_from: what is neither a network nor a host name.
    for (const char *address : {"10.0.0.1/33", "[::1]", "a/b", "\"\""}) {
        const QByteArray shown = QByteArray(address) == "\"\"" ? QByteArray() : QByteArray(address);
        QTest::addRow("set_real_ip_from %s", address)
            << inLocation("set_real_ip_from " + QByteArray(address) + ";")
            << u"t.conf:3:26: host not found in set_real_ip_from \"%1\""_s.arg(QLatin1StringView(shown));
    }
    QTest::newRow("real_ip_header twice")
        << inLocation("real_ip_header X-Real-IP;\n        real_ip_header X-Forwarded-For;")
        << u"t.conf:4:9: \"real_ip_header\" directive is duplicate"_s;
    QTest::newRow("real_ip_header two") << inLocation("real_ip_header X-Real-IP X-Forwarded-For;")
                                        << u"t.conf:3:9: invalid number of arguments in \"real_ip_header\" directive"_s;
    QTest::newRow("real_ip_recursive maybe")
        << inLocation("real_ip_recursive maybe;")
        << u"t.conf:3:27: invalid value \"maybe\" in \"real_ip_recursive\" directive, it must be \"on\" or \"off\""_s;
    QTest::newRow("real_ip_recursive twice") << inServer("real_ip_recursive on;\n    real_ip_recursive off;")
                                             << u"t.conf:3:5: \"real_ip_recursive\" directive is duplicate"_s;
    QTest::newRow("flag") << inLocation("proxy_buffering yes;")
                          << u"t.conf:3:25: invalid value \"yes\" in \"proxy_buffering\" directive, it must be \"on\" "
                             u"or \"off\""_s;
    // error_page, worded as nginx 1.22 words each (checked with nginx -t).
    QTest::newRow("error_page alone") << inServer("error_page 404;")
                                      << u"t.conf:2:5: invalid number of arguments in \"error_page\" directive"_s;
    QTest::newRow("error_page 200") << inServer("error_page 200 /x;")
                                    << u"t.conf:2:16: value \"200\" must be between 300 and 599"_s;
    QTest::newRow("error_page 499") << inServer("error_page 499 /x;") << u"t.conf:2:16: invalid value \"499\""_s;
    QTest::newRow("error_page word") << inServer("error_page abc /x;") << u"t.conf:2:16: invalid value \"abc\""_s;
    QTest::newRow("error_page =word") << inServer("error_page 404 =abc /x;")
                                      << u"t.conf:2:20: invalid value \"=abc\""_s;
    QTest::newRow("error_page without a code") << inServer("error_page =200 /x;")
                                               << u"t.conf:2:16: invalid value \"=200\""_s;
    QTest::newRow("error_page two =") << inServer("error_page 404 =200 =200 /x;")
                                      << u"t.conf:2:20: invalid value \"=200\""_s;
    // The rewrite module, worded as nginx 1.22 words each (checked with nginx -t).
    QTest::newRow("return word") << inServer("return abc;") << u"t.conf:2:12: invalid return code \"abc\""_s;
    QTest::newRow("return 1000") << inServer("return 1000;") << u"t.conf:2:12: invalid return code \"1000\""_s;
    QTest::newRow("rewrite bad regex")
        << inServer("rewrite ( /x;")
        << u"t.conf:2:13: pcre2_compile() failed: missing closing parenthesis in \"(\""_s;
    QTest::newRow("rewrite flag") << inServer("rewrite ^ /x bogus;") << u"t.conf:2:18: invalid parameter \"bogus\""_s;
    QTest::newRow("set without $") << inServer("set x 1;") << u"t.conf:2:9: invalid variable name \"x\""_s;
    QTest::newRow("if without $") << inServer("if (a) {\n    }") << u"t.conf:2:8: invalid condition \"a\""_s;
    QTest::newRow("if ==") << inServer("if ($a == b) {\n    }") << u"t.conf:2:12: unexpected \"==\" in condition"_s;
    QTest::newRow("if, four words") << inServer("if ($a = b c) {\n    }") << u"t.conf:2:8: invalid condition \"$a\""_s;
    QTest::newRow("if without parentheses") << inServer("if $a {\n    }") << u"t.conf:2:5: invalid condition \"$a\""_s;
}

void TestConfigReader::parameterErrors()
{
    verifyReadError();
}

void TestConfigReader::warnings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("unknown directive") << QByteArray("frobnicate 1 2;\n")
                                       << QStringList{u"t.conf:1: ignoring \"frobnicate\""_s};
    QTest::newRow("unknown block") << QByteArray("stream {\n    server {\n        listen 1;\n    }\n}\n")
                                   << QStringList{u"t.conf:1: ignoring \"stream\""_s};
    QTest::newRow("if block is read") << inServer("if ($request_method = POST) {\n        return 405;\n    }")
                                      << QStringList();
    QTest::newRow("proxy directives inside if")
        << inLocation("if ($http_x) {\n            add_header X y;\n        }")
        << QStringList{u"t.conf:4: ignoring \"add_header\" (inside \"if\"): nginx would apply it when the "
                       u"condition holds, LB Scope does not"_s};
    QTest::newRow("events contents are silent")
        << QByteArray("events {\n    worker_connections 768;\n    use epoll;\n}\n") << QStringList();
    QTest::newRow("access_log is kept") << QByteArray("access_log /tmp/a.log;\n") << QStringList();
    QTest::newRow("every kind of location is read silently")
        << inServer("location = /x {\n    }\n    location ~* \\.php$ {\n    }\n    location ^~ /y {\n    }\n"
                    "    location @named {\n    }\n    location =/z {\n    }\n    location /n/ {\n"
                    "        location /n/m {\n        }\n    }")
        << QStringList();
    QTest::newRow("method redefined") << afterServer("least_conn;\n    ip_hash;")
                                      << QStringList{u"t.conf:4: load balancing method redefined"_s};
    QTest::newRow("method after keepalive")
        << afterServer("keepalive 4;\n    least_conn;") << QStringList{u"t.conf:4: load balancing method redefined"_s};
    QTest::newRow("keepalive after method") << afterServer("least_conn;\n    keepalive 4;") << QStringList();
    QTest::newRow("unknown upstream directive")
        << afterServer("ntlm;") << QStringList{u"t.conf:3: ignoring \"ntlm\""_s};
    QTest::newRow("duplicate ignored header")
        << inLocation("proxy_ignore_headers X-Accel-Buffering x-accel-buffering;")
        << QStringList{u"t.conf:3: duplicate value \"x-accel-buffering\""_s};
    QTest::newRow("listen parameters") << inServer("listen 80 reuseport backlog=5 default_server;")
                                       << QStringList{u"t.conf:2: ignoring \"reuseport\" in \"listen\""_s,
                                                      u"t.conf:2: ignoring \"backlog=5\" in \"listen\""_s};
    QTest::newRow("duplicate next upstream value") << inLocation("proxy_next_upstream error timeout error;")
                                                   << QStringList{u"t.conf:3: duplicate value \"error\""_s};
    QTest::newRow("keepalive header timeout")
        << inServer("keepalive_timeout 5s 3s;") << QStringList{u"t.conf:2: ignoring \"3s\" in \"keepalive_timeout\""_s};
    QTest::newRow("worker_processes 0") << QByteArray("worker_processes 0;")
                                        << QStringList{u"t.conf:1: using 1 worker for \"worker_processes 0\""_s};
    QTest::newRow("log_format over lines is read")
        << QByteArray("log_format main '$status'\n                '$uri';\n") << QStringList();
    QTest::newRow("access_log parameters")
        << QByteArray("access_log /tmp/a.log combined buffer=32k\n    flush=5s gzip=5 if=$loggable;\n")
        << QStringList{u"t.conf:1: ignoring \"buffer=32k\" in \"access_log\""_s,
                       u"t.conf:2: ignoring \"flush=5s\" in \"access_log\""_s,
                       u"t.conf:2: ignoring \"gzip=5\" in \"access_log\""_s,
                       u"t.conf:2: ignoring \"if=$loggable\" in \"access_log\""_s};
    QTest::newRow("access_log gzip alone") << QByteArray("access_log /tmp/a.log combined gzip;")
                                           << QStringList{u"t.conf:1: ignoring \"gzip\" in \"access_log\""_s};
    QTest::newRow("access_log to syslog")
        << QByteArray("access_log syslog:server=127.0.0.1;")
        << QStringList{u"t.conf:1: ignoring \"access_log syslog:server=127.0.0.1\" (syslog is not supported)"_s};
    QTest::newRow("access_log with variables")
        << inServer("access_log /var/log/$host.log;")
        << QStringList{u"t.conf:2: ignoring \"access_log /var/log/$host.log\" (variables in log file names are "
                       u"not supported)"_s};
    QTest::newRow("skipping gzip changes responses")
        << QByteArray("gzip on;\ngzip_types text/plain;\n")
        << QStringList{u"t.conf:1: ignoring \"gzip\": nginx would compress responses, LB Scope does not"_s,
                       u"t.conf:2: ignoring \"gzip_types\""_s};
    QTest::newRow("switched off, it changes nothing")
        << QByteArray("gzip off;\nexpires off;\nsendfile on;\n")
        << QStringList{u"t.conf:1: ignoring \"gzip\""_s, u"t.conf:2: ignoring \"expires\""_s,
                       u"t.conf:3: ignoring \"sendfile\""_s};
    QTest::newRow("a cache and TLS change responses")
        << inServer("listen 443 ssl;\n    proxy_cache c;")
        << QStringList{u"t.conf:2: ignoring \"ssl\" in \"listen\": nginx would speak TLS on this port, LB Scope "
                       u"does not"_s,
                       u"t.conf:3: ignoring \"proxy_cache\": nginx would cache responses, LB Scope does not"_s};
    QTest::newRow("foreign map") << QByteArray("map $uri $x {\n    default 1;\n}\n")
                                 << QStringList{u"t.conf:1: ignoring \"map\""_s};
    QTest::newRow("low address bits") << inServer(
                                             "allow 10.0.0.1/8;\n    set_real_ip_from ::1/64;\n    deny 1..2.3/24;")
                                      << QStringList{u"t.conf:2: low address bits of 10.0.0.1/8 are meaningless"_s,
                                                     u"t.conf:3: low address bits of ::1/64 are meaningless"_s,
                                                     u"t.conf:4: low address bits of 1..2.3/24 are meaningless"_s};
    QTest::newRow("access and realip are read")
        << inLocation("allow 127.0.0.1;\n        deny all;\n        allow unix:;\n        set_real_ip_from unix:;\n"
                      "        set_real_ip_from localhost;\n        set_real_ip_from fe80::1%1;\n"
                      "        real_ip_header CF-Connecting-IP;\n        real_ip_recursive ON;")
        << QStringList();
    QTest::newRow("real_ip_header proxy_protocol")
        << inServer("real_ip_header proxy_protocol;")
        << QStringList{u"t.conf:2: \"real_ip_header proxy_protocol\" takes no address here: LB Scope does not read "
                       u"the PROXY protocol"_s};
    QTest::newRow("conflicting server name")
        << (inServer("listen 83;\n    server_name a.test;") + inServer("listen 83;\n    server_name A.test b.test;"))
        << QStringList{u"conflicting server name \"a.test\" on 0.0.0.0:83, ignored"_s};
    QTest::newRow("conflicting: .name is also the name")
        << (inServer("listen 83;\n    server_name .a.test a.test;") + inServer("listen 83;\n    server_name *.a.test;"))
        << QStringList{u"conflicting server name \"a.test\" on 0.0.0.0:83, ignored"_s,
                       u"conflicting server name \"*.a.test\" on 0.0.0.0:83, ignored"_s};
    QTest::newRow("two servers without names") << (inServer("listen 83;") + inServer("listen 83;"))
                                               << QStringList{u"conflicting server name \"\" on 0.0.0.0:83, ignored"_s};
    QTest::newRow("one server: no name table, no check")
        << inServer("listen 83;\n    server_name *.ex*ample.com;") << QStringList();
    QTest::newRow("server name with a slash")
        << inServer("server_name a/b;") << QStringList{u"t.conf:2: server name \"a/b\" has suspicious symbols"_s};
    QTest::newRow("LB Scope's own map is silent")
        << QByteArray("map $host $lbscope_decision {\n    default \"-\";\n}\n") << QStringList();
}

void TestConfigReader::warnings()
{
    QFETCH(QByteArray, text);
    const ConfigReadResult result = read(text);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QTEST(messages(result.warnings), "expected");
    for (const ConfigMessage &warning : result.warnings) {
        QCOMPARE(warning.severity, ConfigMessage::Severity::Warning);
        QCOMPARE(warning.changesResponses, warning.text.endsWith(u", LB Scope does not"_s));
    }
}

void TestConfigReader::resolveSettings_data()
{
    QTest::addColumn<QByteArray>("http");
    QTest::addColumn<QByteArray>("server");
    QTest::addColumn<QByteArray>("location");
    QTest::addColumn<QByteArrayList>("proxyHeaders");
    QTest::addColumn<QByteArrayList>("addHeaders");
    QTest::addColumn<qint64>("readTimeoutMs");
    QTest::addColumn<int>("httpMinor");
    QTest::addColumn<quint32>("nextUpstream");

    const quint32 defaultNext = NextUpstreamError | NextUpstreamTimeout;
    QTest::newRow("defaults") << QByteArray() << QByteArray() << QByteArray() << QByteArrayList() << QByteArrayList()
                              << qint64(60'000) << 0 << defaultNext;
    QTest::newRow("http only") << QByteArray("proxy_set_header A a; add_header B b; proxy_read_timeout 5s;")
                               << QByteArray() << QByteArray() << QByteArrayList{"A"} << QByteArrayList{"B"}
                               << qint64(5000) << 0 << defaultNext;
    QTest::newRow("server list replaces http list")
        << QByteArray("proxy_set_header A a; proxy_set_header A2 a;") << QByteArray("proxy_set_header B b;")
        << QByteArray() << QByteArrayList{"B"} << QByteArrayList() << qint64(60'000) << 0 << defaultNext;
    QTest::newRow("location list replaces all")
        << QByteArray("proxy_set_header A a;") << QByteArray("proxy_set_header B b;")
        << QByteArray("proxy_set_header C c; proxy_set_header D d;") << QByteArrayList{"C", "D"} << QByteArrayList()
        << qint64(60'000) << 0 << defaultNext;
    QTest::newRow("lists inherit separately")
        << QByteArray("proxy_set_header A a;") << QByteArray() << QByteArray("add_header C c;") << QByteArrayList{"A"}
        << QByteArrayList{"C"} << qint64(60'000) << 0 << defaultNext;
    QTest::newRow("innermost scalar wins")
        << QByteArray("proxy_read_timeout 1s; proxy_http_version 1.1;")
        << QByteArray("proxy_read_timeout 2s; proxy_http_version 1.0;") << QByteArray("proxy_read_timeout 3s;")
        << QByteArrayList() << QByteArrayList() << qint64(3000) << 0 << defaultNext;
    QTest::newRow("server scalar over http")
        << QByteArray("proxy_read_timeout 1s;") << QByteArray("proxy_read_timeout 2s;") << QByteArray()
        << QByteArrayList() << QByteArrayList() << qint64(2000) << 0 << defaultNext;
    QTest::newRow("next upstream replaced")
        << QByteArray("proxy_next_upstream http_502;") << QByteArray()
        << QByteArray("proxy_next_upstream error http_504;") << QByteArrayList() << QByteArrayList() << qint64(60'000)
        << 0 << quint32(NextUpstreamError | NextUpstreamHttp504);
    QTest::newRow("next upstream off wins")
        << QByteArray() << QByteArray("proxy_http_version 1.1;") << QByteArray("proxy_next_upstream off error;")
        << QByteArrayList() << QByteArrayList() << qint64(60'000) << 1 << quint32(NextUpstreamOff);
}

void TestConfigReader::resolveSettings()
{
    QFETCH(QByteArray, http);
    QFETCH(QByteArray, server);
    QFETCH(QByteArray, location);
    const ConfigReadResult result =
        read("http {\n" + http + "\nserver {\n" + server + "\nlocation / {\n" + location + "\n}\n}\n}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    const ServerConfig &serverConfig = config.servers.front();
    const ResolvedLocation resolved =
        lbscope::resolveSettings(config.settings, serverConfig.settings, &serverConfig.locations.front().settings);
    QTEST(names(resolved.proxySetHeaders), "proxyHeaders");
    QTEST(names(resolved.addHeaders), "addHeaders");
    QTEST(resolved.proxyReadTimeoutMs, "readTimeoutMs");
    QTEST(resolved.proxyHttpVersionMinor, "httpMinor");
    QTEST(resolved.proxyNextUpstream, "nextUpstream");
    QCOMPARE(resolved.proxyConnectTimeoutMs, qint64(60'000));
    QCOMPARE(resolved.clientMaxBodySize, qint64(1024 * 1024));
    QCOMPARE(resolved.keepaliveTimeoutMs, qint64(75'000));
}

void TestConfigReader::resolveServerLevel()
{
    // No location (a request no location matches): http and server levels only.
    const ConfigReadResult result = read("http {\nclient_header_timeout 5s; keepalive_requests 7;\n"
                                         "server {\nclient_header_timeout 10s;\n}\n}\n");
    QVERIFY(result.ok());
    const ResolvedLocation resolved =
        lbscope::resolveSettings(result.config->settings, result.config->servers.front().settings, nullptr);
    QCOMPARE(resolved.clientHeaderTimeoutMs, qint64(10'000));
    QCOMPARE(resolved.keepaliveRequests, 7);
    QCOMPARE(resolved.proxyBufferSize, qint64(4096));
}

// allow/deny and set_real_ip_from come whole from the innermost level with any (nginx's merge of
// the access and realip modules); real_ip_header and real_ip_recursive are merged one by one.
void TestConfigReader::resolveClientRules()
{
    const ConfigReadResult result = read(R"(http {
    set_real_ip_from 10.0.0.0/8;
    real_ip_header X-Forwarded-For;
    allow 127.0.0.1;
    deny all;
    server {
        real_ip_recursive on;
        location /a {
        }
        location /b {
            deny 127.0.0.2;
            set_real_ip_from 127.0.0.1;
            set_real_ip_from unix:;
            real_ip_header X-Real-IP;
        }
    }
    server {
        allow all;
    }
}
)");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    QCOMPARE(config.settings.accessRules->size(), 2);
    QCOMPARE(config.settings.accessRules->at(0), (AccessRule{false, u"127.0.0.1"_s, at(4, 5)}));
    QCOMPARE(config.settings.accessRules->at(1), (AccessRule{true, u"all"_s, at(5, 5)}));

    const ServerConfig &first = config.servers[0];
    const ResolvedLocation a = lbscope::resolveSettings(config.settings, first.settings, &first.locations[0].settings);
    QCOMPARE(a.accessRules, *config.settings.accessRules);
    QCOMPARE(a.setRealIpFrom, (QList<RealIpSource>{{u"10.0.0.0/8"_s, at(2, 5)}}));
    QCOMPARE(a.realIpHeader, u"X-Forwarded-For"_s);
    QVERIFY(a.realIpRecursive);

    const ResolvedLocation b = lbscope::resolveSettings(config.settings, first.settings, &first.locations[1].settings);
    QCOMPARE(b.accessRules, (QList<AccessRule>{{true, u"127.0.0.2"_s, at(11, 13)}}));
    QCOMPARE(b.setRealIpFrom, (QList<RealIpSource>{{u"127.0.0.1"_s, at(12, 13)}, {u"unix:"_s, at(13, 13)}}));
    QCOMPARE(b.realIpHeader, u"X-Real-IP"_s);
    QVERIFY(b.realIpRecursive);

    const ResolvedLocation second = lbscope::resolveSettings(config.settings, config.servers[1].settings, nullptr);
    QCOMPARE(second.accessRules, (QList<AccessRule>{{false, u"all"_s, at(18, 9)}}));
    QCOMPARE(second.realIpHeader, u"X-Forwarded-For"_s);
    QVERIFY(!second.realIpRecursive);

    // nginx's defaults: nobody trusted, X-Real-IP, not recursive, everyone let in.
    const ResolvedLocation none = lbscope::resolveSettings({}, {}, nullptr);
    QVERIFY(none.accessRules.isEmpty());
    QVERIFY(none.setRealIpFrom.isEmpty());
    QCOMPARE(none.realIpHeader, u"X-Real-IP"_s);
    QVERIFY(!none.realIpRecursive);
}

void TestConfigReader::logFormats_data()
{
    QTest::addColumn<QByteArray>("directive");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("escape");
    QTest::addColumn<QString>("format");

    QTest::newRow("one string") << QByteArray("log_format a '$status';") << u"a"_s << u"default"_s << u"$status"_s;
    QTest::newRow("strings concatenated") << QByteArray("log_format a '$remote_addr ' \"[$time_local]\"\n    $status;")
                                          << u"a"_s << u"default"_s << u"$remote_addr [$time_local]$status"_s;
    QTest::newRow("escape default") << QByteArray("log_format a escape=default x;") << u"a"_s << u"default"_s << u"x"_s;
    QTest::newRow("escape json") << QByteArray("log_format j escape=json '{\"s\":$status}';") << u"j"_s << u"json"_s
                                 << u"{\"s\":$status}"_s;
    QTest::newRow("escape none") << QByteArray("log_format n escape=none $request;") << u"n"_s << u"none"_s
                                 << u"$request"_s;
    QTest::newRow("escape alone") << QByteArray("log_format e escape=json;") << u"e"_s << u"json"_s << QString();
    QTest::newRow("braced variable") << QByteArray("log_format b '${status}x';") << u"b"_s << u"default"_s
                                     << u"${status}x"_s;
    QTest::newRow("variable case") << QByteArray("log_format u $STATUS;") << u"u"_s << u"default"_s << u"$STATUS"_s;
    QTest::newRow("LB Scope's variable") << QByteArray("log_format d $lbscope_decision;") << u"d"_s << u"default"_s
                                         << u"$lbscope_decision"_s;
    QTest::newRow("in http") << QByteArray("http {\nlog_format h \"$msec\";\n}") << u"h"_s << u"default"_s
                             << u"$msec"_s;
}

void TestConfigReader::logFormats()
{
    QFETCH(QByteArray, directive);
    const ConfigReadResult result = read(directive);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QVERIFY(result.warnings.isEmpty());
    QCOMPARE(result.config->logFormats.size(), 1);
    const LogFormat &format = result.config->logFormats.front();
    QTEST(format.name, "name");
    QTEST(format.escape, "escape");
    QTEST(format.format, "format");
    QCOMPARE(format.source.line, directive.startsWith("http") ? 2 : 1);
    QCOMPARE(result.config->findLogFormat(format.name.toUpper()), &format);
    QCOMPARE(result.config->findLogFormat(u"COMBINED"), &combinedLogFormat());
    QVERIFY(!result.config->findLogFormat(u"other"));
}

void TestConfigReader::accessLogLevels()
{
    const ConfigReadResult result = read(R"(http {
    log_format main '$status';
    access_log /var/log/a.log;
    access_log /var/log/b.log MAIN;
    server {
        access_log off;
        location / {
            access_log relative.log main;
        }
        location /quiet/ {
        }
    }
}
)");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    const QList<AccessLogDirective> http = {
        {u"/var/log/a.log"_s, u"combined"_s, false, at(3, 5)},
        {u"/var/log/b.log"_s, u"MAIN"_s, false, at(4, 5)},
    };
    QCOMPARE(config.settings.accessLogs, std::optional(http));
    const ServerConfig &server = config.servers.front();
    AccessLogDirective off;
    off.off = true;
    off.source = at(6, 9);
    QCOMPARE(server.settings.accessLogs, std::optional(QList<AccessLogDirective>{off}));
    const QList<AccessLogDirective> location = {{u"relative.log"_s, u"main"_s, false, at(8, 13)}};
    QCOMPARE(server.locations.at(0).settings.accessLogs, std::optional(location));
    QVERIFY(!server.locations.at(1).settings.accessLogs);
}

void TestConfigReader::resolveAccessLogs_data()
{
    QTest::addColumn<QByteArray>("http");
    QTest::addColumn<QByteArray>("server");
    QTest::addColumn<QByteArray>("location");
    QTest::addColumn<QStringList>("expected"); // "path format"

    QTest::newRow("none") << QByteArray() << QByteArray() << QByteArray() << QStringList();
    QTest::newRow("http only") << QByteArray("access_log /a; access_log /b f;") << QByteArray() << QByteArray()
                               << QStringList{u"/a combined"_s, u"/b f"_s};
    QTest::newRow("server replaces http")
        << QByteArray("access_log /a;") << QByteArray("access_log /s f;") << QByteArray() << QStringList{u"/s f"_s};
    QTest::newRow("location replaces all") << QByteArray("access_log /a;") << QByteArray("access_log /s;")
                                           << QByteArray("access_log /l f;") << QStringList{u"/l f"_s};
    QTest::newRow("off in server") << QByteArray("access_log /a;") << QByteArray("access_log off;") << QByteArray()
                                   << QStringList();
    QTest::newRow("location under off") << QByteArray("access_log /a;") << QByteArray("access_log off;")
                                        << QByteArray("access_log /l;") << QStringList{u"/l combined"_s};
    QTest::newRow("off wins at its level")
        << QByteArray() << QByteArray() << QByteArray("access_log /l; access_log off; access_log /m;") << QStringList();
}

void TestConfigReader::resolveAccessLogs()
{
    QFETCH(QByteArray, http);
    QFETCH(QByteArray, server);
    QFETCH(QByteArray, location);
    const ConfigReadResult result = read("http {\nlog_format f $status;\n" + http + "\nserver {\n" + server +
                                         "\nlocation / {\n" + location + "\n}\n}\n}\n");
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    const ServerConfig &serverConfig = config.servers.front();
    const ResolvedLocation resolved =
        lbscope::resolveSettings(config.settings, serverConfig.settings, &serverConfig.locations.front().settings);
    QStringList logs;
    for (const AccessLogDirective &log : resolved.accessLogs)
        logs.append(log.path + u' ' + log.formatName);
    QTEST(logs, "expected");
}

void TestConfigReader::statusListen_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("line");

    QTest::newRow("top level") << QByteArray("lbscope_status 127.0.0.1:9090;") << u"127.0.0.1"_s << 9090 << 1;
    QTest::newRow("in http") << QByteArray("http {\n    lbscope_status [::1]:9091;\n}") << u"::1"_s << 9091 << 2;
    QTest::newRow("port only") << QByteArray("lbscope_status 9092;") << QString() << 9092 << 1;
}

void TestConfigReader::statusListen()
{
    QFETCH(QByteArray, text);
    const ConfigReadResult result = read(text);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    QVERIFY(result.warnings.isEmpty());
    QVERIFY(result.config->statusListen);
    const ListenAddress &listen = *result.config->statusListen;
    QTEST(listen.host, "host");
    QTEST(int(listen.port), "port");
    QTEST(listen.source.line, "line");
    QVERIFY(!read("http {}").config->statusListen);
}

void TestConfigReader::readFileErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(u"missing.conf"_s);
    const ConfigReadResult result = ConfigReader::readFile(missing);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->toString(), u"open() \"%1\" failed (2: No such file or directory)"_s.arg(missing));

    const ConfigReadResult broken = ConfigReader::readText("upstream u {\n", dir.filePath(u"a.conf"_s));
    QVERIFY(!broken.ok());
    QVERIFY(broken.error->toString().startsWith(dir.filePath(u"a.conf:2:1: "_s)));
}

// include: paths from the main file's folder, masks in sorted order, every context, errors
// at the include's line or in the included file.
void TestConfigReader::includes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString base = dir.path() + u'/';
    const auto write = [&](const QString &name, const QByteArray &text) {
        QDir().mkpath(QFileInfo(base + name).absolutePath());
        QFile file(base + name);
        return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
    };
    QVERIFY(write(u"up/b.conf"_s, "upstream b {\n    server 127.0.0.1:2;\n}\n"));
    QVERIFY(write(u"up/a.conf"_s, "upstream a {\n    server 127.0.0.1:1;\n}\n"));
    QVERIFY(write(u"servers.inc"_s, "server 127.0.0.1:3;\n"));
    QVERIFY(write(u"names.inc"_s, "server_name inc.test;\n"));
    QVERIFY(write(u"location.inc"_s, "proxy_set_header X-Inc 1;\n"));
    QVERIFY(write(u"nginx.conf"_s, "events {\n}\nhttp {\n    include up/*.conf;\n    include none/*.conf;\n"
                                   "    upstream c {\n        include servers.inc;\n    }\n"
                                   "    server {\n        include names.inc;\n        location / {\n"
                                   "            include location.inc;\n            proxy_pass http://a;\n"
                                   "        }\n    }\n}\n"));
    const ConfigReadResult result = ConfigReader::readFile(base + u"nginx.conf"_s);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
    const ProxyConfig &config = *result.config;
    QCOMPARE(config.upstreams.size(), 3);
    QCOMPARE(config.upstreams.at(0).name, u"a"_s); // glob(3)'s order, not the directory's
    QCOMPARE(config.upstreams.at(0).source, (SourceLocation{base + u"up/a.conf"_s, 1, 1}));
    QCOMPARE(config.upstreams.at(1).name, u"b"_s);
    QCOMPARE(config.upstreams.at(2).servers.front().address, u"127.0.0.1:3"_s);
    QCOMPARE(config.servers.front().serverNames, QStringList{u"inc.test"_s});
    QCOMPARE(config.servers.front().locations.front().settings.proxySetHeaders->front().name, QByteArray("X-Inc"));
    QStringList dumped;
    for (const ConfigFileText &file : result.files)
        dumped.append(file.path.mid(base.size()));
    QCOMPARE(dumped, (QStringList{u"nginx.conf"_s, u"up/a.conf"_s, u"up/b.conf"_s, u"servers.inc"_s, u"names.inc"_s,
                                  u"location.inc"_s}));

    QVERIFY(write(u"missing.conf"_s, "events {\n}\nhttp {\n    include nowhere.conf;\n}\n"));
    const ConfigReadResult missing = ConfigReader::readFile(base + u"missing.conf"_s);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error->toString(), u"%1missing.conf:4:13: open() \"%1nowhere.conf\" failed (2: No such file or "
                                        u"directory)"_s.arg(base));
    QVERIFY(write(u"bad.inc"_s, "server {\n    listen 99999;\n}\n"));
    QVERIFY(write(u"bad.conf"_s, "events {\n}\nhttp {\n    include bad.inc;\n}\n"));
    const ConfigReadResult bad = ConfigReader::readFile(base + u"bad.conf"_s);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error->toString(),
             u"%1bad.inc:2:12: invalid port in \"99999\" of the \"listen\" directive"_s.arg(base));
    QVERIFY(write(u"brace.inc"_s, "gzip off;\n}\n"));
    QVERIFY(write(u"brace.conf"_s, "events {\n}\nhttp {\n    include brace.inc;\n}\n"));
    const ConfigReadResult brace = ConfigReader::readFile(base + u"brace.conf"_s);
    QVERIFY(!brace.ok());
    QCOMPARE(brace.error->toString(), u"%1brace.inc:2:1: unexpected \"}\""_s.arg(base));
    QVERIFY(write(u"loop.inc"_s, "include loop.inc;\n"));
    QVERIFY(write(u"loop.conf"_s, "events {\n}\nhttp {\n    include loop.inc;\n}\n"));
    const ConfigReadResult loop = ConfigReader::readFile(base + u"loop.conf"_s);
    QVERIFY(!loop.ok());
    QCOMPARE(loop.error->toString(), u"%1loop.inc:1:9: include of \"%1loop.inc\" nested more than 32 deep: does a "
                                     u"file include itself?"_s.arg(base));
}

void TestConfigReader::parseTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");      // -1: nginx rejects it
    QTest::addColumn<qint64>("seconds"); // the same text where nginx counts seconds

    QTest::newRow("bare") << u"10"_s << qint64(10'000) << qint64(10);
    QTest::newRow("s") << u"10s"_s << qint64(10'000) << qint64(10);
    QTest::newRow("ms") << u"500ms"_s << qint64(500) << qint64(-1);
    QTest::newRow("m") << u"1m"_s << qint64(60'000) << qint64(60);
    QTest::newRow("h") << u"1h"_s << qint64(3'600'000) << qint64(3600);
    QTest::newRow("d") << u"1d"_s << qint64(86'400'000) << qint64(86'400);
    QTest::newRow("w") << u"1w"_s << qint64(604'800'000) << qint64(604'800);
    QTest::newRow("M") << u"1M"_s << qint64(-1) << qint64(2'592'000);
    QTest::newRow("y") << u"1y"_s << qint64(-1) << qint64(31'536'000);
    QTest::newRow("m s") << u"1m30s"_s << qint64(90'000) << qint64(90);
    QTest::newRow("m bare") << u"1m30"_s << qint64(90'000) << qint64(90);
    QTest::newRow("s ms") << u"1s500ms"_s << qint64(1500) << qint64(-1);
    QTest::newRow("ms then bare seconds") << u"1ms500"_s << qint64(500'001) << qint64(-1);
    QTest::newRow("spaces") << u"1h 30m"_s << qint64(5'400'000) << qint64(5400);
    QTest::newRow("two spaces") << u"1h  30m"_s << qint64(5'400'000) << qint64(5400);
    QTest::newRow("trailing space") << u"1h "_s << qint64(3'600'000) << qint64(3600);
    QTest::newRow("bare bare") << u"1 2"_s << qint64(3000) << qint64(3);
    QTest::newRow("zero") << u"0"_s << qint64(0) << qint64(0);
    QTest::newRow("leading zeros") << u"00010s"_s << qint64(10'000) << qint64(10);
    QTest::newRow("largest") << u"9223372036854775"_s << qint64(9'223'372'036'854'775'000)
                             << qint64(9'223'372'036'854'775);
    QTest::newRow("too large") << u"9223372036854776"_s << qint64(-1) << qint64(9'223'372'036'854'776);
    QTest::newRow("leading space") << u" 1h"_s << qint64(-1) << qint64(-1);
    QTest::newRow("space before unit") << u"1 h"_s << qint64(-1) << qint64(-1);
    QTest::newRow("wrong order") << u"30s1m"_s << qint64(-1) << qint64(-1);
    QTest::newRow("unit twice") << u"1h1h"_s << qint64(-1) << qint64(-1);
    QTest::newRow("upper S") << u"1S"_s << qint64(-1) << qint64(-1);
    QTest::newRow("unit alone") << u"ms"_s << qint64(-1) << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1) << qint64(-1);
    QTest::newRow("fraction") << u"1.5s"_s << qint64(-1) << qint64(-1);
    QTest::newRow("word") << u"10sec"_s << qint64(-1) << qint64(-1);
    QTest::newRow("negative") << u"-1"_s << qint64(-1) << qint64(-1);
    QTest::newRow("tab") << u"1h\t30m"_s << qint64(-1) << qint64(-1);
    QTest::newRow("mm") << u"1mm"_s << qint64(-1) << qint64(-1);
}

void TestConfigReader::parseTime()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QFETCH(qint64, seconds);
    QCOMPARE(nginx::parseTimeMs(text).value_or(-1), ms);
    QCOMPARE(nginx::parseTimeSeconds(text).value_or(-1), seconds);
}

void TestConfigReader::parseSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("offset"); // k, m, g
    QTest::addColumn<qint64>("size");   // k, m

    QTest::newRow("bytes") << u"1024"_s << qint64(1024) << qint64(1024);
    QTest::newRow("k") << u"8k"_s << qint64(8192) << qint64(8192);
    QTest::newRow("K") << u"8K"_s << qint64(8192) << qint64(8192);
    QTest::newRow("m") << u"1m"_s << qint64(1 << 20) << qint64(1 << 20);
    QTest::newRow("M") << u"2M"_s << qint64(2 << 20) << qint64(2 << 20);
    QTest::newRow("g") << u"1g"_s << qint64(1 << 30) << qint64(-1);
    QTest::newRow("G") << u"1G"_s << qint64(1 << 30) << qint64(-1);
    QTest::newRow("zero") << u"0"_s << qint64(0) << qint64(0);
    QTest::newRow("largest") << u"9223372036854775807"_s << std::numeric_limits<qint64>::max()
                             << std::numeric_limits<qint64>::max();
    QTest::newRow("overflow") << u"9223372036854775807k"_s << qint64(-1) << qint64(-1);
    QTest::newRow("kb") << u"1kb"_s << qint64(-1) << qint64(-1);
    QTest::newRow("fraction") << u"1.5k"_s << qint64(-1) << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1) << qint64(-1);
    QTest::newRow("unit alone") << u"k"_s << qint64(-1) << qint64(-1);
    QTest::newRow("t") << u"1t"_s << qint64(-1) << qint64(-1);
    QTest::newRow("negative") << u"-1"_s << qint64(-1) << qint64(-1);
}

void TestConfigReader::parseSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, offset);
    QFETCH(qint64, size);
    QCOMPARE(nginx::parseSize(text, nginx::SizeUnits::UpToGiga).value_or(-1), offset);
    QCOMPARE(nginx::parseSize(text, nginx::SizeUnits::UpToMega).value_or(-1), size);
}

void TestConfigReader::splitHostPort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("hasPort");
    QTest::addColumn<bool>("isUnix");
    QTest::addColumn<nginx::AddressError>("error");

    using E = nginx::AddressError;
    QTest::newRow("host") << u"localhost"_s << true << u"localhost"_s << 0 << false << false << E::None;
    QTest::newRow("host port") << u"localhost:8080"_s << true << u"localhost"_s << 8080 << true << false << E::None;
    QTest::newRow("ipv4 port") << u"10.0.0.1:65535"_s << true << u"10.0.0.1"_s << 65535 << true << false << E::None;
    QTest::newRow("ipv6") << u"[::1]"_s << true << u"::1"_s << 0 << false << false << E::None;
    QTest::newRow("ipv6 port") << u"[fe80::1]:81"_s << true << u"fe80::1"_s << 81 << true << false << E::None;
    QTest::newRow("unix") << u"unix:/run/app.sock"_s << true << u"/run/app.sock"_s << 0 << false << true << E::None;
    QTest::newRow("empty") << QString() << false << QString() << 0 << false << false << E::NoHost;
    QTest::newRow("port only") << u":80"_s << false << QString() << 0 << false << false << E::NoHost;
    QTest::newRow("unix empty") << u"unix:"_s << false << QString() << 0 << false << false << E::NoHost;
    QTest::newRow("slash") << u"a/b"_s << false << QString() << 0 << false << false << E::InvalidHost;
    QTest::newRow("unclosed") << u"[::1"_s << false << QString() << 0 << false << false << E::InvalidHost;
    QTest::newRow("after bracket") << u"[::1]x"_s << false << QString() << 0 << false << false << E::InvalidHost;
    QTest::newRow("bad ipv6") << u"[zz]"_s << false << QString() << 0 << false << false << E::InvalidIpv6;
    QTest::newRow("zero port") << u"a:0"_s << false << QString() << 0 << false << false << E::InvalidPort;
    QTest::newRow("big port") << u"a:65536"_s << false << QString() << 0 << false << false << E::InvalidPort;
    QTest::newRow("empty port") << u"a:"_s << false << QString() << 0 << false << false << E::InvalidPort;
    QTest::newRow("two colons") << u"a:1:2"_s << false << QString() << 0 << false << false << E::InvalidPort;
    QTest::newRow("bare ipv6") << u"::1"_s << false << QString() << 0 << false << false << E::NoHost;
}

void TestConfigReader::splitHostPort()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    nginx::AddressError error = nginx::AddressError::None;
    const std::optional<nginx::HostPort> result = nginx::splitHostPort(text, &error);
    QCOMPARE(result.has_value(), ok);
    QTEST(error, "error");
    if (!ok)
        return;
    QTEST(result->host, "host");
    QTEST(int(result->port), "port");
    QTEST(result->hasPort, "hasPort");
    QTEST(result->isUnix, "isUnix");
}

// error_log FILE [LEVEL...], checked as nginx 1.22 checks it (tst_nginxcommandline asks nginx).
void TestConfigReader::errorLogs_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::addColumn<int>("level");     // of the last main-level error_log
    QTest::addColumn<QStringList>("warnings");

    QTest::newRow("default level") << QByteArray("error_log logs/e.log;") << QString() << int(ErrorLogLevel::Error)
                                   << QStringList();
    QTest::newRow("notice") << QByteArray("error_log logs/e.log notice;") << QString() << int(ErrorLogLevel::Notice)
                            << QStringList();
    QTest::newRow("stderr debug") << QByteArray("error_log stderr debug;") << QString() << int(ErrorLogLevel::Debug)
                                  << QStringList();
    QTest::newRow("debug masks") << QByteArray("error_log e.log debug_http debug_core;") << QString()
                                 << int(ErrorLogLevel::Debug) << QStringList();
    QTest::newRow("two levels") << QByteArray("error_log e.log warn info;")
                                << u"t.conf:1:22: duplicate log level \"info\""_s << 0 << QStringList();
    QTest::newRow("mask after level") << QByteArray("error_log e.log warn debug_http;")
                                      << u"t.conf:1:22: invalid log level \"debug_http\""_s << 0 << QStringList();
    QTest::newRow("level after mask") << QByteArray("error_log e.log debug_http warn;")
                                      << u"t.conf:1:28: duplicate log level \"warn\""_s << 0 << QStringList();
    QTest::newRow("unknown level") << QByteArray("error_log e.log loud;")
                                   << u"t.conf:1:17: invalid log level \"loud\""_s << 0 << QStringList();
    QTest::newRow("no file") << QByteArray("error_log;")
                             << u"t.conf:1:1: invalid number of arguments in \"error_log\" directive"_s << 0
                             << QStringList();
    QTest::newRow("syslog") << QByteArray("error_log syslog:server=127.0.0.1 warn;") << QString() << 0
                            << QStringList{u"t.conf:1: ignoring \"error_log syslog:server=127.0.0.1 warn\" (only files "
                                           u"and stderr are supported)"_s};
    QTest::newRow("in http") << QByteArray("http {\n    error_log logs/h.log info;\n}") << QString() << 0
                             << QStringList{u"t.conf:2: ignoring \"error_log logs/h.log info\" (only the main level's "
                                            u"error_log is written)"_s};
}

void TestConfigReader::errorLogs()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QFETCH(int, level);
    QFETCH(QStringList, warnings);
    const ConfigReadResult result = read(text);
    if (!error.isEmpty()) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error->toString(), error);
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.error->toString()));
    QCOMPARE(messages(result.warnings), warnings);
    if (level == 0) {
        QVERIFY(result.config->errorLogs.isEmpty());
        return;
    }
    QCOMPARE(result.config->errorLogs.size(), 1);
    QCOMPARE(int(result.config->errorLogs.front().level), level);
    QCOMPARE(result.config->errorLogs.front().source, at(1, 1));
}

void TestConfigReader::pidAndMainFlags_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QStringList>("warnings");

    QTest::newRow("pid") << QByteArray("pid logs/nginx.pid;") << QString() << QStringList();
    QTest::newRow("pid twice") << QByteArray("pid a.pid;\npid b.pid;")
                               << u"t.conf:2:1: \"pid\" directive is duplicate"_s << QStringList();
    QTest::newRow("pid in http") << QByteArray("http {\n    pid a.pid;\n}")
                                 << u"t.conf:2:5: \"pid\" directive is not allowed here"_s << QStringList();
    QTest::newRow("daemon off") << QByteArray("daemon off;\nmaster_process on;") << QString() << QStringList();
    QTest::newRow("daemon on") << QByteArray("daemon on;") << QString()
                               << QStringList{u"t.conf:1: ignoring \"daemon on\" (LB Scope stays in the foreground)"_s};
    QTest::newRow("daemon maybe")
        << QByteArray("daemon maybe;")
        << u"t.conf:1:8: invalid value \"maybe\" in \"daemon\" directive, it must be \"on\" or \"off\""_s
        << QStringList();
}

void TestConfigReader::pidAndMainFlags()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QFETCH(QStringList, warnings);
    const ConfigReadResult result = read(text);
    if (!error.isEmpty()) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error->toString(), error);
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.error->toString()));
    QCOMPARE(messages(result.warnings), warnings);
    if (text.startsWith("pid"))
        QCOMPARE(result.config->pidFile, u"logs/nginx.pid"_s);
}

// nginx -g: read before the file, errors "in command line".
void TestConfigReader::globalDirectives_data()
{
    QTest::addColumn<QString>("directives");
    QTest::addColumn<QString>("error");

    QTest::newRow("worker_processes") << u"worker_processes 3;"_s << QString();
    QTest::newRow("two") << u"pid x.pid; error_log stderr notice;"_s << QString();
    QTest::newRow("no semicolon") << u"worker_processes 3"_s
                                  << u"unexpected end of parameter, expecting \";\" in command line"_s;
    QTest::newRow("block") << u"events {}"_s << u"block directives are not supported in -g option in command line"_s;
    QTest::newRow("not main") << u"listen 80;"_s << u"\"listen\" directive is not allowed here in command line"_s;
    QTest::newRow("then the file's duplicate") << u"worker_processes 3; worker_processes 2;"_s
                                               << u"\"worker_processes\" directive is duplicate in command line"_s;
    QTest::newRow("duplicate in the file") << u"daemon off;"_s << u"t.conf:1:1: \"daemon\" directive is duplicate"_s;
}

void TestConfigReader::globalDirectives()
{
    QFETCH(QString, directives);
    QFETCH(QString, error);
    ConfigReadOptions options;
    options.globalDirectives = directives;
    options.prefix = u"/srv/p/"_s;
    const ConfigReadResult result =
        ConfigReader::readText("daemon off;\nupstream u {\n    server 127.0.0.1:1;\n}\n", fileName, options);
    if (!error.isEmpty()) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error->toString(), error);
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.error->toString()));
    QCOMPARE(result.config->upstreams.size(), 1); // the file was read after them
    QCOMPARE(result.config->prefix, u"/srv/p/"_s);
    if (directives.startsWith(u"worker_processes"_s))
        QCOMPARE(result.config->workerProcesses, 3);
    else
        QCOMPARE(result.config->resolvePath(*result.config->pidFile), u"/srv/p/x.pid"_s);
    QCOMPARE(result.files.size(), 1); // -T dumps the file, not -g
}

QTEST_GUILESS_MAIN(TestConfigReader)
#include "tst_configreader.moc"
