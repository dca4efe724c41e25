// ConfigWriter: the text it writes reads back to the same model, and real nginx accepts it.

#include "config/configreader.h"
#include "config/configwriter.h"
#include "config/nginxvalues.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lbscope;

namespace {

const QByteArray photosExpected = R"(worker_processes 1;

events {}

http {
    upstream photos {
        server 127.0.0.1:3000;
        server 127.0.0.1:3100;
        server 127.0.0.1:3101;
    }

    server {
        listen 127.0.0.1:8080;
        server_name photos.example.com;

        location / {
            proxy_pass http://photos;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            add_header X-Upstream-Addr $upstream_addr;
        }
    }
}
)";

// The proxy module's directives that go beyond choosing a peer, at every level they may stand.
const QByteArray proxyDirectivesConfig = R"(http {
    keepalive_time 30m;
    proxy_redirect off;
    proxy_hide_header X-Secret;
    proxy_ignore_headers X-Accel-Buffering x-accel-expires;
    upstream photos {
        server 127.0.0.1:3000;
        keepalive 8;
        keepalive_time 10m;
    }
    server {
        listen 8080;
        keepalive_time 1h;
        proxy_pass_header Server;
        proxy_pass_request_headers off;
        proxy_redirect http://photos/ /srv/;
        proxy_redirect ~*^http://([a-z]+)\.example/(.*)$ /$1/$2;
        location /photos/ {
            proxy_pass http://photos/;
            proxy_redirect default;
            proxy_redirect http://$host/ "/a b/$uri";
            proxy_pass_request_body off;
            proxy_set_body "uri=$uri&args=$args";
            proxy_method POST;
            proxy_hide_header Location;
            proxy_hide_header X-Other;
            proxy_pass_header Date;
        }
        location /api/ {
            proxy_pass http://127.0.0.1:3001/v2/?x=1;
            proxy_redirect ~^/(.*) /api/$1;
            proxy_pass_request_headers on;
            proxy_method $http_x_method;
        }
        location /var/ {
            proxy_pass http://$http_x_pool$request_uri;
            proxy_redirect off;
        }
    }
}
)";

const QByteArray fullConfig = R"(worker_processes 4;
http {
    log_format main '$remote_addr [$time_local] "$request" $status '
                    '$upstream_addr $upstream_status $request_time "$lbscope_decision"';
    log_format json escape=json '{"uri":"$request_uri","status":$status}';
    log_format raw escape=none $request;
    log_format empty escape=json;
    access_log /tmp/lbscope-test-access.log;
    access_log /tmp/lbscope-test-main.log main;
    proxy_connect_timeout 5s;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    client_max_body_size 10m;
    upstream backend {
        least_conn;
        zone backend 64k;
        server 127.0.0.1:3000 weight=3 max_fails=2 fail_timeout=30s max_conns=100;
        server 127.0.0.1:3001 backup;
        server [::1]:3002 down;
        server localhost;
        keepalive 16;
        keepalive_requests 500;
        keepalive_timeout 30s;
    }
    upstream hashed {
        hash $remote_addr$request_uri consistent;
        server 127.0.0.1:4000;
        server 127.0.0.1:4001 weight=2;
    }
    upstream ips {
        ip_hash;
        server 127.0.0.1:5000;
    }
    upstream rnd {
        random two;
        server 127.0.0.1:6000;
        server 127.0.0.1:6001;
    }
    upstream rnd1 {
        random;
        server 127.0.0.1:6002;
    }
    server {
        listen 8080 default_server;
        listen [::1]:8081;
        server_name example.com *.example.org;
        access_log /tmp/lbscope-test-json.log JSON;
        access_log /tmp/lbscope-test-raw.log raw;
        client_header_timeout 10s;
        keepalive_timeout 30s;
        keepalive_requests 200;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            add_header X-Upstream $upstream_addr always;
            add_header X-Note "hello; {world} # \"quoted\"";
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 10s;
            proxy_read_timeout 1500ms;
            proxy_send_timeout 2m;
            proxy_buffer_size 8k;
            client_body_timeout 1h;
        }
        location /hash/ {
            proxy_pass http://hashed;
            proxy_next_upstream off;
            access_log off;
        }
        location /direct/ {
            proxy_pass http://127.0.0.1:7000;
            access_log "/tmp/lbscope test direct.log" combined;
        }
        location "/with space/" {
            proxy_pass http://rnd1;
        }
    }
    server {
        listen 127.0.0.1:9090;
        location / {
            proxy_pass http://ips;
        }
    }
    server {
        location / {
            proxy_pass http://rnd;
        }
    }
}
)";

