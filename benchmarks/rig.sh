# What compare.sh and memory.sh share: process handling and the app they route. Sourced, not run.
#
# Every process a script starts goes through start_bg, which remembers its pid in PIDS; the
# script's EXIT trap calls stop_all, so nothing outlives a run, whatever ends it. Expects TMP (the
# run's scratch directory) and KEEP_TMP (1 keeps it) to be set by the script.

PIDS=()

say() { printf '%s\n' "$*"; }

have() { command -v "$1" >/dev/null 2>&1; }

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_pid PID: TERM, up to 10 s to exit, then KILL.
stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# stop_all: stops every process in PIDS and removes TMP (or says where it was kept).
stop_all() {
    local pid
    set +e
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    if [[ "$KEEP_TMP" == 1 ]]; then
        say "configs and logs kept in $TMP"
    else
        rm -rf "$TMP"
    fi
}

# start_bg LOG CMD...: runs CMD in the background, remembers its pid in PIDS and in $LAST_PID.
start_bg() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

# forget_pid PID: drops a process that has already ended from PIDS.
forget_pid() {
    local pid=$1 kept=() p
    for p in "${PIDS[@]}"; do
        [[ "$p" == "$pid" ]] || kept+=("$p")
    done
    PIDS=("${kept[@]+"${kept[@]}"}")
}

# stop_bg PID: stops one process started by start_bg and forgets it.
stop_bg() {
    stop_pid "$1"
    forget_pid "$1"
}

# wait_port PORT PID LOG: waits up to 30 s for PORT to accept connections while PID lives.
wait_port() {
    local port=$1 pid=$2 log=$3 i
    for i in $(seq 1 300); do
        if port_open "$port"; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            say "process $pid exited before listening on $port; its log ($log):"
            tail -20 "$log" 2>/dev/null | sed 's/^/    /' || true
            return 1
        fi
        sleep 0.1
    done
    say "nothing listens on $port after 30 s; log ($log):"
    tail -20 "$log" 2>/dev/null | sed 's/^/    /' || true
    return 1
}

# write_apps_file FILE PORT1 PORT2: the app /hello-world with two tasks on loopback, in the shape
# of Marathon's GET /v2/apps?embed=apps.tasks, for Pacer's apps_file.
write_apps_file() {
    cat >"$1" <<EOF
{"apps": [{
  "id": "/hello-world", "labels": {}, "healthChecks": [], "readinessChecks": [],
  "tasks": [
    {"id": "hello-world.1", "appId": "/hello-world", "host": "127.0.0.1", "ports": [$2],
     "state": "TASK_RUNNING", "healthCheckResults": []},
    {"id": "hello-world.2", "appId": "/hello-world", "host": "127.0.0.1", "ports": [$3],
     "state": "TASK_RUNNING", "healthCheckResults": []}
  ]
}]}
EOF
}
