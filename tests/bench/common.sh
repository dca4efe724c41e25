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
