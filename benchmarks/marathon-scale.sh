#!/usr/bin/env bash
# Discovery at cluster scale: a real Pacer process following a fake Marathon of APPS apps of TASKS
# tasks (default 10,000 x 3, /v2/apps about 17 MB), with the heap the README recommends.
#
# Build first (this script builds nothing):
#     mvn -q -DskipTests package
# then, from anywhere:
#     benchmarks/marathon-scale.sh
#
# io.pacer.benchmarks.MarathonScaleRig starts Pacer itself and prints:
#   - the first sync: Pacer's start to the probe app being live through the data plane;
#   - event -> live route (p50/p90/p99/max) for four kinds of event, each read through Pacer's
#     data plane: a task killed, a task replaced (one /v2/apps/{id} read), a task unhealthy and
#     healthy again;
#   - how many /v2/apps and /v2/apps/{id} reads those events cost;
#   - Pacer's RSS, heap after a full GC and /metrics scrape size after the first sync and at the end.
# Exit status 0 when every event became live and Pacer stayed up. Loopback only; Linux (/proc)
# and a JDK with jcmd.
#
# Settings (environment variables, defaults in brackets):
#   APPS [10000]  TASKS [3]  ROUNDS [30] (four events each)
#   BASE_PORT [18380]  Pacer; +1 admin, +2 fake Marathon, +3 +4 the probe's upstreams
#   PACER_JVM_OPTS ["-Xms64m -Xmx256m"]
#   KEEP_TMP [0]  1 keeps pacer.toml and pacer.log (their directory is printed)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACER_JAR="$ROOT/proxy/target/pacer.jar"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
APPS="${APPS:-10000}"
TASKS="${TASKS:-3}"
ROUNDS="${ROUNDS:-30}"
BASE_PORT="${BASE_PORT:-18380}"
PACER_JVM_OPTS="${PACER_JVM_OPTS:--Xms64m -Xmx256m}"
KEEP_TMP="${KEEP_TMP:-0}"

for jar in "$PACER_JAR" "$BENCH_JAR"; do
    if [[ ! -f "$jar" ]]; then
        echo "marathon-scale: $jar is missing; build first: (cd $ROOT && mvn -q -DskipTests package)" >&2
        exit 1
    fi
done
TMP="$(mktemp -d)"
cleanup() {
    if [[ "$KEEP_TMP" == 1 ]]; then
        echo "pacer.toml and pacer.log kept in $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT

echo "marathon-scale: $APPS apps x $TASKS tasks, Pacer with $PACER_JVM_OPTS, $ROUNDS rounds of 4 events"
java -Xmx768m -cp "$BENCH_JAR" io.pacer.benchmarks.MarathonScaleRig --pacer-jar "$PACER_JAR" \
    --jvm "$PACER_JVM_OPTS" --apps "$APPS" --tasks "$TASKS" --rounds "$ROUNDS" --base-port "$BASE_PORT" \
    --workdir "$TMP"
