#!/usr/bin/env bash
# Pacer's memory targets, measured on a real Pacer process (java -jar proxy/target/pacer.jar):
#   (a) resident memory (VmRSS) under RSS_LIMIT_MB (256) with IDLE (10,000) open idle client
#       keep-alive connections;
#   (b) allocation per proxied request small enough that LOAD_SECONDS (60) of full load
#       (wrk -c1000) triggers no full GC.
#
# Build first (this script builds nothing):
#     mvn -q -DskipTests package
# then, from anywhere:
#     benchmarks/memory.sh
#
# What it does, on loopback only:
#   1. starts two upstream tasks (io.pacer.benchmarks.EchoUpstream, one JVM each) and Pacer with
#      PACER_JVM_OPTS and a GC log, routing /hello-world to them from an apps_file, with
#      keepalive_timeout = "600s" so that idle clients are not closed during the test;
#   2. idle phase: a wrk warm-up (-t1 -c16, WARMUP seconds; skipped without wrk), Pacer's VmRSS and
#      open descriptors, then io.pacer.benchmarks.IdleClients opens IDLE connections (one whole
#      GET each, then idle); after IDLE_SETTLE seconds, VmRSS, descriptors and `jcmd GC.heap_info`
#      again (and `jcmd VM.native_memory summary` when PACER_JVM_OPTS has
#      -XX:NativeMemoryTracking=summary); then the clients close and the descriptors must come back;
#   3. load phase: wrk -t1 -c1000 -dLOAD_SECONDS --latency on /hello-world/; prints req/s, errors,
#      the young and full pauses of that phase from the GC log (every "Pause Full" line verbatim),
#      an estimate of the allocation per request from the heap sizes before and after those pauses,
#      and VmRSS after;
#   4. prints the largest VmRSS of the whole run (VmHWM) and a summary with PASS/FAIL per target.
# Exit status 0 only when both targets pass. Every process it starts is stopped on exit, whatever
# happens. Needs Linux /proc, java (17+) with jcmd, and for the load phase wrk (apt-get install wrk).
# Descriptors: Pacer and IdleClients each need IDLE + a few hundred (ulimit -n; the soft limit is
# raised to the hard one when lower).
#
# Settings (environment variables, defaults in brackets):
#   BASE_PORT [18280]     Pacer; +1 +2 the upstream tasks
#   IDLE [10000]          idle client connections of the idle phase
#   IDLE_SETTLE [5]       seconds between the clients being set up and the measurement
#   WARMUP [5]            seconds of wrk -c16 before the idle phase (0 skips it)
#   LOAD_SECONDS [60]     seconds of wrk -c1000 in the load phase
#   LOAD_CONNECTIONS [1000]
#   RSS_LIMIT_MB [256]    target (a)
#   PACER_JVM_OPTS ["-Xms64m -Xmx192m"]  G1, the JVM's default collector; the GC log option is added
#   PACER_TOML_EXTRA [""] lines appended to the generated pacer.toml
#   KEEP_TMP [0]          1 keeps the generated configs and logs (their directory is printed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACER_JAR="$ROOT/proxy/target/pacer.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

BASE_PORT="${BASE_PORT:-18280}"
IDLE="${IDLE:-10000}"
IDLE_SETTLE="${IDLE_SETTLE:-5}"
WARMUP="${WARMUP:-5}"
LOAD_SECONDS="${LOAD_SECONDS:-60}"
LOAD_CONNECTIONS="${LOAD_CONNECTIONS:-1000}"
RSS_LIMIT_MB="${RSS_LIMIT_MB:-256}"
PACER_JVM_OPTS="${PACER_JVM_OPTS:--Xms64m -Xmx192m}"
PACER_TOML_EXTRA="${PACER_TOML_EXTRA:-}"
KEEP_TMP="${KEEP_TMP:-0}"

PACER_PORT=$BASE_PORT
UP1=$((BASE_PORT + 1))
UP2=$((BASE_PORT + 2))
URL="http://127.0.0.1:$PACER_PORT/hello-world/"

# shellcheck source=rig.sh
source "$ROOT/benchmarks/rig.sh"

# ---- checks --------------------------------------------------------------------------------------

