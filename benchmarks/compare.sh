#!/usr/bin/env bash
# Pacer against Nginx (the seed's template and a tuned one) and HAProxy, on loopback, with wrk.
#
# Build first (this script builds nothing):
#     mvn -q -DskipTests package
# then, from anywhere:
#     benchmarks/compare.sh
#
# What it does:
#   1. starts two upstream tasks answering 200 "hello\n" with keep-alive: two one-worker Nginx
#      servers (`return 200`) when nginx is installed, else two io.pacer.benchmarks.EchoUpstream JVMs;
#   2. for each proxy in turn (started alone, stopped before the next): a wrk warm-up, then
#      `wrk -t1 -c64 -d10s --latency` and `wrk -t1 -c1000 -d10s --latency` on /hello-world/;
#   3. churn: Pacer (io.pacer.benchmarks.ChurnRig: pacer.jar's setup, route table swapped 10 times a
#      second) and tuned Nginx (`nginx -s reload` 10 times a second, alternating upstream configs),
#      each under wrk -c64;
#   4. TLS (TLS=1, needs openssl): the same proxies terminating one self-signed EC P-256 certificate,
#      HTTP/1.1 over TLS with `wrk -c64` (keep-alive: bulk encryption more than handshakes) and
#      HTTP/2 with `h2load -c16 -m10` (nghttp2-client); Pacer also on the JDK's TLS (pacer-jdk-tls);
#   5. prints a table: proxy, connections, req/s, p50, p99, errors (socket errors + non-2xx/3xx),
#      ratio to tuned Nginx at the same connection count, the proxy's CPU time per request (user +
#      system, all its threads or worker processes; in brackets the user-space part), and the share of the machine's CPU that went to
#      processes outside the test during the run (other jobs: when it is not ~0%, rerun).
# Raise the descriptor limit for -c1000 if needed (ulimit -n 65536): HAProxy needs two per connection.
# Missing wrk, nginx or haproxy: the rows that need them are skipped with the command to install them.
# Every process it starts is stopped on exit, whatever happens.
#
# Settings (environment variables, defaults in brackets):
#   BASE_PORT [18080]   Pacer; +1 +2 upstreams; +10 Nginx seed; +11 Nginx tuned; +12 HAProxy; +13 churn rig
#   DURATION [10]       seconds per measured wrk run
#   WARMUP [5]          seconds of wrk warm-up (-c64) before each native proxy's runs
#   PACER_WARMUP [15]   the same for Pacer and the churn rig: the JIT needs longer (steady state is
#                       what a long-running proxy serves at)
#   CONNECTIONS ["64 1000"]  wrk connection counts
#   PROXIES ["direct pacer nginx-seed nginx-tuned haproxy"]  rows to run ("direct": wrk on one upstream)
#   CHURN [1]           0 skips the churn runs
#   TLS [1]             0 skips the TLS rows (ports +20 Pacer, +21 Nginx, +22 HAProxy, +23 Pacer on the JDK's TLS)
#   CHURN_RATE [10]     route changes (Pacer) and reloads (Nginx) per second
#   CHURN_MODE [add-remove]  Pacer's changes: add-remove (a third task comes and goes, so pooled
#                       connections to it are closed) or reorder (task order only)
#   UPSTREAM [auto]     auto, nginx or netty
#   PACER_JVM_OPTS ["-XX:+UseParallelGC -Xms512m -Xmx512m -XX:+AlwaysPreTouch"]
#   NGINX_BIN, HAPROXY_BIN [found on PATH or in /usr/sbin]  empty string: behave as if not installed
#   PACER_TOML_EXTRA [""]  lines appended to the generated pacer.toml, e.g. 'upstream_keepalive = 512'
#   KEEP_TMP [0]        1 keeps the generated configs and logs (their directory is printed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACER_JAR="$ROOT/proxy/target/pacer.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

BASE_PORT="${BASE_PORT:-18080}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
PACER_WARMUP="${PACER_WARMUP:-15}"
CONNECTIONS="${CONNECTIONS:-64 1000}"
PROXIES="${PROXIES:-direct pacer nginx-seed nginx-tuned haproxy}"
CHURN="${CHURN:-1}"
CHURN_RATE="${CHURN_RATE:-10}"
CHURN_MODE="${CHURN_MODE:-add-remove}"
UPSTREAM="${UPSTREAM:-auto}"
PACER_JVM_OPTS="${PACER_JVM_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m -XX:+AlwaysPreTouch}"
KEEP_TMP="${KEEP_TMP:-0}"
TLS="${TLS:-1}"
PACER_TOML_EXTRA="${PACER_TOML_EXTRA:-}"

