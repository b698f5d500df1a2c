#!/usr/bin/env bash
# Runs a command beside a throwaway S3-compatible server: moto's server (.venv-s3, from
# scripts/install-s3-deps.sh) on a random loopback port with signature checking on (IAM auth:
# every request after the set-up must be signed by the key made here, so a wrong secret is
# refused). The command sees VIDEOGENX_TEST_S3_ENDPOINT, _S3_BUCKET, _S3_ACCESS_KEY,
# _S3_SECRET_KEY, _S3_PID, and _S3_OPEN_ENDPOINT (a second moto without signature checks, for
# presigned downloads; same bucket, any key). The servers are stopped when the command ends,
# whatever its outcome.
# Without the venv the command runs alone (the S3 suites then skip; with CI=true it fails).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${S3_VENV:-.venv-s3}
if [ ! -x "$VENV/bin/moto_server" ]; then
    echo "with-s3: $VENV/bin/moto_server not found (make s3-deps)" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exec "$@"
fi
source scripts/loopback.sh
pids=()
logs=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -f "${logs[@]}"
}
trap stop EXIT
# start_moto PORT [ENV=VALUE...]: moto_server on 127.0.0.1:PORT, waited for.
start_moto() {
    local port=$1 log
    shift
    log=$(mktemp /tmp/vgx-moto.XXXXXX.log)
    logs+=("$log")
    env "$@" S3_UPLOAD_PART_MIN_SIZE=1024 MOTO_ALLOW_NONEXISTENT_REGION=true \
        "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    pids+=($!)
    wait_port "$port" 10 && return 0
    echo "with-s3: moto did not start on port $port:" >&2; cat "$log" >&2; return 1
}
# The signing server: the first 3 requests (IAM: user, policy, key) need no signature; every
# later one does. Parts may be as small as 1 KiB so the tests' multipart uploads stay small.
port=$(free_port)
start_moto "$port" INITIAL_NO_AUTH_ACTION_COUNT=3
pid=${pids[0]}
keys=$("$VENV/bin/python" tools/s3/setup_moto.py "http://127.0.0.1:$port") || {
    echo "with-s3: setting moto up failed:" >&2; cat "${logs[0]}" >&2; exit 1
}
read -r access secret <<<"$keys"
# The open server: moto in IAM mode cannot serve presigned GETs (it reads only the
# Authorization header and answers 500), so downloads through presigned URLs go to a second
# server that checks no signature. It accepts any key; the bucket is made there too.
open_port=$(free_port)
start_moto "$open_port"
"$VENV/bin/python" tools/s3/setup_moto.py "http://127.0.0.1:$open_port" >/dev/null || {
    echo "with-s3: setting the open moto up failed:" >&2; cat "${logs[1]}" >&2; exit 1
}
export VIDEOGENX_TEST_S3_ENDPOINT="http://127.0.0.1:$port" VIDEOGENX_TEST_S3_BUCKET=vgx-test \
    VIDEOGENX_TEST_S3_ACCESS_KEY="$access" VIDEOGENX_TEST_S3_SECRET_KEY="$secret" VIDEOGENX_TEST_S3_PID="$pid" \
    VIDEOGENX_TEST_S3_OPEN_ENDPOINT="http://127.0.0.1:$open_port"
"$@"
