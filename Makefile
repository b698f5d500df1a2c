# VideoGenX developer entry points. `make demo` and `make test` are the README's quick start.

SWIFT ?= swift
DEMO_PROMPT ?= a red fox running through snow
DEMO_ARGS ?= --resolution 720P --fps 24 --duration 6 --steps 30 --seed 7

.PHONY: deps model-deps model-tiny s3-deps otel-deps browser-deps console deploy-check k8s-monitoring cluster cluster-down drill build serve demo test fuzz bench bench-s3 bench-telemetry bench-tracing bench-status bench-cluster clean

HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data

## Install missing system packages (ffmpeg, GNU time).
deps:
	@bash scripts/install-deps.sh

## Install the ONNX backend's Python side in .venv-models (ONNX Runtime 1.31.1, onnx, the CLIP vocabulary).
model-deps:
	@bash scripts/install-model-deps.sh

## Build models/tiny-onnx (+ models/tiny-onnx.yaml): the random-weight test model, without torch.
model-tiny: model-deps
	OPEN_CLIP_VOCAB=.venv-models/share/bpe_simple_vocab_16e6.txt.gz .venv-models/bin/python tools/models/make_tiny.py models/tiny-onnx

## Build the videogenx binary (debug; hot loops are optimised, see Package.swift).
build: deps
	$(SWIFT) build --product videogenx

## Start the platform on its embedded defaults (SQLite + ./data/objects + procedural model).
serve: build
	.build/debug/videogenx serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

## Generate out/demo.mp4 from a sample prompt with the built-in procedural reference model.
demo: build
	@mkdir -p out
	.build/debug/videogenx generate "$(DEMO_PROMPT)" $(DEMO_ARGS) -o out/demo.mp4
	@echo "demo video: $(CURDIR)/out/demo.mp4"

## How many tests run at once (Swift Testing's SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH).
## Unbounded, all 53 suites start together on 2 cores: renders, ffmpeg runs and spawned servers
## then starve each other until light tests pass their time limits (a webhook test waiting on a
## manual clock took 62 s). 4 keeps the cores busy and the run as long (6m13s against 5m57s).
TEST_WIDTH ?= 4

## Run the whole test suite, beside a throwaway PostgreSQL cluster (scripts/with-postgres.sh), an
## S3-compatible server (moto with signature checking, scripts/with-s3.sh) and Redis (scripts/with-redis.sh).
test: deps model-deps s3-deps otel-deps browser-deps
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) bash scripts/with-postgres.sh bash scripts/with-s3.sh bash scripts/with-redis.sh $(SWIFT) test

## Install the tracing test's OTLP receiver side (opentelemetry-proto) in .venv-otel.
otel-deps:
	bash scripts/install-otel-deps.sh

## Install the web console's browser test tools: Chromium and chromedriver (apt), Selenium in .venv-browser.
browser-deps:
	bash scripts/install-browser-deps.sh

## Embed console/ (the web console's HTML, CSS and ES modules) into the binary after editing it.
console:
	python3 scripts/embed-console.py

## Start the one-machine cluster (PostgreSQL, Redis, moto S3, Prometheus, 2 api, 2 workers) on loopback; prints the URLs.
cluster: build s3-deps
	bash scripts/cluster.sh up

## Stop exactly what `make cluster` started (by PID) and remove .cluster/.
cluster-down:
	bash scripts/cluster.sh down

## The fault drill against `make cluster`: 60 tasks through kills, pauses and restarts; report in docs/reliability.md.
drill:
	.venv-s3/bin/python -u tools/cluster/drill.py --cluster-dir .cluster --report docs/reliability.md

## Validate deploy/ offline: kustomize renders, kubernetes-validate, checkov --skip-download, yamllint (.venv-deploy).
deploy-check:
	bash scripts/deploy-check.sh

## Regenerate the Kubernetes PrometheusRule and ServiceMonitor from deploy/prometheus.
k8s-monitoring:
	bash -c 'source scripts/venv.sh && ensure_venv .venv-deploy && (.venv-deploy/bin/python -c "import yaml" 2>/dev/null || .venv-deploy/bin/pip install -q PyYAML) && .venv-deploy/bin/python scripts/gen-k8s-monitoring.py'

## Install the S3 test tools (moto's server, botocore, boto3) in .venv-s3.
s3-deps:
	bash scripts/install-s3-deps.sh

## Validate openapi.yaml and fuzz a live API-only server with schemathesis (pip, in .venv-fuzz).
fuzz: build
	bash scripts/fuzz-api.sh

## Run the benchmarks recorded in docs/benchmarks.md (release build).
bench: deps
	$(SWIFT) build -c release --product videogenx
	.build/release/videogenx bench encoder
	.build/release/videogenx bench model
	.build/release/videogenx bench store
	.build/release/videogenx bench auth
	.build/release/videogenx bench scheduler
	.build/release/videogenx bench model --batch-curve
	.build/release/videogenx bench worker --tasks 16 --rounds 5

## Run the S3 transfer benchmark (our client vs aws s3 cp on moto; release build).
bench-s3: s3-deps
	$(SWIFT) build -c release --product videogenx
	bash scripts/bench-s3.sh

## Telemetry overhead: GET task with metrics + tracing on vs off (release build, wrk, local OTLP receiver).
bench-telemetry: deps otel-deps
	$(SWIFT) build -c release --product videogenx
	bash scripts/bench-telemetry.sh

## CPU per request span: OTLP tracer with export vs the no-op tracer (release build, local OTLP receiver).
bench-tracing: otel-deps
	$(SWIFT) build -c release --product videogenx
	bash scripts/bench-tracing.sh

## Status reads: GET task vs GET /healthz on one serve (release build, wrk).
bench-status: deps
	$(SWIFT) build -c release --product videogenx
	bash scripts/bench-status.sh

## Run the cluster benchmarks (PostgreSQL store, loadtest on one and two api processes; release build).
bench-cluster: deps
	$(SWIFT) build -c release --product videogenx
	bash scripts/with-postgres.sh bash scripts/bench-cluster.sh

clean:
	rm -rf .build out