// LB Scope's own short form: no http {} around the blocks.
const QByteArray topLevelConfig = R"(upstream a {
    server 10.0.0.1:80;
    server 10.0.0.2:80;
}
server {
    listen 8000;
    location /a/ {
        proxy_pass http://a;
    }
}
)";

// Values nginx accepts in more than one spelling: the writer picks one, the model stays equal.
const QByteArray spellingsConfig = R"(http {
    keepalive_timeout 1m30s;
    client_max_body_size 1024k;
    upstream r {
        random two least_conn;
        server 127.0.0.1:80 fail_timeout=60;
        server localhost:81 weight=1 max_fails=1;
    }
    server {
        listen *:8080 default;
        listen 8081;
        location / {
            proxy_pass HTTP://r;
            proxy_connect_timeout 60;
            proxy_next_upstream http_404 error;
            proxy_next_upstream http_429;
        }
    }
}
)";

// The access and realip modules at every level, in the forms nginx accepts.
const QByteArray clientRulesConfig = R"(http {
    set_real_ip_from 127.0.0.1;
    set_real_ip_from 10.0.0.0/8;
    set_real_ip_from ::1;
    set_real_ip_from 2001:db8::/32;
    set_real_ip_from unix:;
    set_real_ip_from localhost;
    real_ip_header X-Forwarded-For;
    real_ip_recursive on;
    allow 127.0.0.1;
    deny all;
    upstream u {
        server 127.0.0.1:3000;
    }
    server {
        listen 127.0.0.1:8080;
        real_ip_header X-Real-IP;
        allow 192.168.0.0/16;
        allow 2001:db8::/32;
        allow unix:;
        deny 192.168.1.0/24;
        location / {
            proxy_pass http://u;
        }
        location /cdn/ {
            set_real_ip_from 192.168.0.0/16;
            real_ip_header CF-Connecting-IP;
            real_ip_recursive off;
            deny all;
            proxy_pass http://u;
        }
        location /odd/ {
            real_ip_header "X Forwarded; {odd}";
            allow 1..2.3;
            allow 0.0.0.0/0;
            allow ::/0;
            proxy_pass http://u;
        }
    }
}
)";

ProxyConfig read(const QByteArray &text)
{
    const ConfigReadResult result = ConfigReader::readText(text, u"t.conf"_s);
    if (!result.ok())
        qWarning("%s", qPrintable(result.error->toString()));
    return result.config.value_or(ProxyConfig());
}

// For QVERIFY2, which builds its message even when the check passes.
QString describe(const ConfigReadResult &result, const QByteArray &text = QByteArray())
{
    QStringList lines = {result.error ? result.error->toString() : QString()};
    for (const ConfigMessage &warning : result.warnings)
        lines.append(warning.toString());
    return lines.join(u'\n') + u'\n' + QString::fromUtf8(text);
}

void clearSources(std::optional<QList<HeaderDirective>> &headers)
{
    if (!headers)
        return;
    for (HeaderDirective &header : *headers)
        header.source = {};
}

void clearSources(std::optional<QList<AccessLogDirective>> &logs)
{
    if (!logs)
        return;
    for (AccessLogDirective &log : *logs)
        log.source = {};
}

template <typename T> void clearListSources(std::optional<QList<T>> &list)
{
    if (!list)
        return;
    for (T &entry : *list)
        entry.source = {};
}

void clearSources(ProxySettings &settings)
{
    if (settings.proxyRedirects) {
        for (ProxyRedirectRule &rule : settings.proxyRedirects->rules)
            rule.source = {};
    }
    clearListSources(settings.errorPages);
    clearSources(settings.proxySetHeaders);
    clearSources(settings.addHeaders);
    clearSources(settings.accessLogs);
    clearListSources(settings.accessRules);
    clearListSources(settings.setRealIpFrom);
}