for jar in "$PACER_JAR" "$BENCH_JAR"; do
    if [[ ! -f "$jar" ]]; then
        say "$jar is missing: run 'mvn -q -DskipTests package' in $ROOT first"
        exit 2
    fi
done
if [[ ! -d /proc/self/fd ]]; then
    say "needs Linux /proc to read Pacer's RSS and descriptors"
    exit 2
fi
if ! have java || ! have jcmd; then
    say "java and jcmd (a JDK 17+) are needed"
    exit 2
fi
NEED_FDS=$((IDLE + LOAD_CONNECTIONS + 500))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$NEED_FDS" ]]; then
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$NEED_FDS" ]]; then
    say "the descriptor limit ($(ulimit -n), hard $(ulimit -Hn)) is below the $NEED_FDS needed; raise it (ulimit -n) or lower IDLE"
    exit 2
fi
for port in "$PACER_PORT" "$UP1" "$UP2"; do
    if port_open "$port"; then
        say "port $port is already in use; pick other ports with BASE_PORT=..."
        exit 2
    fi
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/pacer-memory.XXXXXX")"

cleanup() {
    exec 4>&- # IdleClients' standard input: its end closes the idle connections
    stop_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- measuring -----------------------------------------------------------------------------------

status_kb() { # status_kb PID FIELD: a /proc/PID/status figure in kB (VmRSS, VmHWM, RssAnon, ...)
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
mb() { # mb KB: kB as MB with one decimal
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}
fds_of() {
    ls "/proc/$1/fd" | wc -l
}
# snapshot PID: "VmRSS 123.4 MB (anon 100.0, file 23.4), 25 threads, 60 fds"
snapshot() {
    printf 'VmRSS %s MB (anon %s, file %s), %s threads, %s fds' "$(mb "$(status_kb "$1" VmRSS)")" \
        "$(mb "$(status_kb "$1" RssAnon)")" "$(mb "$(status_kb "$1" RssFile)")" \
        "$(awk '$1 == "Threads:" { print $2 }' "/proc/$1/status")" "$(fds_of "$1")"
}

# parse_wrk FILE: prints "req/s p50 p99 errors requests" (errors: socket errors plus non-2xx/3xx).
parse_wrk() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = $2 }
        /^ +99%/ { p99 = $2 }
        /requests in/ { n = $1 }
        /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $5 }
        END { printf "%s %s %s %d %d\n", (rps == "" ? "-" : rps), (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), err, n }
    ' "$1"
}

# gc_phase FROM_LINE FILE: over the GC log lines after FROM_LINE, prints
# "young full other allocated_mb seconds": pause counts, and the heap allocated between the first
# and the last pause (each pause's "before" minus the previous pause's "after") and that span.
gc_phase() {
    tail -n +"$(($1 + 1))" "$2" | awk '
        function mbytes(s,  u, v) {
            u = substr(s, length(s)); v = substr(s, 1, length(s) - 1) + 0
            return u == "K" ? v / 1024 : (u == "G" ? v * 1024 : v)
        }
        / Pause / {
            if ($0 ~ /Pause Full/) full++
            else if ($0 ~ /Pause Young/) young++
            else other++
            if (match($0, /[0-9.]+[KMG]->[0-9.]+[KMG]\(/)) {
                split(substr($0, RSTART, RLENGTH - 1), h, "->")
                t = substr($1, 2) + 0  # [12.345s]
                if (seen) { alloc += mbytes(h[1]) - after } else { first = t }
                after = mbytes(h[2]); last = t; seen = 1
            }
        }
        END { printf "%d %d %d %.1f %.3f\n", young, full, other, alloc, (seen ? last - first : 0) }
    '
}

# ---- set-up --------------------------------------------------------------------------------------

say "# Pacer memory targets, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f MB RAM", $2 / 1024 }' /proc/meminfo), $(uname -r); load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "java: $(java -version 2>&1 | head -1); pacer.jar built $(date -u -r "$PACER_JAR" '+%Y-%m-%d %H:%M UTC')"
say "pacer JVM: $PACER_JVM_OPTS; descriptor limit $(ulimit -n)"
[[ -n "$PACER_TOML_EXTRA" ]] && say "pacer.toml extra: $PACER_TOML_EXTRA"

