#!/usr/bin/env bash
# The cluster benchmarks of docs/benchmarks.md, on a release build beside a throwaway PostgreSQL
# (run it through scripts/with-postgres.sh, as `make bench-cluster` does):
#   1. bench store --store postgres: PostgresTaskStore vs its raw statements, claims of 8 vs 1;
#   2. loadtest against one api process, then against two api processes on one database.
# Servers listen on loopback ports chosen here and are stopped (by PID) at the end.
set -euo pipefail
: "${VIDEOGENX_TEST_POSTGRES_URL:?run through scripts/with-postgres.sh}"
bin=.build/release/videogenx
requests=${REQUESTS:-4000}
concurrency=${CONCURRENCY:-64}

admin_url=$VIDEOGENX_TEST_POSTGRES_URL
database_url() { echo "${admin_url%/postgres?*}/$1?sslmode=disable"; }
port=$(echo "$admin_url" | sed 's/.*:\([0-9]*\)\/.*/\1/')
psql_admin() { psql -h 127.0.0.1 -p "$port" -U postgres -qAt -c "$1" postgres; }
source scripts/loopback.sh

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== bench store --store postgres"
VIDEOGENX_STORE_URL=$admin_url $bin bench store --store postgres --tasks 2000 --rounds 3

# The rate limit of the admin key is raised: this measures the submit path, not the limiter.
export VIDEOGENX_TIERS_ADMIN_REQUESTS_PER_SECOND=1000000 VIDEOGENX_TIERS_ADMIN_BURST=1000000
export VIDEOGENX_API_MAX_QUEUE_DEPTH=100000000 VIDEOGENX_LOG_LEVEL=warning

# Not called in $(…): the server's PID must reach `pids` in this shell, or cleanup misses it.
start_api() { # database data-dir → sets $port
    port=$(free_port)
    VIDEOGENX_STORE_URL=$(database_url "$1") $bin api --port "$port" --data-dir "$2" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

for nodes in 1 2; do
    db="vgx_loadtest_$nodes"
    data=$(mktemp -d /tmp/vgx-loadtest.XXXXXX)
    psql_admin "DROP DATABASE IF EXISTS $db" && psql_admin "CREATE DATABASE $db"
    start_api "$db" "$data"
    a=$port
    servers=(--server "http://127.0.0.1:$a")
    if [ "$nodes" = 2 ]; then
        start_api "$db" "$data"
        b=$port
        servers+=(--also-server "http://127.0.0.1:$b")
    fi
    echo "== loadtest, $nodes api node(s) on PostgreSQL"
    $bin loadtest "${servers[@]}" --key-file "$data/admin-key.json" --requests "$requests" --concurrency "$concurrency" --no-compare-store
    cleanup
    pids=()
    rm -rf "$data"
done