// Every access_log of the model, at any level.
QList<std::optional<QList<AccessLogDirective>> *> accessLogLists(ProxyConfig &config)
{
    QList<std::optional<QList<AccessLogDirective>> *> lists = {&config.settings.accessLogs};
    for (ServerConfig &server : config.servers) {
        lists.append(&server.settings.accessLogs);
        for (LocationConfig &location : server.locations)
            lists.append(&location.settings.accessLogs);
    }
    return lists;
}

// nginx -t opens every log file: they go to the test's own folder.
void moveAccessLogs(ProxyConfig &config, const QTemporaryDir &dir)
{
    if (!config.settings.accessLogs)
        config.settings.accessLogs = QList<AccessLogDirective>{{u"access.log"_s, u"combined"_s, false, {}}};
    for (std::optional<QList<AccessLogDirective>> *logs : accessLogLists(config)) {
        if (!*logs)
            continue;
        for (AccessLogDirective &log : **logs) {
            if (!log.off)
                log.path = dir.filePath(QFileInfo(log.path).fileName());
        }
    }
}

// The model without file positions, which differ between the original text and the written one.
void clearSources(QList<RewriteStatement> &statements)
{
    for (RewriteStatement &statement : statements) {
        statement.source = {};
        clearSources(statement.body);
    }
}

void clearSources(QList<LocationConfig> &locations)
{
    for (LocationConfig &location : locations) {
        location.source = {};
        clearSources(location.settings);
        clearSources(location.rewrites);
        clearSources(location.locations);
    }
}

ProxyConfig withoutSources(ProxyConfig config)
{
    config.sourceFile.clear();
    clearSources(config.settings);
    for (LogFormat &format : config.logFormats)
        format.source = {};
    if (config.statusListen)
        config.statusListen->source = {};
    for (UpstreamConfig &upstream : config.upstreams) {
        upstream.source = {};
        for (UpstreamServer &server : upstream.servers)
            server.source = {};
    }
    for (ServerConfig &server : config.servers) {
        server.source = {};
        clearSources(server.settings);
        clearSources(server.rewrites);
        for (ListenAddress &listen : server.listens)
            listen.source = {};
        clearSources(server.locations);
    }
    return config;
}

