#include "config/nginxmodules.h"

namespace lbscope {

QList<NginxModule> NginxModules::unimplemented()
{
    return {
        {"http_charset_module", "charset utf-8;"},
        {"http_gzip_module", "gzip on;"},
        {"http_ssi_module", "ssi on;"},
        {"http_userid_module", "userid on;"},
        {"http_auth_basic_module", "auth_basic \"closed\";"},
        {"http_mirror_module", "mirror /mirror;"},
        {"http_autoindex_module", "autoindex on;"},
        {"http_geo_module", "geo $g {\n}", NginxModule::Where::Http},
        {"http_map_module", "map $uri $m {\n}", NginxModule::Where::Http},
        {"http_split_clients_module", "split_clients $uri $s {\n}", NginxModule::Where::Http},
        {"http_referer_module", "valid_referers none;"},
        {"http_fastcgi_module", "fastcgi_pass 127.0.0.1:9000;"},
        {"http_uwsgi_module", "uwsgi_pass 127.0.0.1:9000;"},
        {"http_scgi_module", "scgi_pass 127.0.0.1:9000;"},
        {"http_grpc_module", "grpc_pass 127.0.0.1:9000;"},
        {"http_memcached_module", "memcached_pass 127.0.0.1:9000;"},
        {"http_limit_conn_module", "limit_conn_zone $binary_remote_addr zone=c:1m;", NginxModule::Where::Http},
        {"http_limit_req_module", "limit_req_zone $binary_remote_addr zone=r:1m rate=1r/s;", NginxModule::Where::Http},
        {"http_empty_gif_module", "empty_gif;"},
        {"http_browser_module", "ancient_browser Lynx;"},
        {"http-cache", "proxy_cache_path /tmp/cache keys_zone=cache:1m;", NginxModule::Where::Http},
    };
}

QList<NginxModule> NginxModules::implemented()
{
    return {
        {"http_proxy_module", "proxy_pass http://127.0.0.1:3000;"},
        {"http_access_module", "allow 127.0.0.1;"},
        // Not in a default build (--with-http_realip_module), but in Debian's and most others.
        {"http_realip_module", "set_real_ip_from 127.0.0.1;"},
        {"http_rewrite_module", "rewrite ^ /elsewhere;"},
        {"http_upstream_hash_module", "hash $request_uri consistent;", NginxModule::Where::Upstream},
        {"http_upstream_ip_hash_module", "ip_hash;", NginxModule::Where::Upstream},
        {"http_upstream_least_conn_module", "least_conn;", NginxModule::Where::Upstream},
        {"http_upstream_random_module", "random two;", NginxModule::Where::Upstream},
        {"http_upstream_keepalive_module", "keepalive 16;", NginxModule::Where::Upstream},
        {"http_upstream_zone_module", "zone pool 64k;", NginxModule::Where::Upstream},
    };
}

QByteArray NginxModules::configureArguments()
{
    QByteArray line = "configure arguments:";
    for (const NginxModule &module : unimplemented())
        line += " --without-" + module.configureName;
    return line;
}

} // namespace lbscope
