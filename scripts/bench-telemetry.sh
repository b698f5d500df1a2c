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
bash scripts/install-otel-deps.sh
work=$(mktemp -d /tmp/vgx-bench-telemetry.XXXXXX)
source scripts/bench-lib.sh

receiver=$(free_port)
.venv-otel/bin/python tools/otel/otlp_receiver.py "$receiver" --count > "$work/receiver.out" &
pids+=($!)

sampling=${SAMPLING:-1.0}
if [ "${TRACING:-on}" = on ]; then
    start_serve on VIDEOGENX_OTEL_ENDPOINT="http://127.0.0.1:$receiver" VIDEOGENX_OTEL_SAMPLING_RATIO="$sampling" VIDEOGENX_METRICS_ENABLED=true
else
    start_serve on VIDEOGENX_METRICS_ENABLED=true
fi
on=$port
start_serve off VIDEOGENX_METRICS_ENABLED=false
off=$port
on_task=$(task_of "$on" on); off_task=$(task_of "$off" off)

measure() { wrk_rate "http://127.0.0.1:$1/api/v1/video/task/$3" "Authorization: Bearer $(bearer "$2")"; }
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
m_on=$(median "${on_rates[@]}"); m_off=$(median "${off_rates[@]}")
echo "median: on $m_on req/s, off $m_off req/s, ratio on/off $(ratio "$m_on" "$m_off")"
echo "metrics on the 'on' server: $(curl -s "http://127.0.0.1:$on/metrics" | grep -c '^videogenx_') videogenx_ series; " \
     "GET task requests counted: $(curl -s "http://127.0.0.1:$on/metrics" | awk '/^videogenx_http_requests_total\{route="\/api\/v1\/video\/task\/\{id\}",method="GET",status="200"\}/ {print $2}')"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "OTLP $(cat "$work/receiver.out")"
rm -rf "$work"
