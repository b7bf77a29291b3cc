#!/bin/sh
# Starts a real Prometheus against a running Pacer, with ops/prometheus/alerts.yml loaded, waits for
# its first scrape and shows queries answering; then stops it (or keeps it, with KEEP=1).
#
# usage: ops/prometheus/try-prometheus.sh [PACER_ADMIN]
#   PACER_ADMIN      host:port of Pacer's admin API; default 127.0.0.1:8081 (config/pacer.toml's)
#   PROMETHEUS_PORT  where this Prometheus listens; default 9099
#   KEEP=1           leave Prometheus running (Ctrl-C stops it) to browse http://127.0.0.1:9099
#
# Needs prometheus, promtool and curl (Debian: apt-get install prometheus curl).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
target=${1:-127.0.0.1:8081}
port=${PROMETHEUS_PORT:-9099}
api=http://127.0.0.1:$port

for tool in prometheus promtool curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "try-prometheus: $tool is not installed (Debian: apt-get install prometheus curl)" >&2
        exit 1
    fi
done

if ! curl -fsS -o /dev/null "http://$target/metrics"; then
    echo "try-prometheus: no Pacer metrics at http://$target/metrics: start Pacer with an admin API first" >&2
    exit 1
fi

work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$work/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $here/alerts.yml
scrape_configs:
  - job_name: pacer
    static_configs:
      - targets: ["$target"]
CONFIG
promtool check config "$work/prometheus.yml" >/dev/null

prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
pid=$!

# Waits until "$@" succeeds, for up to 30 s; gives up if Prometheus exits.
await() {
    what=$1
    shift
    tries=0
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "try-prometheus: Prometheus exited while waiting for $what:" >&2
            cat "$work/prometheus.log" >&2
            exit 1
        fi
        tries=$((tries + 1))
        if [ "$tries" -gt 150 ]; then
            echo "try-prometheus: no $what after 30 s; Prometheus log:" >&2
            cat "$work/prometheus.log" >&2
            exit 1
        fi
        sleep 0.2
    done
}

query() {
    curl -fsS --get --data-urlencode "query=$1" "$api/api/v1/query"
}

scraped() {
    query 'up{job="pacer"} == 1' | grep -q '"value"'
}

await "Prometheus on 127.0.0.1:$port" curl -fsS "$api/-/ready"
await "first scrape of $target" scraped

echo "Prometheus $api scrapes Pacer at $target; rules from $here/alerts.yml."
for q in 'up{job="pacer"}' \
         'pacer_route_table_version{job="pacer"}' \
         'sum by (app) (pacer_requests_total{job="pacer"})'; do
    echo
    echo "query: $q"
    query "$q"
    echo
done
echo
echo "alerting rules loaded: $(curl -fsS "$api/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)"

if [ "${KEEP:-0}" = 1 ]; then
    echo "Prometheus keeps running at $api (Ctrl-C stops it)."
    wait "$pid"
fi
