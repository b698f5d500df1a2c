#!/usr/bin/env bash
# CPU per request span (docs/benchmarks.md, issue 16): `videogenx bench tracing` against the
# test OTLP receiver (tools/otel/otlp_receiver.py --count) on a loopback port chosen here,
# stopped (by PID) at the end. Arguments go to the benchmark (--spans, --rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-otel-deps.sh
source scripts/loopback.sh
work=$(mktemp -d /tmp/vgx-bench-tracing.XXXXXX)
receiver=$(free_port)
.venv-otel/bin/python tools/otel/otlp_receiver.py "$receiver" --count > "$work/receiver.out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$receiver/" && break; sleep 0.1; done
.build/release/videogenx bench tracing --endpoint "http://127.0.0.1:$receiver" "$@"
kill "$pid"; wait "$pid" 2>/dev/null || true
echo "OTLP $(cat "$work/receiver.out")"