for port in "$UP1" "$UP2"; do
    start_bg "$TMP/upstream-$port.log" java -XX:+UseParallelGC -Xms128m -Xmx128m \
        -cp "$BENCH_JAR" io.pacer.benchmarks.EchoUpstream "$port"
    wait_port "$port" "$LAST_PID" "$TMP/upstream-$port.log"
done

write_apps_file "$TMP/apps.json" "$UP1" "$UP2"
cat >"$TMP/pacer.toml" <<EOF
listen = "127.0.0.1:$PACER_PORT"
xproxy = "memory"
apps_file = "apps.json"
log_level = "warn"
keepalive_timeout = "600s"
$PACER_TOML_EXTRA
EOF

# shellcheck disable=SC2086
start_bg "$TMP/pacer.log" java $PACER_JVM_OPTS -Xlog:gc:file="$TMP/gc.log" -jar "$PACER_JAR" -f "$TMP/pacer.toml"
PACER_PID=$LAST_PID
wait_port "$PACER_PORT" "$PACER_PID" "$TMP/pacer.log"
say "pacer pid $PACER_PID on 127.0.0.1:$PACER_PORT; upstreams on :$UP1 and :$UP2"
say ""

# ---- phase 1: idle connections -------------------------------------------------------------------

say "## idle: $IDLE keep-alive client connections"
if have wrk && [[ "$WARMUP" -gt 0 ]]; then
    timeout $((WARMUP + 60)) wrk -t1 -c16 -d"${WARMUP}s" "$URL" >"$TMP/wrk-warmup.txt" 2>&1 || true
    r=$(parse_wrk "$TMP/wrk-warmup.txt")
    say "warm-up: wrk -t1 -c16 -d${WARMUP}s: $(echo "$r" | cut -d' ' -f1) req/s, $(echo "$r" | cut -d' ' -f4) errors"
else
    say "warm-up: skipped (WARMUP=0 or no wrk)"
fi
sleep 1
FDS_BEFORE=$(fds_of "$PACER_PID")
say "before the clients:     $(snapshot "$PACER_PID")"

mkfifo "$TMP/idle.in"
# stdin is a FIFO held open here: closing it is what tells IdleClients to close its connections.
java -Xmx256m -cp "$BENCH_JAR" io.pacer.benchmarks.IdleClients 127.0.0.1 "$PACER_PORT" "$IDLE" \
    <"$TMP/idle.in" >"$TMP/idle.log" 2>&1 &
IDLE_PID=$!
PIDS+=("$IDLE_PID")
exec 4>"$TMP/idle.in"
started=$SECONDS
deadline=$((SECONDS + 60 + IDLE / 20))
until grep -q "idle connections open" "$TMP/idle.log"; do
    if ! kill -0 "$IDLE_PID" 2>/dev/null || [[ $SECONDS -ge $deadline ]]; then
        say "IdleClients did not report its connections; its log:"
        tail -20 "$TMP/idle.log" | sed 's/^/    /'
        exit 1
    fi
    sleep 0.2
done
IDLE_LINE=$(grep -m1 "idle connections open" "$TMP/idle.log")
IDLE_OPEN=$(sed -E 's/.*open: ([0-9]+).*/\1/' <<<"$IDLE_LINE")
IDLE_FAILED=$(sed -E 's/.*failed: ([0-9]+).*/\1/' <<<"$IDLE_LINE")
say "IdleClients: $IDLE_LINE, set up in $((SECONDS - started)) s"
grep "first failure" "$TMP/idle.log" | sed 's/^/    /' || true
sleep "$IDLE_SETTLE"
# Read before jcmd: attaching starts a thread in Pacer.
IDLE_RSS_KB=$(status_kb "$PACER_PID" VmRSS)
say "with the clients (+${IDLE_SETTLE}s): $(snapshot "$PACER_PID")"
say "jcmd GC.heap_info:"
jcmd "$PACER_PID" GC.heap_info 2>&1 | tail -n +2 | sed 's/^/    /' || true
if [[ "$PACER_JVM_OPTS" == *NativeMemoryTracking* ]]; then
    say "jcmd VM.native_memory summary (committed):"
    jcmd "$PACER_PID" VM.native_memory summary 2>&1 \
        | grep -E '^(Total|-)' | sed -E 's/reserved=[0-9]+KB, //; s/^-? *//; s/^/    /' || true
fi

