#!/usr/bin/env bash
# A one-machine VideoGenX cluster as plain processes on loopback (no containers), for trying the
# cluster mode and for the fault drill (make cluster / make drill / make cluster-down):
#   PostgreSQL (throwaway initdb), Redis, an S3-compatible server (moto, .venv-s3), Prometheus
#   (scraping every role), two `api` and two `worker` processes, all reading one config
#   ($CLUSTER_DIR/cluster.env). Ports are chosen at `up` and kept in $CLUSTER_DIR/ports.env.
# Usage: cluster.sh up | down | status | start NAME | kill NAME | restart NAME | pause NAME | resume NAME
#   NAME: postgres, redis, s3, prometheus, api-1, api-2, worker-1, worker-2.
# `down` stops exactly what `up` started, by the PIDs it recorded, and removes $CLUSTER_DIR.
# Each process runs in its own session (setsid): a paused one must not receive the SIGHUP the
# kernel sends to a process group that is orphaned while one of its members is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${CLUSTER_DIR:-$root/.cluster}
bin=${VIDEOGENX_BIN:-$root/.build/debug/videogenx}
source scripts/postgres-server.sh
source scripts/loopback.sh
wait_http() { # URL SECONDS
    for _ in $(seq 1 $(($2 * 10))); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}
pidfile() { echo "$dir/pids/$1"; }
alive() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

start() {
    local name=$1
    source "$dir/ports.env"
    case $name in
    postgres)
        "${pg_runas[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" \
            -o "-h 127.0.0.1 -p $PG_PORT -k $dir/pg -c fsync=on -c max_connections=200" -w -t 60 start < /dev/null > /dev/null 2>&1
        head -1 "$dir/pg/data/postmaster.pid" > "$(pidfile postgres)"
        ;;
    redis)
        setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$dir/redis" \
            --logfile "$dir/logs/redis.log" --daemonize no < /dev/null > /dev/null 2>&1 &
        echo $! > "$(pidfile redis)"
        wait_port "$REDIS_PORT" 10
        ;;
    s3)
        S3_UPLOAD_PART_MIN_SIZE=1024 MOTO_ALLOW_NONEXISTENT_REGION=true \
            setsid "$root/.venv-s3/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" < /dev/null > "$dir/logs/s3.log" 2>&1 &
        echo $! > "$(pidfile s3)"
        wait_port "$S3_PORT" 20
        ;;
    prometheus)
        setsid prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus" \
            --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" < /dev/null > "$dir/logs/prometheus.log" 2>&1 &
        echo $! > "$(pidfile prometheus)"
        wait_http "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 30
        ;;
    api-1 | api-2)
        local port=$API_1_PORT
        [ "$name" = api-2 ] && port=$API_2_PORT
        (set -a; source "$dir/cluster.env"; set +a
         exec setsid "$bin" api --port "$port" --data-dir "$dir/data/$name" --public-url "http://127.0.0.1:$port") \
            < /dev/null > "$dir/logs/$name.log" 2>&1 &
        echo $! > "$(pidfile "$name")"
        wait_http "http://127.0.0.1:$port/readyz" 60
        ;;
    worker-1 | worker-2)
        local port=$WORKER_1_PORT
        [ "$name" = worker-2 ] && port=$WORKER_2_PORT
        (set -a; source "$dir/cluster.env"; set +a
         exec setsid "$bin" worker --worker-port "$port" --data-dir "$dir/data/$name") < /dev/null > "$dir/logs/$name.log" 2>&1 &
        echo $! > "$(pidfile "$name")"
        wait_http "http://127.0.0.1:$port/healthz" 60
        ;;
    *) echo "cluster: unknown process $name" >&2; return 2 ;;
    esac
}

stop_one() { # NAME SIGNAL
    local name=$1 signal=${2:-TERM}
    if [ "$name" = postgres ]; then
        "${pg_runas[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    elif alive "$name"; then
        local pid
        pid=$(cat "$(pidfile "$name")")
        kill -CONT "$pid" 2>/dev/null || true
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pidfile "$name")"
}

