#!/usr/bin/env bash
# Validates the OpenAPI document a live `videogenx serve` answers at /openapi.yaml (compiled into
# the binary: Sources/VideoGenXServer/OpenAPIDocument.swift) and fuzzes that server (API only,
# loopback, a fresh data directory and its admin key) with schemathesis: no 5xx, every status
# documented, every response matching its schema. Bounded by FUZZ_EXAMPLES per operation (default 40).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

VENV=${FUZZ_VENV:-.venv-fuzz}
EXAMPLES=${FUZZ_EXAMPLES:-40}
BINARY=${VIDEOGENX_BINARY:-.build/debug/videogenx}

if [ ! -x "$VENV/bin/schemathesis" ]; then
  ensure_venv "$VENV"
  "$VENV/bin/pip" install --quiet schemathesis==4.32.5 openapi-spec-validator==0.9.0
fi
[ -x "$BINARY" ] || swift build --product videogenx
DATA=$(mktemp -d)
source scripts/loopback.sh
PORT=$(free_port)
"$BINARY" serve --port "$PORT" --data-dir "$DATA" --no-worker --log-level error >"$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/openapi.yaml" -o "$DATA/openapi.yaml"
"$VENV/bin/openapi-spec-validator" "$DATA/openapi.yaml"

export VIDEOGENX_KEY_FILE="$DATA/admin-key.json" VIDEOGENX_BASE_URL="http://127.0.0.1:$PORT"
export SCHEMATHESIS_HOOKS=scripts/fuzz/sign_requests.py
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.yaml" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$EXAMPLES" --seed 20261127 --request-timeout 20 --phases examples,coverage,fuzzing
