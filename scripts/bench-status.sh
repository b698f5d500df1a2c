#!/usr/bin/env bash
# Status reads (docs/benchmarks.md, issue 17): GET /api/v1/video/task/{id} with a Bearer admin
# key (rate limit raised) against GET /healthz of the same release `serve`, wrk -t2 -c32,
# ROUNDS rounds of SECONDS s each, alternating which goes first; prints each round, the
# medians and the ratio task/healthz (goal ≥ 0.5). Extra ENV=VALUE arguments configure the
# server (e.g. VIDEOGENX_CACHE_MAX_ENTRIES=0 for no status cache).
# The server listens on a loopback port chosen here and is stopped (by PID) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/vgx-bench-status.XXXXXX)
source scripts/bench-lib.sh

start_serve serve "$@"
task=$(task_of "$port" serve)
echo "== GET /api/v1/video/task/{id} (Bearer) vs GET /healthz, one serve${*:+ with $*}, wrk -t2 -c32 -d${seconds}s, $rounds rounds"
task_rates=(); health_rates=()
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        t=$(wrk_rate "http://127.0.0.1:$port/api/v1/video/task/$task" "Authorization: Bearer $(bearer serve)"); h=$(wrk_rate "http://127.0.0.1:$port/healthz")
    else
        h=$(wrk_rate "http://127.0.0.1:$port/healthz"); t=$(wrk_rate "http://127.0.0.1:$port/api/v1/video/task/$task" "Authorization: Bearer $(bearer serve)")
    fi
    task_rates+=("$t"); health_rates+=("$h")
    echo "round $round: task $t req/s, healthz $h req/s"
done
m_task=$(median "${task_rates[@]}"); m_health=$(median "${health_rates[@]}")
echo "median: task $m_task req/s, healthz $m_health req/s, ratio task/healthz $(ratio "$m_task" "$m_health")"
rm -rf "$work"