up() {
    [ -d "$dir" ] && { echo "cluster: $dir exists; run make cluster-down first" >&2; exit 1; }
    [ -x "$bin" ] || { echo "cluster: $bin not built (make build)" >&2; exit 1; }
    [ -x "$root/.venv-s3/bin/moto_server" ] || { echo "cluster: moto missing (make s3-deps)" >&2; exit 1; }
    mkdir -p "$dir"/{pids,logs,redis,prometheus,keys,data/api-1,data/api-2,data/worker-1,data/worker-2,pg}
    cat > "$dir/ports.env" <<PORTS
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
S3_PORT=$(free_port)
PROMETHEUS_PORT=$(free_port)
API_1_PORT=$(free_port)
API_2_PORT=$(free_port)
WORKER_1_PORT=$(free_port)
WORKER_2_PORT=$(free_port)
PORTS
    source "$dir/ports.env"
    # One set of keys for every role: result URLs, webhooks and API-key secrets agree across nodes.
    for key in url-signing.key webhook-master.key secrets.key; do head -c 32 /dev/urandom > "$dir/keys/$key"; done
    for role in api-1 api-2 worker-1 worker-2; do
        cp "$dir/keys/url-signing.key" "$dir/keys/webhook-master.key" "$dir/data/$role/"
        chmod 600 "$dir/data/$role/"*.key
    done
    # The one config every api and worker reads (README "Configuration"), values quoted (the S3
    # URL holds '&'). Short leases so a
    # stopped worker loses its tasks within seconds; tiny clips allowed for the drill.
    cat > "$dir/cluster.env" <<CONFIG
VIDEOGENX_STORE_URL='postgres://postgres@127.0.0.1:$PG_PORT/videogenx?sslmode=disable'
VIDEOGENX_CACHE_URL='redis://127.0.0.1:$REDIS_PORT'
VIDEOGENX_OBJECTS_URL='s3://vgx-cluster?endpoint=http://127.0.0.1:$S3_PORT&region=us-east-1'
AWS_ACCESS_KEY_ID='cluster'
AWS_SECRET_ACCESS_KEY='cluster-secret'
VIDEOGENX_SECURITY_SECRETS_KEY_FILE='$dir/keys/secrets.key'
VIDEOGENX_SECURITY_URL_ALLOWLIST='127.0.0.1'
VIDEOGENX_LIMITS_DURATION_MIN='1'
VIDEOGENX_LIMITS_STEPS_MIN='1'
VIDEOGENX_WORKER_LEASE_SECONDS='6'
VIDEOGENX_WORKER_HEARTBEAT_SECONDS='1.5'
VIDEOGENX_WORKER_CAPACITY='2'
VIDEOGENX_WORKER_SHUTDOWN_GRACE_SECONDS='5'
VIDEOGENX_CALLBACKS_FIRST_DELAY_SECONDS='1'
VIDEOGENX_CALLBACKS_MAX_DELAY_SECONDS='4'
VIDEOGENX_LOG_LEVEL='info'
VIDEOGENX_LOG_FORMAT='json'
CONFIG
    cat > "$dir/prometheus.yml" <<PROM
global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: ['$root/deploy/prometheus/alerts.yml']
scrape_configs:
  - job_name: videogenx
    static_configs: [{targets: ['127.0.0.1:$API_1_PORT', '127.0.0.1:$API_2_PORT', '127.0.0.1:$WORKER_1_PORT', '127.0.0.1:$WORKER_2_PORT']}]
PROM
    pg_initdb "$dir/pg/data" "$dir/logs/initdb.log"
    start postgres
    "${pg_runas[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE videogenx" >/dev/null
    start redis
    start s3
    "$root/.venv-s3/bin/python" - "$S3_PORT" <<'PY'
import sys, boto3
boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
             aws_access_key_id="cluster", aws_secret_access_key="cluster-secret").create_bucket(Bucket="vgx-cluster")
PY
    (set -a; source "$dir/cluster.env"; set +a; "$bin" migrate >/dev/null 2>&1)
    for name in api-1 api-2 worker-1 worker-2 prometheus; do start "$name"; done
    status
}

status() {
    source "$dir/ports.env"
    echo "cluster ($dir, config $dir/cluster.env):"
    echo "  api        http://127.0.0.1:$API_1_PORT  http://127.0.0.1:$API_2_PORT   (console at /console/)"
    echo "  workers    http://127.0.0.1:$WORKER_1_PORT/readyz  http://127.0.0.1:$WORKER_2_PORT/readyz"
    echo "  prometheus http://127.0.0.1:$PROMETHEUS_PORT"
    echo "  postgres   postgres://postgres@127.0.0.1:$PG_PORT/videogenx   redis redis://127.0.0.1:$REDIS_PORT   s3 http://127.0.0.1:$S3_PORT (bucket vgx-cluster)"
    for name in postgres redis s3 prometheus api-1 api-2 worker-1 worker-2; do
        if [ "$name" = postgres ]; then
            "${pg_runas[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1 && echo "  $name up" || echo "  $name DOWN"
        else
            alive "$name" && echo "  $name up (pid $(cat "$(pidfile "$name")"))" || echo "  $name DOWN"
        fi
    done
}

down() {
    [ -d "$dir" ] || { echo "cluster: nothing to stop"; return 0; }
    for name in worker-1 worker-2 api-1 api-2 prometheus s3 redis postgres; do stop_one "$name"; done
    rm -rf "$dir"
    echo "cluster: stopped and removed"
}

case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
start) start "$2" ;;
kill) stop_one "$2" KILL ;;
restart) stop_one "$2" TERM; start "$2" ;;
pause) kill -STOP "$(cat "$(pidfile "$2")")" ;;
resume) kill -CONT "$(cat "$(pidfile "$2")")" ;;
*) echo "usage: $0 up | down | status | start NAME | kill NAME | restart NAME | pause NAME | resume NAME" >&2; exit 2 ;;
esac