exec 4>&-
for _ in $(seq 1 300); do
    kill -0 "$IDLE_PID" 2>/dev/null || break
    sleep 0.1
done
stop_pid "$IDLE_PID"
forget_pid "$IDLE_PID"
FDS_BACK=no
for _ in $(seq 1 300); do
    if [[ "$(fds_of "$PACER_PID")" -le $((FDS_BEFORE + 50)) ]]; then
        FDS_BACK=yes
        break
    fi
    sleep 0.1
done
say "clients closed:         $(snapshot "$PACER_PID"); descriptors back to ~$FDS_BEFORE: $FDS_BACK"
say ""

# ---- phase 2: load -------------------------------------------------------------------------------

LOAD_OK=0
say "## load: wrk -t1 -c$LOAD_CONNECTIONS -d${LOAD_SECONDS}s --latency $URL"
if ! have wrk; then
    say "wrk is needed for the load phase: sudo apt-get install wrk   (or build it from https://github.com/wg/wrk)"
else
    GC_FROM=$(wc -l <"$TMP/gc.log")
    timeout $((LOAD_SECONDS + 60)) wrk -t1 -c"$LOAD_CONNECTIONS" -d"${LOAD_SECONDS}s" --timeout 5s --latency "$URL" \
        >"$TMP/wrk-load.txt" 2>&1 || true
    sleep 1
    read -r RPS P50 P99 ERRORS REQUESTS <<<"$(parse_wrk "$TMP/wrk-load.txt")"
    read -r YOUNG FULL OTHER ALLOC_MB SPAN <<<"$(gc_phase "$GC_FROM" "$TMP/gc.log")"
    say "wrk: $REQUESTS requests, $RPS req/s, p50 $P50, p99 $P99, errors $ERRORS"
    say "GC during the load: $YOUNG young pauses, $FULL full pauses, $OTHER other pauses (remark, cleanup)"
    if [[ "$FULL" -gt 0 ]]; then
        tail -n +"$((GC_FROM + 1))" "$TMP/gc.log" | grep "Pause Full" | sed 's/^/    /'
    fi
    if [[ "$RPS" != - ]] && awk -v s="$SPAN" 'BEGIN { exit !(s > 0) }'; then
        say "$(awk -v a="$ALLOC_MB" -v s="$SPAN" -v r="$RPS" 'BEGIN {
            printf "allocation (from the GC log, %.1f s between the first and last pause): %.0f MB/s, ~%.1f KB per request", s, a / s, a / s * 1024 / r }')"
    fi
    if ! kill -0 "$PACER_PID" 2>/dev/null; then
        say "Pacer died during the load; end of its log:"
        tail -20 "$TMP/pacer.log" | sed 's/^/    /'
    else
        say "after the load:         $(snapshot "$PACER_PID")"
        [[ "$FULL" == 0 && "$RPS" != - ]] && LOAD_OK=1
    fi
fi
say ""

# ---- summary -------------------------------------------------------------------------------------

HWM_KB=$(status_kb "$PACER_PID" VmHWM 2>/dev/null || echo 0)
IDLE_OK=0
if [[ "$IDLE_OPEN" == "$IDLE" && "$IDLE_RSS_KB" -lt $((RSS_LIMIT_MB * 1024)) ]]; then
    IDLE_OK=1
fi
verdict() { [[ "$1" == 1 ]] && echo PASS || echo FAIL; }
warns=$(grep -c -E " (WARN|ERROR) " "$TMP/pacer.log" || true)
say "## summary (pacer JVM: $PACER_JVM_OPTS)"
say "(a) VmRSS with $IDLE_OPEN of $IDLE idle keep-alive connections: $(mb "$IDLE_RSS_KB") MB (target < $RSS_LIMIT_MB MB): $(verdict $IDLE_OK)"
say "(b) ${LOAD_SECONDS}s of wrk -c$LOAD_CONNECTIONS: ${RPS:--} req/s, ${ERRORS:--} errors, ${YOUNG:--} young pauses, ${FULL:--} full pauses (target 0): $(verdict $LOAD_OK)"
say "largest VmRSS of the run (VmHWM): $(mb "$HWM_KB") MB; WARN/ERROR lines in Pacer's log: $warns"
if [[ "$IDLE_OK" == 1 && "$LOAD_OK" == 1 ]]; then
    exit 0
fi
exit 1
