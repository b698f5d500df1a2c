#!/usr/bin/env bash
# Installs the tracing test tool's Python side in a git-ignored venv (.venv-otel, or $OTEL_VENV):
# the OpenTelemetry protobuf definitions (opentelemetry-proto, with protobuf), which
# tools/otel/otlp_receiver.py uses to decode the OTLP/HTTP exports the tests receive. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
VENV=${OTEL_VENV:-.venv-otel}
ensure_venv "$VENV"
if ! "$VENV/bin/python" -c "import opentelemetry.proto.collector.trace.v1.trace_service_pb2" 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "opentelemetry-proto==1.39.1"
fi
