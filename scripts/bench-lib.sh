# Shared by the benchmark scripts that run release `serve` processes on loopback (sourced, not
# run): free ports, servers started and stopped by PID, a finished task, a Bearer credential,
# medians, wrk rounds (ROUNDS, default 5, of SECONDS_PER_ROUND s, default 5). The caller sets
# `work` (a scratch folder) before sourcing this.
bin=.build/release/videogenx
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_ROUND:-5}
command -v wrk >/dev/null || apt-get install -y -q --no-install-recommends wrk >/dev/null
source scripts/loopback.sh
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The admin key's rate limit is raised: the benchmarks measure the read path, not the limiter.
export VIDEOGENX_TIERS_ADMIN_REQUESTS_PER_SECOND=1000000 VIDEOGENX_TIERS_ADMIN_BURST=1000000
export VIDEOGENX_SECURITY_ALLOW_BEARER=true VIDEOGENX_LOG_LEVEL=warning
export VIDEOGENX_LIMITS_DURATION_MIN=1 VIDEOGENX_LIMITS_STEPS_MIN=1 VIDEOGENX_API_MAX_IN_FLIGHT=100000

# start_serve NAME [ENV=VALUE…] → sets $port. Not to be called in $(…): the server's PID must
# reach `pids` in this shell, or cleanup misses it.
start_serve() {
    local name=$1
    shift
    port=$(free_port)
    env "$@" $bin serve --port "$port" --data-dir "$work/$name" >/dev/null 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "serve ($name) did not start: $(tail -n 3 "$work/$name.log")" >&2; exit 1; }
}

# task_of PORT NAME → the id of a finished 1-second 720P task made on that server.
task_of() {
    $bin submit "a lighthouse at dusk" --server "http://127.0.0.1:$1" --key-file "$work/$2/admin-key.json" \
        --resolution 720P --fps 24 --duration 1 --steps 2 --wait -o "$work/$2.mp4" 2>/dev/null | head -1
}

# bearer NAME → KEY_ID:SECRET of that server's admin key.
bearer() { python3 -c 'import json,sys; k=json.load(open(sys.argv[1])); print(k["key_id"] + ":" + k["secret"])' "$work/$1/admin-key.json"; }

# wrk_run URL [HEADER] → wrk's whole report for $seconds s, with the threads and connections in
# $wrk_load (default `-t2 -c32`).
wrk_run() {
    local load=${wrk_load:--t2 -c32}
    # shellcheck disable=SC2086 # $load is two options
    if [ $# -gt 1 ]; then wrk $load -d"${seconds}s" -H "$2" "$1"; else wrk $load -d"${seconds}s" "$1"; fi
}

# rate_of < REPORT → the requests per second of a wrk report.
rate_of() { awk '/Requests\/sec/ {print $2}'; }

# wrk_rate URL [HEADER] → requests per second of wrk_run.
wrk_rate() { wrk_run "$@" | rate_of; }

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
