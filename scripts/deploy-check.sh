#!/usr/bin/env bash
# Validates deploy/ offline (make deploy-check; CI runs it): the Kubernetes monitoring objects are
# what scripts/gen-k8s-monitoring.py makes from deploy/prometheus; both overlays render with
# `kubectl kustomize`; kubernetes-validate (--strict, Kubernetes 1.32) accepts every rendered
# object; checkov --skip-download passes on the Dockerfile, the rendered manifests and the
# Compose folder (skipped checks and their reasons: deploy/README.md); scripts/check-compose.py
# checks what checkov has no Compose policy for; yamllint is clean. Tools live in .venv-deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
VENV=${DEPLOY_VENV:-.venv-deploy}
ensure_packages "$VENV" "import kubernetes_validate, yamllint, checkov" kubernetes-validate==1.37.0 yamllint==1.38.0 checkov==3.3.30
if ! command -v kubectl >/dev/null 2>&1; then
  echo "deploy-check: installing kubectl" >&2
  apt-get install -y -qq --no-install-recommends kubectl >/dev/null 2>&1 || { echo "deploy-check: kubectl (with kustomize) is needed and could not be installed" >&2; exit 1; }
fi
# Checkov is told not to download anything, and neither phones home for stats.
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
out=$(mktemp -d /tmp/vgx-deploy-check.XXXXXX)
trap 'rm -rf "$out"' EXIT

"$VENV/bin/python" scripts/gen-k8s-monitoring.py --check
for overlay in dev prod; do
  kubectl kustomize "deploy/k8s/overlays/$overlay" > "$out/$overlay.yaml"
  echo "deploy-check: overlays/$overlay renders $(grep -c '^kind:' "$out/$overlay.yaml") objects"
  "$VENV/bin/kubernetes-validate" --kubernetes-version 1.32.0 --strict --quiet "$out/$overlay.yaml"
done
skip=CKV_K8S_43
"$VENV/bin/checkov" --skip-download --quiet --compact --framework dockerfile -f deploy/docker/Dockerfile
"$VENV/bin/checkov" --skip-download --quiet --compact --framework kubernetes --skip-check "$skip" -d "$out"
"$VENV/bin/checkov" --skip-download --quiet --compact -d deploy/compose
"$VENV/bin/python" scripts/check-compose.py
"$VENV/bin/yamllint" -c deploy/.yamllint.yaml deploy/
echo "deploy-check: ok"
