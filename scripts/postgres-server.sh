# PostgreSQL server helpers shared by scripts/with-postgres.sh and scripts/cluster.sh (sourced,
# not run): the newest installed server's binaries and how to run them — as the `postgres` OS
# user when this runs as root, since initdb refuses root.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_runas=()
[ "$(id -u)" -eq 0 ] && pg_runas=(runuser -u postgres --)

# pg_initdb DATA LOG: a new cluster in DATA (its parent owned by the server's user), trust
# authentication for `postgres`, UTF-8; initdb's output goes to LOG.
pg_initdb() {
    [ "$(id -u)" -eq 0 ] && chown postgres: "$(dirname "$1")"
    "${pg_runas[@]}" "$pg_bin/initdb" -D "$1" -A trust -U postgres -E UTF8 --no-instructions >"$2" 2>&1
}