PACER_PORT=$BASE_PORT
UP1=$((BASE_PORT + 1))
UP2=$((BASE_PORT + 2))
NGINX_SEED_PORT=$((BASE_PORT + 10))
NGINX_TUNED_PORT=$((BASE_PORT + 11))
HAPROXY_PORT=$((BASE_PORT + 12))
CHURN_PORT=$((BASE_PORT + 13))
PACER_TLS_PORT=$((BASE_PORT + 20))
NGINX_TLS_PORT=$((BASE_PORT + 21))
HAPROXY_TLS_PORT=$((BASE_PORT + 22))
PACER_JDK_TLS_PORT=$((BASE_PORT + 23))
PATH_UNDER_TEST="/hello-world/"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/pacer-compare.XXXXXX")"
# shellcheck source=rig.sh
source "$ROOT/benchmarks/rig.sh"
UPSTREAM_PIDS=()
trap stop_all EXIT
trap 'exit 130' INT TERM

# ---- checks --------------------------------------------------------------------------------------

# NGINX_BIN / HAPROXY_BIN may be set (to an empty string to leave that proxy out).
if [[ -z "${NGINX_BIN+set}" ]]; then
    NGINX_BIN="$(command -v nginx || true)"
    [[ -z "$NGINX_BIN" && -x /usr/sbin/nginx ]] && NGINX_BIN=/usr/sbin/nginx
fi
if [[ -z "${HAPROXY_BIN+set}" ]]; then
    HAPROXY_BIN="$(command -v haproxy || true)"
    [[ -z "$HAPROXY_BIN" && -x /usr/sbin/haproxy ]] && HAPROXY_BIN=/usr/sbin/haproxy
fi

if ! have wrk; then
    say "wrk is needed to drive the load: sudo apt-get install wrk   (or build it from https://github.com/wg/wrk)"
    exit 1
fi
if ! have java; then
    say "java (17+) is needed"
    exit 1
fi
for jar in "$PACER_JAR" "$BENCH_JAR"; do
    if [[ ! -f "$jar" ]]; then
        say "$jar is missing: run 'mvn -q -DskipTests package' in $ROOT first"
        exit 1
    fi
done
for port in "$PACER_PORT" "$UP1" "$UP2" "$NGINX_SEED_PORT" "$NGINX_TUNED_PORT" "$HAPROXY_PORT" "$CHURN_PORT" \
        "$PACER_TLS_PORT" "$NGINX_TLS_PORT" "$HAPROXY_TLS_PORT" "$PACER_JDK_TLS_PORT"; do
    if port_open "$port"; then
        say "port $port is already in use; pick other ports with BASE_PORT=..."
        exit 1
    fi
done
if [[ "$UPSTREAM" == auto ]]; then
    UPSTREAM=$([[ -n "$NGINX_BIN" ]] && echo nginx || echo netty)
fi
if [[ "$UPSTREAM" == nginx && -z "$NGINX_BIN" ]]; then
    say "UPSTREAM=nginx but nginx is not installed: sudo apt-get install nginx-light"
    exit 1
fi

say "# Pacer comparison, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), $(uname -r)"
say "java: $(java -version 2>&1 | head -1)"
say "wrk: $(wrk -v 2>&1 | head -1 | cut -c1-60)"
[[ -n "$NGINX_BIN" ]] && say "nginx: $("$NGINX_BIN" -v 2>&1)"
[[ -n "$HAPROXY_BIN" ]] && say "haproxy: $("$HAPROXY_BIN" -v 2>&1 | head -1)"
say "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "upstreams: $UPSTREAM on 127.0.0.1:$UP1 and :$UP2; pacer JVM: $PACER_JVM_OPTS"
[[ -n "$PACER_TOML_EXTRA" ]] && say "pacer.toml extra: $PACER_TOML_EXTRA"
say "wrk: -t1 -c{$CONNECTIONS} -d${DURATION}s --latency http://127.0.0.1:PORT$PATH_UNDER_TEST after a -c64 warm-up (${WARMUP}s; Pacer ${PACER_WARMUP}s)"
say ""

# ---- upstreams -----------------------------------------------------------------------------------

nginx_common_http() {
    local dir=$1
    cat <<EOF
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
EOF
}

