# Helpers shared by the benchmark scripts (sourced, not run). Each script keeps its own
# pids array and temporary directory; these functions only use what they are given.

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# stop_pid PID: SIGTERM, up to 5 s of grace, then SIGKILL; also kills the children it had
# (nginx's workers).
stop_pid() {
    local pid=$1 children i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    children=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for c in $children; do
        kill -KILL "$c" 2>/dev/null || true
    done
}

# wait_listening NAME PID PORT LOG: until 127.0.0.1:PORT accepts connections (10 s), or fail.
wait_listening() {
    local name=$1 pid=$2 port=$3 log=$4 i
    for ((i = 0; i < 100; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "--- $log" >&2
            cat "$log" >&2 || true
            fail "$name exited during start-up"
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "--- $log" >&2
    cat "$log" >&2 || true
    fail "$name does not listen on 127.0.0.1:$port after 10 s"
}

# cpu_ticks PID: CPU time (clock ticks) used so far by a process (all its threads) and its
# children (nginx's worker).
cpu_ticks() {
    local pid=$1 total=0 p line rest f
    for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
        line=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        rest=${line##*) }
        read -r -a f <<<"$rest"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# machine_busy: percent of the whole machine busy during one second.
machine_busy() {
    local a b
    a=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
    sleep 1
    b=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
        printf "%.0f", (y[2] > x[2] ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0) }'
}

# median VALUES...
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2]
        else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pin_cpus: sets pin_a and pin_b to the first two CPUs this process may use (empty when
# fewer than 2 or taskset is missing).
pin_cpus() {
    pin_a=""
    pin_b=""
    command -v taskset >/dev/null || return 0
    (($(nproc) >= 2)) || return 0
    local cpus
    cpus=$(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
    read -r pin_a pin_b _ <<<"$cpus"
}

# free_ports N: N distinct free ports on 127.0.0.1 (all bound at once so they differ, then
# released), on one line.
free_ports() {
    python3 - "$1" <<'PYEOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PYEOF
}

# nginx_paths DIR / nginx_http_paths DIR: the main-level and http-level lines that keep an
# nginx instance's pid, error log and temp paths inside DIR.
nginx_paths() {
    local dir=$1
    cat <<EOF
pid $dir/nginx.pid;
error_log $dir/error.log;
EOF
}
nginx_http_paths() {
    local dir=$1
    cat <<EOF
    access_log off;
    client_body_temp_path $dir/client_body_temp;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
EOF
}

# backends_conf DIR PORT...: one nginx process (one worker) listening on the ports, the
# Nth answering "hello from backend N\n".
backends_conf() {
    local dir=$1 n=1 p
    shift
    echo "worker_processes 1;"
    nginx_paths "$dir"
    echo "events {}"
    echo "http {"
    nginx_http_paths "$dir"
    echo "    default_type text/plain;"
    for p in "$@"; do
        cat <<EOF
    server {
        listen 127.0.0.1:$p;
        location / { return 200 "hello from backend $n\n"; }
    }
EOF
        n=$((n + 1))
    done
    echo "}"
}

# start_nginx NAME DIR PORT [PIN...]: checks DIR/nginx.conf with nginx -t, starts $NGINX
# on it in the foreground (prefixed by PIN, e.g. taskset -c 0), appends its pid to the
# caller's pids array and waits until PORT listens.
start_nginx() {
    local name=$1 dir=$2 port=$3
    shift 3
    "$NGINX" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
        >"$dir/test.log" 2>&1 \
        || { cat "$dir/test.log" "$dir/error.log" >&2 2>/dev/null || true; fail "$name: nginx -t rejects $dir/nginx.conf"; }
    "$@" "$NGINX" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
        -g "daemon off;" >"$dir/stdout.log" 2>&1 &
    pids+=($!)
    wait_listening "$name" "$!" "$port" "$dir/error.log"
}

# start_backends DIR PORT1 PORT2 PORT3 [PIN...]: writes and starts the three backends and
# checks each answers with its own body.
start_backends() {
    local dir=$1 ports=("$2" "$3" "$4") n body
    shift 4
    mkdir -p "$dir"
    backends_conf "$dir" "${ports[@]}" >"$dir/nginx.conf"
    start_nginx "backend nginx" "$dir" "${ports[0]}" "$@"
    for n in 1 2 3; do
        wait_listening "backend nginx" "${pids[-1]}" "${ports[n - 1]}" "$dir/error.log"
        body=$(curl -sS --max-time 5 "http://127.0.0.1:${ports[n - 1]}/") || fail "backend $n does not answer"
        [[ $body == "hello from backend $n" ]] || fail "backend $n answers \"$body\""
    done
}

# start_lbscope BIN DIR PORT [PIN...]: checks DIR/nginx.conf with lbscope -t (its warnings
# stay in DIR/test.log), starts BIN --headless on it, appends its pid to the caller's pids
# array, sets lbscope_pid and waits until it listens on PORT and says so.
start_lbscope() {
    local bin=$1 dir=$2 port=$3
    shift 3
    if ! "$bin" -t --config "$dir/nginx.conf" >"$dir/test.log" 2>&1; then
        cat "$dir/test.log" >&2
        fail "lbscope -t rejects the proxy configuration"
    fi
    "$@" "$bin" --headless --config "$dir/nginx.conf" >"$dir/stdout.log" 2>"$dir/stderr.log" &
    lbscope_pid=$!
    pids+=("$lbscope_pid")
    wait_listening "lbscope" "$lbscope_pid" "$port" "$dir/stderr.log"
    grep -q "listening on 127.0.0.1:$port" "$dir/stdout.log" \
        || { cat "$dir/stdout.log" "$dir/stderr.log" >&2; fail "lbscope did not print 'listening on 127.0.0.1:$port'"; }
}

# start_haproxy DIR PORT [PIN...]: checks DIR/haproxy.cfg with haproxy -c, starts $HAPROXY
# in the foreground on it, appends its pid to the caller's pids array, waits for PORT.
start_haproxy() {
    local dir=$1 port=$2
    shift 2
    "$HAPROXY" -c -q -f "$dir/haproxy.cfg" >"$dir/test.log" 2>&1 \
        || { cat "$dir/test.log" >&2; fail "haproxy -c rejects its configuration"; }
    "$@" "$HAPROXY" -db -f "$dir/haproxy.cfg" >"$dir/stdout.log" 2>&1 &
    pids+=($!)
    wait_listening "haproxy" "$!" "$port" "$dir/stdout.log"
}

# to_ms VALUE: wrk's "612.00us", "1.23ms", "1.02s", "1.50m" in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else { printf "nan" }
    }'
}

# wrk_errors FILE: "non-2xx/3xx responses: N; socket errors: ...; " from a wrk output, or
# nothing when the run was clean.
wrk_errors() {
    local non2xx sock out=""
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$1")
    sock=$(sed -n 's/^ *Socket errors: *//p' "$1")
    [[ -n $non2xx ]] && out+="non-2xx/3xx responses: $non2xx; "
    [[ -n $sock ]] && out+="socket errors: $sock; "
    echo "$out"
}
