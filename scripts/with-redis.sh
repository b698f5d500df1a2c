#!/usr/bin/env bash
# Runs a command beside a throwaway Redis (apt `redis-server`, installed by scripts/install-deps.sh):
# a random loopback port, no persistence, protected mode on. The command sees
# VIDEOGENX_TEST_REDIS_URL (redis://127.0.0.1:PORT) and VIDEOGENX_TEST_REDIS_BIN (the server
# binary, for tests that start and kill a private one). The server is stopped when the command
# ends, whatever its outcome. Without redis-server the command runs alone (the Redis suites then
# skip; with CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(command -v redis-server || true)
if [ -z "$bin" ]; then
    echo "with-redis: redis-server not found (make deps)" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exec "$@"
fi
source scripts/loopback.sh
port=$(free_port)
dir=$(mktemp -d /tmp/vgx-redis.XXXXXX)
"$bin" --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
pid=$!
stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap stop EXIT
wait_port "$port" 5 || true
export VIDEOGENX_TEST_REDIS_URL="redis://127.0.0.1:$port" VIDEOGENX_TEST_REDIS_BIN="$bin"
"$@"