start_nginx() { # start_nginx DIR PORT: nginx with DIR/nginx.conf in the foreground of a background job
    local dir=$1 port=$2
    start_bg "$dir/stdout.log" "$NGINX_BIN" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    wait_port "$port" "$LAST_PID" "$dir/error.log"
}

if [[ "$UPSTREAM" == nginx ]]; then
    for port in "$UP1" "$UP2"; do
        dir="$TMP/upstream-$port"
        mkdir -p "$dir/tmp"
        cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_common_http "$dir")
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            default_type text/plain;
            return 200 "hello\n";
        }
    }
}
EOF
        start_nginx "$dir" "$port"
        UPSTREAM_PIDS+=("$LAST_PID")
    done
else
    for port in "$UP1" "$UP2"; do
        start_bg "$TMP/upstream-$port.log" java -XX:+UseParallelGC -Xms128m -Xmx128m -Decho.threads=1 \
            -cp "$BENCH_JAR" io.pacer.benchmarks.EchoUpstream "$port"
        wait_port "$port" "$LAST_PID" "$TMP/upstream-$port.log"
        UPSTREAM_PIDS+=("$LAST_PID")
    done
fi

# ---- configurations ------------------------------------------------------------------------------

write_pacer_config() { # write_pacer_config PORT FILE
    cat >"$2" <<EOF
listen = "127.0.0.1:$1"
xproxy = "pacer-compare"
apps_file = "apps.json"
log_level = "warn"
$PACER_TOML_EXTRA
EOF
}

write_apps_file "$TMP/apps.json" "$UP1" "$UP2"
write_pacer_config "$PACER_PORT" "$TMP/pacer.toml"
write_pacer_config "$CHURN_PORT" "$TMP/churn.toml"

# nginx_proxy_conf DIR PORT MODE SERVERS: the seed's nginx.tmpl rendered for /hello-world (MODE seed),
# or the same with upstream keep-alive (MODE tuned). SERVERS: the upstream block's server lines.
nginx_proxy_conf() {
    local dir=$1 port=$2 mode=$3 servers=$4 keepalive="" location_conn
    if [[ "$mode" == tuned ]]; then
        keepalive="        keepalive 64;"
        location_conn='            proxy_set_header Connection "";'
    else
        location_conn='            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;'
    fi
    cat <<EOF
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    use epoll;
    worker_connections 2048;
    multi_accept on;
}
http {
$(nginx_common_http "$dir")
    add_header X-Proxy nginx-$mode always;
    access_log off;
    server_tokens off;
    client_max_body_size 128m;
    proxy_buffer_size 128k;
    proxy_buffers 4 256k;
    proxy_busy_buffers_size 256k;
    proxy_redirect off;
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''  close;
    }
    # time out settings
    proxy_send_timeout 120;
    proxy_read_timeout 120;
    send_timeout 120;
    keepalive_timeout 10;

    upstream hello-world {
$servers
$keepalive
    }

    server {
        listen 127.0.0.1:$port backlog=4096;
        server_name app.org;

        location / {
            return 503;
        }

        location /hello-world/ {
            proxy_set_header HOST \$host;
            proxy_next_upstream error timeout invalid_header http_500 http_502 http_503 http_504;
            proxy_connect_timeout 30;
            proxy_http_version 1.1;
$location_conn
            proxy_pass http://hello-world;
        }
    }
}
EOF
}

S1="        server 127.0.0.1:$UP1;"
S2="        server 127.0.0.1:$UP2;"
SERVERS_A="$S1
$S2"
SERVERS_B="$S2
$S1"
# As the churn rig's third table: a third entry on the first task's address.
SERVERS_C="$S1
$S2
$S1"

# ---- measuring -----------------------------------------------------------------------------------

# parse_wrk FILE: prints "req/s p50 p99 errors" (errors: socket errors plus non-2xx/3xx answers).
parse_wrk() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $5 }
        END { printf "%s %s %s %d\n", (rps == "" ? "-" : rps), (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), err }
    ' "$1"
}

# CPU accounting, from /proc in clock ticks: what the proxy used per request, and how much of the
# machine went to processes that are not part of the test (other jobs skew every figure).
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

tree_ticks() { # tree_ticks PID...: "all user" CPU ticks of each PID and its children, reaped children included
    local t=0 u=0 p q v w
    for p in "$@"; do
        for q in "$p" $(pgrep -P "$p" 2>/dev/null || true); do
            read -r v w < <(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15, $12 + $14 }' "/proc/$q/stat" 2>/dev/null || true)
            t=$((t + ${v:-0}))
            u=$((u + ${w:-0}))
        done
    done
    echo "$t $u"
}

