#!/usr/bin/env bash
# Installs the tracing test tool's Python side in a git-ignored venv (.venv-otel, or $OTEL_VENV):
# the OpenTelemetry protobuf definitions (opentelemetry-proto, with protobuf), which
# tools/otel/otlp_receiver.py uses to decode the OTLP/HTTP exports the tests receive. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_packages "${OTEL_VENV:-.venv-otel}" "import opentelemetry.proto.collector.trace.v1.trace_service_pb2" "opentelemetry-proto==1.39.1"
