#!/usr/bin/env bash
# The S3 transfer benchmark of docs/benchmarks.md: our client vs `aws s3 cp` (awscli, installed
# into .venv-s3 here) against the run's moto server without signature checks (moto's IAM mode
# cannot serve presigned GETs). Needs a release build (make build-release). Usage:
#   scripts/bench-s3.sh [--size-mb 200] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-s3-deps.sh
if [ ! -x .venv-s3/bin/aws ]; then
    .venv-s3/bin/pip install -q --disable-pip-version-check awscli
fi
BIN=${BIN:-.build/release/videogenx}
bash scripts/with-s3.sh bash -c '
    AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench "$0" bench s3 \
        --url "s3://$VIDEOGENX_TEST_S3_BUCKET/bench?endpoint=$VIDEOGENX_TEST_S3_OPEN_ENDPOINT&region=us-east-1" "$@"
' "$BIN" "$@"