wrk_ticks() { # CPU ticks of this shell's reaped descendants (wrk runs in the foreground)
    awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$$/stat"
}

machine_ticks() { # "busy total" ticks of every CPU together
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

CPU_MARK=""
cpu_mark() { # cpu_mark PROXY_PID...: remembers the counters before a run
    CPU_MARK="$(tree_ticks "$@") $(tree_ticks "${UPSTREAM_PIDS[@]}") $(wrk_ticks) $(machine_ticks)"
}

cpu_report() { # cpu_report REQUESTS PROXY_PID...: prints "proxy_us_per_req proxy_user_us_per_req others_percent"
    local requests=$1
    shift
    local now
    now="$(tree_ticks "$@") $(tree_ticks "${UPSTREAM_PIDS[@]}") $(wrk_ticks) $(machine_ticks)"
    awk -v a="$CPU_MARK" -v b="$now" -v n="$requests" -v hz="$CLK_TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        proxy = y[1] - x[1]; user = y[2] - x[2]; ups = y[3] - x[3]; load = y[5] - x[5]; busy = y[6] - x[6]; total = y[7] - x[7]
        others = busy - proxy - ups - load
        if (others < 0) others = 0
        printf "%s %s %s\n", (n > 0 ? sprintf("%.1f", proxy / hz * 1e6 / n) : "-"), (n > 0 ? sprintf("%.1f", user / hz * 1e6 / n) : "-"), (total > 0 ? sprintf("%.0f%%", 100 * others / total) : "-")
    }'
}

ROWS=()     # "name|connections|req/s|p50|p99|errors|cpu_us_per_req|others"
CHURN_ROWS=() # "name|changes/s|changes|req/s|p50|p99|errors"

wrk_run() { # wrk_run CONNECTIONS SECONDS URL OUTFILE
    timeout $(($2 + 60)) wrk -t1 -c"$1" -d"$2s" --timeout 5s --latency "$3" >"$4" 2>&1 || true
}

requests_of() { # total requests of a wrk output file
    awk '/requests in/ { print $1; found = 1 } END { if (!found) print 0 }' "$1"
}

# record_row NAME CONNECTIONS "req/s p50 p99 errors" "cpu_us user_us others" [MEAN_MAX]: prints the
# line and keeps the row for the table; MEAN_MAX=1 labels the latencies mean and max (h2load).
record_row() {
    local name=$1 c=$2 rps p50 p99 err cpu_us cpu_user others l50=p50 l99=p99 t50 t99
    read -r rps p50 p99 err <<<"$3"
    read -r cpu_us cpu_user others <<<"$4"
    cpu_us="$cpu_us (user $cpu_user)"
    [[ "${5:-0}" == 1 ]] && l50=mean && l99=max
    say "$(printf '%-16s c=%-5s %10s req/s  %-4s %-9s %-3s %-9s errors %-6s proxy CPU %6s us/req, others %s of the machine' \
        "$name" "$c" "$rps" "$l50" "$p50" "$l99" "$p99" "$err" "$cpu_us" "$others")"
    t50=$p50
    t99=$p99
    [[ "$l50" == mean ]] && t50="mean $p50" && t99="max $p99"
    ROWS+=("$name|$c|$rps|$t50|$t99|$err|$cpu_us|$others")
}

measure() { # measure NAME PORT WARMUP PID...: warm-up, then one run per connection count
    local name=$1 port=$2 warmup=$3 url="http://127.0.0.1:$2$PATH_UNDER_TEST" c out r cpu
    shift 3
    if [[ "$warmup" -gt 0 ]]; then
        wrk_run 64 "$warmup" "$url" "$TMP/wrk-$name-warmup.txt"
    fi
    for c in $CONNECTIONS; do
        out="$TMP/wrk-$name-$c.txt"
        cpu_mark "$@"
        wrk_run "$c" "$DURATION" "$url" "$out"
        cpu=$(cpu_report "$(requests_of "$out")" "$@")
        record_row "$name" "$c" "$(parse_wrk "$out")" "$cpu"
    done
}

skip() { say "$(printf '%-12s skipped: %s' "$1" "$2")"; ROWS+=("$1|-|skipped|-|-|-|-|-"); }