// Every form of location: modifiers as their own word and glued to the URI, named ones,
// nested ones three deep with settings at each level, regular expressions that need quotes.
const QByteArray locationsConfig = R"conf(
upstream app { server 127.0.0.1:3000; }
server {
    listen 8080;
    location = /exact { proxy_pass http://app; }
    location =/glued { proxy_pass http://app; }
    location = "" { return 204; }
    location ^~ /static/ { proxy_pass http://app; }
    location ~ \.php$ { proxy_pass http://app; }
    location ~* "\.(JPG|png) x$" { proxy_pass http://app; }
    location ~*/glued/ { return 200; }
    location @fallback { proxy_pass http://app; proxy_set_header X-Named yes; }
    location /outer/ {
        proxy_set_header X-Level outer;
        error_page 502 @fallback;
        location /outer/inner/ {
            proxy_read_timeout 5s;
            location = /outer/inner/x { proxy_pass http://app; }
            location ~ ^/outer/inner/(?<rest>.*)$ { proxy_pass http://app/$rest; }
        }
        location ~ \.in$ { proxy_pass http://app; }
    }
}
)conf";

// A model as the GUI would build it: every field away from its default.
ProxyConfig builtModel()
{
    ProxyConfig config;
    config.workerProcesses = 3;
    config.settings.proxyReadTimeoutMs = 1500;
    config.logFormats = {
        {u"quoted"_s, u"default"_s, u"\"$request\" 'single' \\ $status;{}#"_s, {}},
        {u"looks like escape"_s, u"default"_s, u"escape=json $status"_s, {}},
        {u"decisions"_s, u"json"_s, u"{\"d\":\"${lbscope_decision}\"}"_s, {}},
        {u"nothing"_s, u"none"_s, QString(), {}},
    };
    config.settings.accessLogs = QList<AccessLogDirective>{
        {u"/tmp/lbscope-test-access.log"_s, u"combined"_s, false, {}},
        {u"/tmp/lbscope-test-quoted.log"_s, u"quoted"_s, false, {}},
    };
    config.settings.clientMaxBodySize = 2LL * 1024 * 1024 * 1024;
    config.settings.setRealIpFrom = QList<RealIpSource>{{u"172.16.0.0/12"_s, {}}, {u"::1"_s, {}}};
    config.settings.realIpHeader = u"X-Forwarded-For"_s;
    config.settings.realIpRecursive = false;

    UpstreamConfig pool;
    pool.name = u"pool"_s;
    pool.method = BalancingMethod::Hash;
    pool.hashKey = u"$request_uri"_s;
    pool.hashConsistent = true;
    pool.keepalive = 8;
    pool.keepaliveRequests = 100;
    pool.keepaliveTimeoutMs = 5000;
    pool.zoneName = u"pool"_s;
    pool.zoneSize = u"1m"_s;
    UpstreamServer first;
    first.address = u"127.0.0.1:3000"_s;
    first.host = u"127.0.0.1"_s;
    first.port = 3000;
    first.weight = 2;
    first.maxFails = 0;
    first.failTimeoutMs = 30'000;
    first.maxConns = 5;
    first.down = true;
    UpstreamServer second;
    second.address = u"localhost"_s;
    second.host = u"localhost"_s;
    pool.servers = {first, second};
    config.upstreams = {pool};

    ServerConfig server;
    ListenAddress listen;
    listen.text = u"8080"_s;
    listen.port = 8080;
    listen.defaultServer = true;
    server.listens = {listen};
    server.serverNames = {u"a.example"_s, QString()};
    server.settings.keepaliveRequests = 10;
    server.settings.clientHeaderTimeoutMs = 7000;
    server.settings.accessRules = QList<AccessRule>{{false, u"127.0.0.0/8"_s, {}}, {true, u"all"_s, {}}};

    LocationConfig api;
    api.prefix = u"/api/"_s;
    api.proxyPass = u"http://pool"_s;
    api.settings.proxySetHeaders = QList<HeaderDirective>{{"Connection", QString(), false, {}},
                                                          {"X-Quote", u"say \"hi\"; {ok} #1 \\o/"_s, false, {}}};
    api.settings.addHeaders = QList<HeaderDirective>{{"X-Where", u"$upstream_addr"_s, true, {}}};
    api.settings.proxyHttpVersionMinor = 1;
    api.settings.proxyNextUpstream = NextUpstreamHttp500 | NextUpstreamHttp429;
    api.settings.proxyNextUpstreamTries = 0;
    api.settings.proxyNextUpstreamTimeoutMs = 0;
    api.settings.proxyBufferSize = 4096;
    LocationConfig direct;
    direct.prefix = u"/direct/"_s;
    direct.proxyPass = u"http://127.0.0.1:9000"_s;
    direct.settings.proxyReadTimeoutMs = 60'000; // nginx's default, but it overrides http's 1500ms
    direct.settings.accessLogs = QList<AccessLogDirective>{
        {u"/tmp/lbscope-test-decisions.log"_s, u"decisions"_s, false, {}},
        {u"/tmp/lbscope-test-looks.log"_s, u"looks like escape"_s, false, {}},
        {u"/tmp/lbscope-test-nothing.log"_s, u"nothing"_s, false, {}},
    };
    AccessLogDirective off;
    off.off = true;
    api.settings.accessLogs = QList<AccessLogDirective>{off};
    server.locations = {api, direct};
    config.servers = {server};
    return config;
}

QString findNginx()
{
    const QString onPath = QStandardPaths::findExecutable(u"nginx"_s);
    if (!onPath.isEmpty())
        return onPath;
    return QStandardPaths::findExecutable(u"nginx"_s, {u"/usr/sbin"_s, u"/usr/bin"_s});
}

} // namespace

class TestConfigWriter final : public QObject
{
    Q_OBJECT

private slots:
    void photosText();
    void roundTrip_data();
    void roundTrip();
    void builtModelRoundTrip();
    void editedAddresses();
    void settingsAsSet();
    void statusListenAsComment();
    void logFormatText_data();
    void logFormatText();
    void formatTime_data();
    void formatTime();
    void formatSize_data();
    void formatSize();
    void quoteArgument_data();
    void quoteArgument();
    void realNginx_data();
    void realNginx();
};

void TestConfigWriter::photosText()
{
    QFile file(QStringLiteral(LBSCOPE_SOURCE_DIR) + u"/resources/configs/photos.conf"_s);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(ConfigWriter::write(read(file.readAll())), photosExpected);
}

// The rewrite module's directives and error_page, as a config people write them.
const QByteArray rewriteConfig = R"conf(http {
    server {
        listen 127.0.0.1:8080;
        error_page 404 = /app/fallback;
        if ($request_method = POST) {
            return 405;
        }
        rewrite ^/old/(.*)$ /app/$1 last;
        location /app/ {
            proxy_pass http://127.0.0.1:3000;
            set $id $arg_id;
            if ($http_user_agent ~* "(curl|wget)") {
                return 403 "no robots";
            }
            if ($id !~ ^\d+$) {
                rewrite ^ /app/bad? break;
            }
            rewrite ^/app/(?<name>\w+)$ /named/$name break;
            return 301 https://example.com$request_uri;
        }
        location /x/ {
            proxy_pass http://127.0.0.1:3000;
            error_page 502 503 =200 /app/sorry;
            proxy_intercept_errors on;
            break;
        }
    }
}
)conf";

void TestConfigWriter::roundTrip_data()
{
    QTest::addColumn<QByteArray>("text");

    QFile photos(QStringLiteral(LBSCOPE_SOURCE_DIR) + u"/resources/configs/photos.conf"_s);
    QVERIFY(photos.open(QIODevice::ReadOnly));
    QTest::newRow("photos") << photos.readAll();
    QTest::newRow("full") << fullConfig;
    QTest::newRow("top level") << topLevelConfig;
    QTest::newRow("spellings") << spellingsConfig;
    QTest::newRow("access and realip") << clientRulesConfig;
    QTest::newRow("proxy directives") << proxyDirectivesConfig;
    QTest::newRow("rewrite") << rewriteConfig;
    QTest::newRow("locations") << locationsConfig;
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("skipped directives") << QByteArray(
        "user nobody;\nevents { worker_connections 5; }\nhttp { sendfile on; gzip on;\n"
        "upstream u { server 1.2.3.4; keepalive_time 1h; }\n"
        "server { root /srv; location ~ x { } location / { proxy_pass http://u; try_files $uri =404; } } }");
}

void TestConfigWriter::roundTrip()
{
    QFETCH(QByteArray, text);
    const ProxyConfig original = read(text);
    const QByteArray written = ConfigWriter::write(original);
    const ConfigReadResult again = ConfigReader::readText(written, u"written.conf"_s);
    QVERIFY2(again.ok(), qPrintable(describe(again, written)));
    QVERIFY2(again.warnings.isEmpty(), qPrintable(describe(again, written)));
    // Text first, for a readable difference; then the whole model.
    QCOMPARE(ConfigWriter::write(*again.config), written);
    QVERIFY(withoutSources(*again.config) == withoutSources(original));
}

void TestConfigWriter::builtModelRoundTrip()
{
    const ProxyConfig model = builtModel();
    const QByteArray written = ConfigWriter::write(model);
    QVERIFY(written.contains("proxy_set_header Connection \"\";\n"));
    QVERIFY(written.contains("proxy_set_header X-Quote \"say \\\"hi\\\"; {ok} #1 \\\\o/\";\n"));
    QVERIFY(written.contains("server_name a.example \"\";\n"));
    QVERIFY(written.contains("server 127.0.0.1:3000 weight=2 max_fails=0 fail_timeout=30s max_conns=5 down;\n"));
    QVERIFY(written.contains("        server localhost;\n"));
    QVERIFY(written.contains("hash $request_uri consistent;\n        zone pool 1m;\n"));
    QVERIFY(written.contains("client_max_body_size 2g;\n"));
    QVERIFY(written.contains("proxy_next_upstream http_500 http_429;\n"));
    QVERIFY(written.contains("    log_format quoted \"\\\"$request\\\" 'single' \\\\ $status;{}#\";\n"));
    QVERIFY(written.contains("    log_format \"looks like escape\" escape=default \"escape=json $status\";\n"));
    QVERIFY(written.contains("    log_format decisions escape=json \"{\\\"d\\\":\\\"${lbscope_decision}\\\"}\";\n"));
    QVERIFY(written.contains("    log_format nothing escape=none \"\";\n"));
    QVERIFY(written.contains("    map $host $lbscope_decision {\n        default -;\n    }\n"));
    QVERIFY(written.contains("    access_log /tmp/lbscope-test-access.log;\n"));
    QVERIFY(written.contains("            access_log off;\n"));
    QVERIFY(written.contains("            access_log /tmp/lbscope-test-decisions.log decisions;\n"));
    QVERIFY(written.contains("    set_real_ip_from 172.16.0.0/12;\n    set_real_ip_from ::1;\n"
                             "    real_ip_header X-Forwarded-For;\n    real_ip_recursive off;\n"));
    QVERIFY(written.contains("        allow 127.0.0.0/8;\n        deny all;\n"));
    const ConfigReadResult again = ConfigReader::readText(written, u"written.conf"_s);
    QVERIFY2(again.ok(), qPrintable(describe(again, written)));
    QCOMPARE(ConfigWriter::write(*again.config), written);
    QVERIFY(withoutSources(*again.config) == model);
}

void TestConfigWriter::editedAddresses()
{
    // The GUI edits host and port; the text "as written" is then stale and must not win.
    ProxyConfig config = read(topLevelConfig);
    config.upstreams[0].servers[0].port = 3001;
    config.upstreams[0].servers[1].host = u"::1"_s;
    config.servers[0].listens[0].port = 9090;
    ListenAddress added;
    added.host = u"::1"_s;
    added.port = 8081;
    config.servers[0].listens.append(added);
    const QByteArray written = ConfigWriter::write(config);
    QVERIFY(written.contains("server 10.0.0.1:3001;\n"));
    QVERIFY(written.contains("server [::1]:80;\n"));
    QVERIFY(written.contains("listen 9090;\n"));
    QVERIFY(written.contains("listen [::1]:8081;\n"));
}

void TestConfigWriter::settingsAsSet()
{
    ProxyConfig config = read(topLevelConfig);
    LocationConfig &location = config.servers[0].locations[0];
    location.settings.proxyReadTimeoutMs = 60'000;
    location.settings.clientHeaderTimeoutMs = 5000; // nginx refuses it in a location
    location.settings.proxyNextUpstream = 0;
    config.upstreams[0].servers[0].failTimeoutMs = 1500; // nginx counts whole seconds
    const QByteArray written = ConfigWriter::write(config);
    QVERIFY(written.contains("            proxy_read_timeout 1m;\n"));
    QVERIFY(!written.contains("client_header_timeout"));
    QVERIFY(written.contains("proxy_next_upstream off;\n"));
    QVERIFY(written.contains("server 10.0.0.1:80 fail_timeout=2s;\n"));
    // Defaults of upstream servers and blocks are left out.
    QVERIFY(!written.contains("weight="));
    QVERIFY(!written.contains("keepalive"));
}

void TestConfigWriter::statusListenAsComment()
{
    ProxyConfig config = read("lbscope_status [::1]:9090;\n" + topLevelConfig);
    QVERIFY(config.statusListen);
    QCOMPARE(config.statusListen->port, quint16(9090));
    const QByteArray written = ConfigWriter::write(config);
    QVERIFY(written.contains("http {\n    # lbscope_status [::1]:9090;\n"));
    // The reader skips comments: the round trip drops it, and only it.
    const ConfigReadResult again = ConfigReader::readText(written, u"written.conf"_s);
    QVERIFY2(again.ok(), qPrintable(describe(again, written)));
    QVERIFY(again.warnings.isEmpty());
    QVERIFY(!again.config->statusListen);
    config.statusListen.reset();
    QVERIFY(withoutSources(*again.config) == withoutSources(config));
}

void TestConfigWriter::logFormatText_data()
{
    QTest::addColumn<QString>("escape");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("line");

    QTest::newRow("plain") << u"default"_s << u"$status"_s << QByteArray("log_format f $status;");
    QTest::newRow("empty escape is default") << QString() << u"$status"_s << QByteArray("log_format f $status;");
    QTest::newRow("combined") << u"default"_s << combinedLogFormat().format
                              << QByteArray("log_format f \"$remote_addr - $remote_user [$time_local] "
                                            "\\\"$request\\\" $status $body_bytes_sent \\\"$http_referer\\\" "
                                            "\\\"$http_user_agent\\\"\";");
    QTest::newRow("json") << u"json"_s << u"{\"s\":$status}"_s
                          << QByteArray("log_format f escape=json \"{\\\"s\\\":$status}\";");
    QTest::newRow("none, empty") << u"none"_s << QString() << QByteArray("log_format f escape=none \"\";");
    QTest::newRow("default, empty") << u"default"_s << QString() << QByteArray("log_format f \"\";");
    QTest::newRow("looks like escape") << u"default"_s << u"escape=none"_s
                                       << QByteArray("log_format f escape=default escape=none;");
}

void TestConfigWriter::logFormatText()
{
    QFETCH(QString, escape);
    QFETCH(QString, format);
    QFETCH(QByteArray, line);
    ProxyConfig config;
    config.logFormats = {LogFormat{u"f"_s, escape, format, {}}};
    const QByteArray written = ConfigWriter::write(config);
    QVERIFY2(written.contains(QByteArray("\n    " + line + '\n')), written.constData());
    const ConfigReadResult again = ConfigReader::readText(written, u"written.conf"_s);
    QVERIFY2(again.ok(), qPrintable(describe(again, written)));
    QCOMPARE(again.config->logFormats.size(), 1);
    QCOMPARE(again.config->logFormats.front().format, format);
    QCOMPARE(again.config->logFormats.front().escape, escape.isEmpty() ? u"default"_s : escape);
}

void TestConfigWriter::formatTime_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << u"0"_s;
    QTest::newRow("ms") << qint64(1) << u"1ms"_s;
    QTest::newRow("ms over a second") << qint64(1500) << u"1500ms"_s;
    QTest::newRow("seconds") << qint64(10'000) << u"10s"_s;
    QTest::newRow("minute") << qint64(60'000) << u"1m"_s;
    QTest::newRow("90 seconds") << qint64(90'000) << u"90s"_s;
    QTest::newRow("90 minutes") << qint64(5'400'000) << u"90m"_s;
    QTest::newRow("hour") << qint64(3'600'000) << u"1h"_s;
    QTest::newRow("days") << qint64(172'800'000) << u"2d"_s;
}

void TestConfigWriter::formatTime()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(nginx::formatTimeMs(ms), text);
    QCOMPARE(nginx::parseTimeMs(text), std::optional<qint64>(ms));
    if (ms % 1000 == 0) {
        QCOMPARE(nginx::formatTimeSeconds(ms / 1000), text);
        QCOMPARE(nginx::parseTimeSeconds(text), std::optional<qint64>(ms / 1000));
    }
}

void TestConfigWriter::formatSize_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("offset");
    QTest::addColumn<QString>("size");

    QTest::newRow("zero") << qint64(0) << u"0"_s << u"0"_s;
    QTest::newRow("bytes") << qint64(1000) << u"1000"_s << u"1000"_s;
    QTest::newRow("odd") << qint64(1536) << u"1536"_s << u"1536"_s;
    QTest::newRow("k") << qint64(8192) << u"8k"_s << u"8k"_s;
    QTest::newRow("m") << qint64(1 << 20) << u"1m"_s << u"1m"_s;
    QTest::newRow("1.5m") << qint64(1536 * 1024) << u"1536k"_s << u"1536k"_s;
    QTest::newRow("g") << qint64(1 << 30) << u"1g"_s << u"1024m"_s;
}

void TestConfigWriter::formatSize()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, offset);
    QFETCH(QString, size);
    QCOMPARE(nginx::formatSize(bytes, nginx::SizeUnits::UpToGiga), offset);
    QCOMPARE(nginx::formatSize(bytes, nginx::SizeUnits::UpToMega), size);
    QCOMPARE(nginx::parseSize(offset, nginx::SizeUnits::UpToGiga), std::optional<qint64>(bytes));
    QCOMPARE(nginx::parseSize(size, nginx::SizeUnits::UpToMega), std::optional<qint64>(bytes));
}

void TestConfigWriter::quoteArgument_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("quoted");

    QTest::newRow("plain") << u"abc"_s << u"abc"_s;
    QTest::newRow("variable") << u"$host"_s << u"$host"_s;
    QTest::newRow("braced variable") << u"${host}"_s << u"\"${host}\""_s;
    QTest::newRow("empty") << QString() << u"\"\""_s;
    QTest::newRow("space") << u"a b"_s << u"\"a b\""_s;
    QTest::newRow("semicolon") << u"a;b"_s << u"\"a;b\""_s;
    QTest::newRow("brace") << u"{"_s << u"\"{\""_s;
    QTest::newRow("hash") << u"#x"_s << u"\"#x\""_s;
    QTest::newRow("double quote") << u"a\"b"_s << u"\"a\\\"b\""_s;
    QTest::newRow("single quote") << u"it's"_s << u"\"it's\""_s;
    QTest::newRow("backslash") << u"a\\b"_s << u"\"a\\\\b\""_s;
    QTest::newRow("tab") << u"a\tb"_s << u"\"a\\tb\""_s;
    QTest::newRow("newline") << u"a\nb"_s << u"\"a\\nb\""_s;
}

void TestConfigWriter::quoteArgument()
{
    QFETCH(QString, value);
    QFETCH(QString, quoted);
    QCOMPARE(nginx::quoteArgument(value), quoted);

    // And the reader gives the value back.
    const QByteArray text = "server { add_header X " + quoted.toUtf8() + "; }";
    const ProxyConfig config = read(text);
    QCOMPARE(config.servers.value(0).settings.addHeaders.value_or(QList<HeaderDirective>()).value(0).value, value);
}

void TestConfigWriter::realNginx_data()
{
    QTest::addColumn<ProxyConfig>("config");

    QFile photos(QStringLiteral(LBSCOPE_SOURCE_DIR) + u"/resources/configs/photos.conf"_s);
    QVERIFY(photos.open(QIODevice::ReadOnly));
    QTest::newRow("photos") << read(photos.readAll());
    QTest::newRow("full") << read(fullConfig);
    QTest::newRow("top level") << read(topLevelConfig);
    QTest::newRow("spellings") << read(spellingsConfig);
    QTest::newRow("access and realip") << read(clientRulesConfig);
    QTest::newRow("proxy directives") << read(proxyDirectivesConfig);
    QTest::newRow("rewrite") << read(rewriteConfig);
    QTest::newRow("locations") << read(locationsConfig);
    QTest::newRow("built model") << builtModel();
    ProxyConfig withStatus = read(topLevelConfig);
    withStatus.statusListen = ListenAddress{u"127.0.0.1:9090"_s, u"127.0.0.1"_s, 9090, false, {}};
    QTest::newRow("lbscope_status") << withStatus;
}

void TestConfigWriter::realNginx()
{
    const QString nginx = findNginx();
    if (nginx.isEmpty())
        QSKIP("nginx is not installed (not on PATH, /usr/sbin or /usr/bin): cannot check the written "
              "configuration against the real parser");

    QFETCH(ProxyConfig, config);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The logs go to the temporary directory: nginx -t opens every log file it is given.
    moveAccessLogs(config, dir);
    const QByteArray written = ConfigWriter::write(config);
    const QString confPath = dir.filePath(u"nginx.conf"_s);
    QFile file(confPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(written), written.size());
    file.close();

    QProcess process;
    const QString globals = u"pid %1; error_log %2;"_s.arg(dir.filePath(u"nginx.pid"_s), dir.filePath(u"error.log"_s));
    process.start(nginx, {u"-t"_s, u"-q"_s, u"-c"_s, confPath, u"-p"_s, dir.path() + u'/', u"-g"_s, globals});
    QVERIFY2(process.waitForFinished(30'000), qPrintable(process.errorString()));
    const QString output = QString::fromUtf8(process.readAllStandardError() + process.readAllStandardOutput());
    const QString context = output + u"\n--- written ---\n"_s + QString::fromUtf8(written);
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0, qPrintable(context));
    QVERIFY2(!output.contains("[warn]"_L1) && !output.contains("[emerg]"_L1), qPrintable(context));

    // What nginx accepted reads back to the same model, lbscope_status aside.
    const ConfigReadResult again = ConfigReader::readFile(confPath);
    QVERIFY2(again.ok(), qPrintable(describe(again)));
    QVERIFY2(again.warnings.isEmpty(), qPrintable(describe(again)));
    config.statusListen.reset();
    QVERIFY(withoutSources(*again.config) == withoutSources(config));
}

QTEST_GUILESS_MAIN(TestConfigWriter)
#include "tst_configwriter.moc"
