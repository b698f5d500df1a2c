#!/usr/bin/env bash
# Telemetry overhead (docs/benchmarks.md, issue 16): GET /api/v1/video/task/{id} on a release
# `serve` with metrics and tracing on (sampling 1.0, OTLP/HTTP export to a local receiver,
# tools/otel/otlp_receiver.py --count) against one with both off (metrics.enabled=false, no
# otel.endpoint), in the same run: ROUNDS rounds of wrk (-t2 -c32, SECONDS s each) on each,
# alternating which goes first; prints each round, the medians and the ratio on/off.
# Variants: SAMPLING=0.1 (otel.sampling_ratio of the 'on' server), TRACING=off (metrics only),
# TRACING=none (an A/A check: the 'on' server has both off too).
# MODE=concurrent: each round loads both servers at once (wrk -t1 -c16 on each, alternating which
# starts first), so both see the same machine speed; prints each round's ratio and server CPU per
# request (/proc/PID/stat), and the median of the rounds' ratios.
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
case "${TRACING:-on}" in
    on) start_serve on VIDEOGENX_OTEL_ENDPOINT="http://127.0.0.1:$receiver" VIDEOGENX_OTEL_SAMPLING_RATIO="$sampling" VIDEOGENX_METRICS_ENABLED=true ;;
    off) start_serve on VIDEOGENX_METRICS_ENABLED=true ;;
    none) start_serve on VIDEOGENX_METRICS_ENABLED=false ;;
    *) echo "TRACING must be on, off or none, got '$TRACING'" >&2; exit 2 ;;
esac
on=$port on_pid=${pids[-1]}
start_serve off VIDEOGENX_METRICS_ENABLED=false
off=$port off_pid=${pids[-1]}
on_task=$(task_of "$on" on); off_task=$(task_of "$off" off)

# read_task NAME PORT TASK → wrk's report of reading that server's finished task.
read_task() { wrk_run "http://127.0.0.1:$2/api/v1/video/task/$3" "Authorization: Bearer $(bearer "$1")"; }
if [ "${MODE:-alternate}" = concurrent ]; then
    # cpu PID → the process's user + system CPU in clock ticks of tick_us µs.
    cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
    tick_us=$((1000000 / $(getconf CLK_TCK)))
    wrk_load="-t1 -c16"
    # load NAME PORT TASK → read_task's report in $work/NAME.wrk.
    load() { read_task "$@" > "$work/$1.wrk"; }
    echo "== GET /api/v1/video/task/{id}, both servers loaded at once: metrics + tracing ${TRACING:-on} (sampling $sampling) vs both off, wrk $wrk_load -d${seconds}s each, $rounds rounds"
    ratios=()
    for round in $(seq 1 "$rounds"); do
        on_cpu=$(cpu "$on_pid"); off_cpu=$(cpu "$off_pid")
        if [ $((round % 2)) = 1 ]; then
            load on "$on" "$on_task" & first=$!; load off "$off" "$off_task"
        else
            load off "$off" "$off_task" & first=$!; load on "$on" "$on_task"
        fi
        wait "$first"
        on_cpu=$(($(cpu "$on_pid") - on_cpu)); off_cpu=$(($(cpu "$off_pid") - off_cpu))
        a=$(rate_of < "$work/on.wrk"); b=$(rate_of < "$work/off.wrk")
        n_on=$(awk '/requests in/ {print $1}' "$work/on.wrk"); n_off=$(awk '/requests in/ {print $1}' "$work/off.wrk")
        ratios+=("$(ratio "$a" "$b")")
        echo "round $round: on $a req/s, off $b req/s, ratio ${ratios[-1]}; server CPU per request on $((on_cpu * tick_us / n_on)) µs, off $((off_cpu * tick_us / n_off)) µs"
    done
    echo "median of the rounds' ratios on/off: $(median "${ratios[@]}")"
else
    echo "== GET /api/v1/video/task/{id}: metrics + tracing ${TRACING:-on} (sampling $sampling) vs both off, wrk -t2 -c32 -d${seconds}s, $rounds rounds"
    on_rates=(); off_rates=()
    for round in $(seq 1 "$rounds"); do
        if [ $((round % 2)) = 1 ]; then
            a=$(read_task on "$on" "$on_task" | rate_of); b=$(read_task off "$off" "$off_task" | rate_of)
        else
            b=$(read_task off "$off" "$off_task" | rate_of); a=$(read_task on "$on" "$on_task" | rate_of)
        fi
        on_rates+=("$a"); off_rates+=("$b")
        echo "round $round: on $a req/s, off $b req/s"
    done
    m_on=$(median "${on_rates[@]}"); m_off=$(median "${off_rates[@]}")
    echo "median: on $m_on req/s, off $m_off req/s, ratio on/off $(ratio "$m_on" "$m_off")"
fi
echo "metrics on the 'on' server: $(curl -s "http://127.0.0.1:$on/metrics" | grep -c '^videogenx_') videogenx_ series; " \
     "GET task requests counted: $(curl -s "http://127.0.0.1:$on/metrics" | awk '/^videogenx_http_requests_total\{route="\/api\/v1\/video\/task\/\{id\}",method="GET",status="200"\}/ {print $2}')"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
echo "OTLP $(cat "$work/receiver.out")"
rm -rf "$work"