wants() { [[ " $PROXIES " == *" $1 "* ]]; }

# -- direct: the upstream alone
if wants direct; then
    measure direct "$UP1" "$WARMUP" "${UPSTREAM_PIDS[0]}"
fi

# -- pacer
if wants pacer; then
    # shellcheck disable=SC2086
    start_bg "$TMP/pacer.log" java $PACER_JVM_OPTS -jar "$PACER_JAR" -f "$TMP/pacer.toml"
    if wait_port "$PACER_PORT" "$LAST_PID" "$TMP/pacer.log"; then
        pid=$LAST_PID
        measure pacer "$PACER_PORT" "$PACER_WARMUP" "$pid"
        stop_bg "$pid"
    else
        skip pacer "did not start"
    fi
fi

# -- nginx, seed template and tuned
for mode in seed tuned; do
    wants "nginx-$mode" || continue
    if [[ -z "$NGINX_BIN" ]]; then
        skip "nginx-$mode" "nginx not installed: sudo apt-get install nginx-light"
        continue
    fi
    port=$([[ $mode == seed ]] && echo "$NGINX_SEED_PORT" || echo "$NGINX_TUNED_PORT")
    dir="$TMP/nginx-$mode"
    mkdir -p "$dir/tmp"
    nginx_proxy_conf "$dir" "$port" "$mode" "$SERVERS_A" >"$dir/nginx.conf"
    if start_nginx "$dir" "$port"; then
        pid=$LAST_PID
        measure "nginx-$mode" "$port" "$WARMUP" "$pid"
        stop_bg "$pid"
    else
        skip "nginx-$mode" "did not start"
    fi
done

# -- haproxy
# haproxy_config FILE FRONTEND BIND XPROXY [GLOBAL_LINE]: HAProxy in front of the two upstream
# tasks, keep-alive both ways, the same timeouts as the seed's Nginx.
haproxy_config() {
    # HAProxy needs two descriptors per connection and refuses to start above the fd limit.
    local maxconn=$(( ($(ulimit -n) - 200) / 2 ))
    (( maxconn > 20000 )) && maxconn=20000
    {
        echo "global"
        echo "    maxconn $maxconn"
        [[ -n "${5:-}" ]] && echo "    $5"
        cat <<EOF
defaults
    mode http
    maxconn $maxconn
    option http-keep-alive
    http-reuse safe
    timeout connect 30s
    timeout client 120s
    timeout server 120s
    timeout http-keep-alive 10s
frontend $2
    bind $3
    default_backend hello_world
backend hello_world
    balance roundrobin
    http-response set-header X-Proxy $4
    server t1 127.0.0.1:$UP1
    server t2 127.0.0.1:$UP2
EOF
    } >"$1"
}

if wants haproxy; then
    if [[ -z "$HAPROXY_BIN" ]]; then
        skip haproxy "haproxy not installed: sudo apt-get install haproxy"
    else
        haproxy_config "$TMP/haproxy.cfg" pacer_compare "127.0.0.1:$HAPROXY_PORT" haproxy
        start_bg "$TMP/haproxy.log" "$HAPROXY_BIN" -db -f "$TMP/haproxy.cfg"
        if wait_port "$HAPROXY_PORT" "$LAST_PID" "$TMP/haproxy.log"; then
            pid=$LAST_PID
            measure haproxy "$HAPROXY_PORT" "$WARMUP" "$pid"
            stop_bg "$pid"
        else
            skip haproxy "did not start"
        fi
    fi
fi

# ---- TLS -----------------------------------------------------------------------------------------

# h2load_run SECONDS URL OUTFILE: HTTP/2 over TLS, 16 connections of 10 concurrent streams each.
h2load_run() {
    timeout $(($1 + 60)) h2load -c16 -m10 -t1 -D "$1" --warm-up-time=1 "$2" >"$3" 2>&1 || true
}

# parse_h2load FILE: "req/s mean max errors" (h2load gives no percentiles: the mean time per
# request stands in the p50 column, the max in the p99 one; errors: failed, errored, 4xx and 5xx).
parse_h2load() {
    awk '
        /^finished in/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^req\/s/) rps = $i }
        /^requests:/ { for (i = 1; i < NF; i++) { if ($(i + 1) ~ /^failed/) err += $i; if ($(i + 1) ~ /^errored/) err += $i } }
        /^status codes:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^[45]xx/) err += $i }
        /^time for request:/ { mean = $6; max = $5 }
        END { printf "%s %s %s %d\n", (rps == "" ? "-" : rps), (mean == "" ? "-" : mean), (max == "" ? "-" : max), err }
    ' "$1"
}

