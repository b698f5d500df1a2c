#!/usr/bin/env bash
# Telemetry overhead (docs/benchmarks.md, issue 16): GET /api/v1/video/task/{id} on a release
# `serve` with metrics and tracing on (sampling 1.0, OTLP/HTTP export to a local receiver,
# tools/otel/otlp_receiver.py --count) against one with both off (metrics.enabled=false, no
# otel.endpoint), in the same run: ROUNDS rounds of wrk (-t2 -c32, SECONDS s each) on each,
# alternating which goes first; prints each round, the medians and the ratio on/off.
# Variants: SAMPLING=0.1 (otel.sampling_ratio of the 'on' server), TRACING=off (metrics only).
# Servers listen on loopback ports chosen here and are stopped (by PID) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/videogenx
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_ROUND:-5}
command -v wrk >/dev/null || apt-get install -y -q --no-install-recommends wrk >/dev/null
bash scripts/install-otel-deps.sh

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
work=$(mktemp -d /tmp/vgx-bench-telemetry.XXXXXX)

receiver=$(free_port)
.venv-otel/bin/python tools/otel/otlp_receiver.py "$receiver" --count > "$work/receiver.out" &
pids+=($!)

# The admin key's rate limit is raised: this measures the read path, not the limiter.
export VIDEOGENX_TIERS_ADMIN_REQUESTS_PER_SECOND=1000000 VIDEOGENX_TIERS_ADMIN_BURST=1000000
export VIDEOGENX_SECURITY_ALLOW_BEARER=true VIDEOGENX_LOG_LEVEL=warning
export VIDEOGENX_LIMITS_DURATION_MIN=1 VIDEOGENX_LIMITS_STEPS_MIN=1 VIDEOGENX_API_MAX_IN_FLIGHT=100000

# Not called in $(…): the server's PID must reach `pids` in this shell, or cleanup misses it.
start_serve() { # name, then env assignments → sets $port
    local name=$1
    shift
    port=$(free_port)
    env "$@" $bin serve --port "$port" --data-dir "$work/$name" >/dev/null 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "serve ($name) did not start: $(tail -n 3 "$work/$name.log")" >&2; exit 1; }
}
sampling=${SAMPLING:-1.0}
if [ "${TRACING:-on}" = on ]; then
    start_serve on VIDEOGENX_OTEL_ENDPOINT="http://127.0.0.1:$receiver" VIDEOGENX_OTEL_SAMPLING_RATIO="$sampling" VIDEOGENX_METRICS_ENABLED=true
else
    start_serve on VIDEOGENX_METRICS_ENABLED=true
fi
on=$port
start_serve off VIDEOGENX_METRICS_ENABLED=false
off=$port

task_of() { # port name → a finished task's id
    $bin submit "a lighthouse at dusk" --server "http://127.0.0.1:$1" --key-file "$work/$2/admin-key.json" \
        --resolution 720P --fps 24 --duration 1 --steps 2 --wait -o "$work/$2.mp4" 2>/dev/null | head -1
}
bearer() { python3 -c 'import json,sys; k=json.load(open(sys.argv[1])); print(k["key_id"] + ":" + k["secret"])' "$work/$1/admin-key.json"; }
on_task=$(task_of "$on" on); off_task=$(task_of "$off" off)

measure() { # port name task → requests per second
    wrk -t2 -c32 -d"${seconds}s" -H "Authorization: Bearer $(bearer "$2")" "http://127.0.0.1:$1/api/v1/video/task/$3" \
        | awk '/Requests\/sec/ {print $2}'
}
echo "== GET /api/v1/video/task/{id}: metrics + tracing ${TRACING:-on} (sampling $sampling) vs both off, wrk -t2 -c32 -d${seconds}s, $rounds rounds"
on_rates=(); off_rates=()
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        a=$(measure "$on" on "$on_task"); b=$(measure "$off" off "$off_task")
    else
        b=$(measure "$off" off "$off_task"); a=$(measure "$on" on "$on_task")
    fi
    on_rates+=("$a"); off_rates+=("$b")
    echo "round $round: on $a req/s, off $b req/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
m_on=$(median "${on_rates[@]}"); m_off=$(median "${off_rates[@]}")
echo "median: on $m_on req/s, off $m_off req/s, ratio on/off $(python3 -c "print(f'{$m_on / $m_off:.3f}')")"
echo "metrics on the 'on' server: $(curl -s "http://127.0.0.1:$on/metrics" | grep -c '^videogenx_') videogenx_ series; " \
     "GET task requests counted: $(curl -s "http://127.0.0.1:$on/metrics" | awk '/^videogenx_http_requests_total\{route="\/api\/v1\/video\/task\/\{id\}",method="GET",status="200"\}/ {print $2}')"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "OTLP $(cat "$work/receiver.out")"
rm -rf "$work"
