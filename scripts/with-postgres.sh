#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb in a temporary folder (as the
# `postgres` OS user when run as root: initdb refuses root), a random loopback port, fsync on;
# the command sees VIDEOGENX_TEST_POSTGRES_URL (and VIDEOGENX_TEST_PG_BIN / _PG_DATA / _PG_RUNAS
# for tests that restart the server). The cluster is stopped and removed when the command ends,
# whatever its outcome. With CI=true a cluster that cannot start fails the run.
set -euo pipefail

source "$(dirname "$0")/postgres-server.sh"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exec "$@"
fi

dir=$(mktemp -d /tmp/vgx-pg.XXXXXX)
source "$(dirname "$0")/loopback.sh"
port=$(free_port)

stop() {
    "${pg_runas[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

pg_initdb "$dir/data" "$dir/initdb.log" || {
    cat "$dir/initdb.log" >&2
    exit 1
}
# fsync on (the default) as the issue asks; connections for the parallel test suites.
opts="-h 127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=400 -c shared_buffers=128MB"
"${pg_runas[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
}
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2

export VIDEOGENX_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export VIDEOGENX_TEST_PG_BIN="$pg_bin" VIDEOGENX_TEST_PG_DATA="$dir/data" VIDEOGENX_TEST_PG_OPTS="$opts"
export VIDEOGENX_TEST_PG_RUNAS="${pg_runas[*]}"
set +e
"$@"
status=$?
set -e
exit $status