h2_requests_of() { awk '/^requests:/ { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }

# measure_tls NAME PORT WARMUP PID...: HTTP/1.1 over TLS at -c64 (row NAME-tls), then HTTP/2 (NAME-h2).
measure_tls() {
    local name=$1 port=$2 warmup=$3 url="https://127.0.0.1:$2$PATH_UNDER_TEST" out cpu
    shift 3
    [[ "$warmup" -gt 0 ]] && wrk_run 64 "$warmup" "$url" "$TMP/wrk-$name-tls-warmup.txt"
    out="$TMP/wrk-$name-tls.txt"
    cpu_mark "$@"
    wrk_run 64 "$DURATION" "$url" "$out"
    cpu=$(cpu_report "$(requests_of "$out")" "$@")
    record_row "$name-tls" 64 "$(parse_wrk "$out")" "$cpu"
    [[ "$name" == *jdk* ]] && return 0
    if ! have h2load; then
        skip "$name-h2" "h2load not installed: sudo apt-get install nghttp2-client"
        return 0
    fi
    # The HTTP/2 code paths get their own warm-up: the JIT has not seen them in the wrk runs.
    [[ "$warmup" -gt 0 ]] && h2load_run "$warmup" "$url" "$TMP/h2load-$name-warmup.txt"
    out="$TMP/h2load-$name.txt"
    cpu_mark "$@"
    h2load_run "$DURATION" "$url" "$out"
    cpu=$(cpu_report "$(h2_requests_of "$out")" "$@")
    record_row "$name-h2" 16x10 "$(parse_h2load "$out")" "$cpu" 1
}

if [[ "$TLS" == 1 ]]; then
    say ""
    say "TLS: one self-signed EC P-256 certificate; wrk -c64 over HTTP/1.1, h2load -c16 -m10 over HTTP/2 (ALPN h2)"
    if ! have openssl; then
        say "TLS rows skipped: openssl is needed to make the certificate: sudo apt-get install openssl"
    else
        mkdir -p "$TMP/certs"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
            -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$TMP/certs/bench.key" -out "$TMP/certs/bench.crt" \
            >"$TMP/openssl.log" 2>&1
        cat "$TMP/certs/bench.crt" "$TMP/certs/bench.key" >"$TMP/bench.pem"

        # Pacer on BoringSSL (netty-tcnative), then on the JDK's TLS.
        for provider in openssl jdk; do
            wants pacer || continue
            row=pacer; port=$PACER_TLS_PORT; opts=""
            if [[ "$provider" == jdk ]]; then row=pacer-jdk; port=$PACER_JDK_TLS_PORT; opts="-Dpacer.tls.provider=jdk"; fi
            write_pacer_config $((port + 100)) "$TMP/pacer-$provider-tls.toml"
            printf 'tls_listen = "127.0.0.1:%s"\ntls_certificates = "certs"\n' "$port" >>"$TMP/pacer-$provider-tls.toml"
            # shellcheck disable=SC2086
            start_bg "$TMP/pacer-$provider-tls.log" java $PACER_JVM_OPTS $opts -jar "$PACER_JAR" -f "$TMP/pacer-$provider-tls.toml"
            if wait_port "$port" "$LAST_PID" "$TMP/pacer-$provider-tls.log"; then
                pid=$LAST_PID
                measure_tls "$row" "$port" "$PACER_WARMUP" "$pid"
                stop_bg "$pid"
            else
                skip "$row-tls" "did not start"
            fi
        done

        if wants nginx-tuned && [[ -n "$NGINX_BIN" ]]; then
            dir="$TMP/nginx-tls"
            mkdir -p "$dir/tmp"
            # The tuned configuration, its listener terminating TLS (HTTP/2 by ALPN) with a session cache;
            # no cap on requests per connection (1,000 by default, which h2load takes as failures).
            nginx_proxy_conf "$dir" "$NGINX_TLS_PORT" tuned "$SERVERS_A" \
                | sed -e "s|listen 127.0.0.1:$NGINX_TLS_PORT backlog=4096;|listen 127.0.0.1:$NGINX_TLS_PORT ssl http2 backlog=4096;\\
        ssl_certificate $TMP/certs/bench.crt;\\
        ssl_certificate_key $TMP/certs/bench.key;\\
        ssl_protocols TLSv1.2 TLSv1.3;\\
        ssl_session_cache shared:SSL:10m;\\
        keepalive_requests 1000000;|" \
                    -e 's|add_header X-Proxy nginx-tuned always;|add_header X-Proxy nginx-tls always;|' >"$dir/nginx.conf"
            if start_nginx "$dir" "$NGINX_TLS_PORT"; then
                pid=$LAST_PID
                measure_tls nginx "$NGINX_TLS_PORT" "$WARMUP" "$pid"
                stop_bg "$pid"
            else
                skip nginx-tls "did not start"
            fi
        elif wants nginx-tuned; then
            skip nginx-tls "nginx not installed: sudo apt-get install nginx-light"
        fi

        if wants haproxy && [[ -n "$HAPROXY_BIN" ]]; then
            haproxy_config "$TMP/haproxy-tls.cfg" pacer_compare_tls \
                "127.0.0.1:$HAPROXY_TLS_PORT ssl crt $TMP/bench.pem alpn h2,http/1.1" haproxy-tls \
                "ssl-default-bind-options ssl-min-ver TLSv1.2"
            start_bg "$TMP/haproxy-tls.log" "$HAPROXY_BIN" -db -f "$TMP/haproxy-tls.cfg"
            if wait_port "$HAPROXY_TLS_PORT" "$LAST_PID" "$TMP/haproxy-tls.log"; then
                pid=$LAST_PID
                measure_tls haproxy "$HAPROXY_TLS_PORT" "$WARMUP" "$pid"
                stop_bg "$pid"
            else
                skip haproxy-tls "did not start"
            fi
        elif wants haproxy; then
            skip haproxy-tls "haproxy not installed: sudo apt-get install haproxy"
        fi
    fi
fi

# ---- churn ---------------------------------------------------------------------------------------

churn_row() { # churn_row NAME RATE CHANGES WRKFILE CPU
    local r
    r=$(parse_wrk "$4")
    read -r rps p50 p99 err <<<"$r"
    read -r cpu_us cpu_user others <<<"$5"; cpu_us="$cpu_us (user $cpu_user)"
    say "$(printf '%-20s %3s changes/s (%s)  %10s req/s  p50 %-9s p99 %-9s errors %-6s proxy CPU %6s us/req, others %s' \
        "$1" "$2" "$3" "$rps" "$p50" "$p99" "$err" "$cpu_us" "$others")"
    CHURN_ROWS+=("$1|$2|$3|$rps|$p50|$p99|$err|$cpu_us|$others")
}

if [[ "$CHURN" == 1 ]]; then
    say ""
    say "churn: wrk -c64 for ${DURATION}s while routes change $CHURN_RATE times a second (Pacer: $CHURN_MODE)"
    url="http://127.0.0.1:$CHURN_PORT$PATH_UNDER_TEST"
    for rate in 0 "$CHURN_RATE"; do
        # The rig churns from its start for warm-up + run + margin; the measured run is all under churn.
        # shellcheck disable=SC2086
        start_bg "$TMP/churn-$rate.log" java $PACER_JVM_OPTS -Dpacer.log.level=WARN -cp "$BENCH_JAR" \
            io.pacer.benchmarks.ChurnRig -f "$TMP/churn.toml" --rate "$rate" --mode "$CHURN_MODE" --duration $((PACER_WARMUP + DURATION + 3))
        if wait_port "$CHURN_PORT" "$LAST_PID" "$TMP/churn-$rate.log"; then
            pid=$LAST_PID
            [[ "$PACER_WARMUP" -gt 0 ]] && wrk_run 64 "$PACER_WARMUP" "$url" "$TMP/wrk-churn-$rate-warmup.txt"
            cpu_mark "$pid"
            wrk_run 64 "$DURATION" "$url" "$TMP/wrk-churn-$rate.txt"
            cpu=$(cpu_report "$(requests_of "$TMP/wrk-churn-$rate.txt")" "$pid")
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            stop_bg "$pid"
            swaps=$(sed -n 's/^churn rig: \([0-9]*\) swaps.*/\1/p' "$TMP/churn-$rate.log" | tail -1)
            churn_row "pacer (ChurnRig)" "$rate" "${swaps:-?} swaps in $((PACER_WARMUP + DURATION + 3))s" "$TMP/wrk-churn-$rate.txt" "$cpu"
        else
            CHURN_ROWS+=("pacer (ChurnRig)|$rate|-|did not start|-|-|-|-|-")
        fi
    done

    if [[ -z "$NGINX_BIN" ]]; then
        say "nginx-tuned churn skipped: nginx not installed: sudo apt-get install nginx-light"
        CHURN_ROWS+=("nginx-tuned reload|$CHURN_RATE|-|skipped|-|-|-|-|-")
    else
        dir="$TMP/nginx-churn"
        mkdir -p "$dir/tmp"
        nginx_proxy_conf "$dir" "$NGINX_TUNED_PORT" tuned "$SERVERS_A" >"$dir/conf-0"
        nginx_proxy_conf "$dir" "$NGINX_TUNED_PORT" tuned "$SERVERS_B" >"$dir/conf-1"
        nginx_proxy_conf "$dir" "$NGINX_TUNED_PORT" tuned "$SERVERS_C" >"$dir/conf-2"
        cp "$dir/conf-1" "$dir/conf-3"
        cp "$dir/conf-0" "$dir/nginx.conf"
        if start_nginx "$dir" "$NGINX_TUNED_PORT"; then
            pid=$LAST_PID
            url="http://127.0.0.1:$NGINX_TUNED_PORT$PATH_UNDER_TEST"
            [[ "$WARMUP" -gt 0 ]] && wrk_run 64 "$WARMUP" "$url" "$TMP/wrk-nginx-churn-warmup.txt"
            cpu_mark "$pid"
            wrk_run 64 "$DURATION" "$url" "$TMP/wrk-nginx-churn.txt" &
            wrk_pid=$!
            reloads=0
            period_ms=$((1000 / CHURN_RATE))
            start_ms=$(date +%s%3N)
            end_ms=$((start_ms + DURATION * 1000))
            next_ms=$start_ms
            while (( $(date +%s%3N) < end_ms )); do
                cp "$dir/conf-$((reloads % 4))" "$dir/nginx.conf"
                "$NGINX_BIN" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -s reload 2>>"$dir/reload.log" || true
                reloads=$((reloads + 1))
                next_ms=$((next_ms + period_ms))
                wait_ms=$((next_ms - $(date +%s%3N)))
                if (( wait_ms > 0 )); then
                    sleep "$(awk -v ms="$wait_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
                fi
            done
            wait "$wrk_pid" || true
            cpu=$(cpu_report "$(requests_of "$TMP/wrk-nginx-churn.txt")" "$pid")
            stop_bg "$pid"
            churn_row "nginx-tuned reload" "$CHURN_RATE" "$reloads reloads in ${DURATION}s" "$TMP/wrk-nginx-churn.txt" "$cpu"
        else
            CHURN_ROWS+=("nginx-tuned reload|$CHURN_RATE|-|did not start|-|-|-|-|-")
        fi
    fi
fi

# ---- report --------------------------------------------------------------------------------------

tuned_rps() { # tuned_rps CONNECTIONS [NAME]: Nginx's req/s in the same kind of row (plain, -tls, -h2)
    local row want=nginx-tuned
    case "${2:-}" in
        *-tls) want=nginx-tls ;;
        *-h2) want=nginx-h2 ;;
    esac
    for row in "${ROWS[@]}"; do
        IFS='|' read -r n c rps _ <<<"$row"
        if [[ "$n" == "$want" && "$c" == "$1" ]]; then
            echo "$rps"
            return
        fi
    done
    echo ""
}

say ""
say "| proxy | connections | req/s | p50 | p99 | errors | vs tuned Nginx | proxy CPU us/req (user part) | others' CPU |"
say "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${ROWS[@]}"; do
    IFS='|' read -r n c rps p50 p99 err cpu_us others <<<"$row"
    base=$(tuned_rps "$c" "$n")
    ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
    say "| $n | $c | $rps | $p50 | $p99 | $err | $ratio | $cpu_us | $others |"
done
if [[ ${#CHURN_ROWS[@]} -gt 0 ]]; then
    say ""
    say "| churn (wrk -c64, ${DURATION}s) | changes/s | changes made | req/s | p50 | p99 | errors | proxy CPU us/req (user part) | others' CPU |"
    say "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for row in "${CHURN_ROWS[@]}"; do
        IFS='|' read -r n rate made rps p50 p99 err cpu_us others <<<"$row"
        say "| $n | $rate | $made | $rps | $p50 | $p99 | $err | $cpu_us | $others |"
    done
fi
say ""
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
