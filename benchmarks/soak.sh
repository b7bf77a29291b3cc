#!/usr/bin/env bash
# Soak test: a real Pacer process (java -jar proxy/target/pacer.jar) at steady load for DURATION
# seconds (default 600) with route churn, upstream restarts and Marathon event-stream drops; the
# short variant runs in CI as io.pacer.proxy.SoakTest.
#
# Build first (this script builds nothing):
#     mvn -q -DskipTests package
# then, from anywhere:
#     benchmarks/soak.sh [DURATION_SECONDS]
#
# What it does, on loopback only:
#   1. writes a pacer.toml whose marathon is a fake Marathon run by io.pacer.benchmarks.SoakRig,
#      and starts Pacer with it;
#   2. starts SoakRig, which serves that fake Marathon (/ping, /v2/apps, /v2/events) and the app's
#      upstream tasks (EchoUpstream), keeps CLIENTS keep-alive connections sending GET /app/soak,
#      changes the app's tasks every 100 ms (announced on the event stream), rotates one task every
#      second (new one listed, oldest delisted, closed once Pacer's /v1/config no longer has it)
#      and ends the event stream every 2 s;
#   3. prints requests, failed requests, Pacer's resident memory (VmRSS) and open descriptors after
#      the warm-up and at the end, one progress line a minute, and the Netty leak reports
#      ("LEAK:") found in Pacer's log. Exit status 0 only when nothing failed, leaked or grew.
# Every process it starts is stopped on exit, whatever happens.
#
# Settings (environment variables, defaults in brackets):
#   BASE_PORT [18180]   Pacer; +1 its admin API; +2 the fake Marathon
#   CLIENTS [8]         client connections
#   WARMUP [15]         seconds of load before the start figures are taken
#   PACER_JVM_OPTS ["-Xms256m -Xmx256m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=advanced"]
#                       a fixed, pre-touched heap, so that RSS measures growth rather than heap sizing
#   KEEP_TMP [0]        1 keeps the generated config and logs (their directory is printed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACER_JAR="$ROOT/proxy/target/pacer.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"

DURATION="${1:-600}"
BASE_PORT="${BASE_PORT:-18180}"
CLIENTS="${CLIENTS:-8}"
WARMUP="${WARMUP:-15}"
PACER_JVM_OPTS="${PACER_JVM_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch -Dio.netty.leakDetection.level=advanced}"
KEEP_TMP="${KEEP_TMP:-0}"

PACER_PORT=$BASE_PORT
ADMIN_PORT=$((BASE_PORT + 1))
MARATHON_PORT=$((BASE_PORT + 2))

if ! [[ "$DURATION" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [DURATION_SECONDS]   (default 600)" >&2
    exit 2
fi
for jar in "$PACER_JAR" "$BENCH_JAR"; do
    if [[ ! -f "$jar" ]]; then
        echo "soak: $jar is missing; build first: (cd $ROOT && mvn -q -DskipTests package)" >&2
        exit 2
    fi
done
if [[ ! -d /proc/self/fd ]]; then
    echo "soak: needs Linux /proc to read Pacer's RSS and descriptors" >&2
    exit 2
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/pacer-soak.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # bounded: 10 s of TERM, then KILL
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [[ "$KEEP_TMP" == 1 ]]; then
        echo "soak: config and logs kept in $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$TMP/pacer.toml" <<EOF
listen = "127.0.0.1:$PACER_PORT"
xproxy = "pacer-soak"
marathon = ["http://127.0.0.1:$MARATHON_PORT"]
port = $ADMIN_PORT
stream_watchdog = "15s"
log_level = "warn"
EOF

echo "soak: ${DURATION}s, $CLIENTS clients, Pacer on 127.0.0.1:$PACER_PORT (admin $ADMIN_PORT), fake Marathon on $MARATHON_PORT"
# shellcheck disable=SC2086
java $PACER_JVM_OPTS -jar "$PACER_JAR" -f "$TMP/pacer.toml" > "$TMP/pacer.log" 2>&1 &
PACER_PID=$!
PIDS+=("$PACER_PID")

# Wait (bounded) for Pacer's admin API to accept connections.
for _ in $(seq 1 300); do
    if ! kill -0 "$PACER_PID" 2>/dev/null; then
        echo "soak: Pacer exited at start-up; its log:" >&2
        cat "$TMP/pacer.log" >&2
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$ADMIN_PORT") 2>/dev/null; then
        break
    fi
    sleep 0.1
done

set +e
# The rig's EchoUpstream leaves its per-second answer buffers to the collector on purpose, which
# Netty's leak detector would report: the leak check is for Pacer's JVM only.
java -Xmx256m -Dio.netty.leakDetection.level=disabled -cp "$BENCH_JAR" io.pacer.benchmarks.SoakRig --pid "$PACER_PID" \
    --pacer "127.0.0.1:$PACER_PORT" --admin-port "$ADMIN_PORT" --marathon-port "$MARATHON_PORT" \
    --duration "$DURATION" --warmup "$WARMUP" --clients "$CLIENTS" &
RIG_PID=$!
PIDS+=("$RIG_PID")
wait "$RIG_PID"
status=$?
set -e

if ! kill -0 "$PACER_PID" 2>/dev/null; then
    echo "soak: FAIL: Pacer died during the run; end of its log:"
    tail -n 40 "$TMP/pacer.log"
    exit 1
fi
leaks=$(grep -c "LEAK:" "$TMP/pacer.log" || true)
echo "soak: leaked buffers reported by Netty in Pacer's log: $leaks"
if [[ "$leaks" != 0 ]]; then
    grep -m 5 -A 3 "LEAK:" "$TMP/pacer.log" || true
    status=1
fi
errors=$(grep -c " ERROR " "$TMP/pacer.log" || true)
echo "soak: ERROR lines in Pacer's log: $errors"
exit "$status"
