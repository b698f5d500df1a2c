#!/usr/bin/env bash
# Installs the S3 test tools in a git-ignored venv (.venv-s3, or $S3_VENV): moto's standalone
# server (an S3-compatible server for the tests, run by scripts/with-s3.sh), botocore (the SigV4
# parity reference) and boto3 (sets moto's IAM user up). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_packages "${S3_VENV:-.venv-s3}" "import moto, boto3, botocore, flask; assert moto.__version__ == '5.2.1'" "moto[server]==5.2.1" boto3
